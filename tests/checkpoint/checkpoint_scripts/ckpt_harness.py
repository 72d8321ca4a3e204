"""Training runs that save and restore checkpoints, shared by the checkpoint tests and scripts.

A *run* is one optimizer (from ``tfv1compat.train`` or from the oracle ``tf.compat.v1.train``)
with its own model variables and int64 global step, in one of three modes:

* ``eager``: ``apply_gradients`` called eagerly;
* ``function``: ``apply_gradients`` inside one ``tf.function`` (traced once per run);
* ``graph``: a fresh ``tf.Graph`` + ``Session`` with ``get_variable`` variables, placeholder
  gradients and a train op (name-based ``Saver`` or object-based ``tf.train.Checkpoint``).

The model has a matrix ``w`` and a vector ``b`` with dense gradients and an embedding ``emb``
whose gradient is ``IndexedSlices`` with a duplicate index, so dense and sparse kernels (and
Adam's shared beta powers) all run. Gradients are deterministic per step index, so a run that
stops, saves, and resumes in a new process sees the same inputs as a run that never stopped.

Nothing here holds an expected number: tests compare against the oracle's uninterrupted run.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from typing import Any

import numpy as np
import tensorflow as tf

_TESTS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from optimizer_specs import SPECS_BY_NAME  # noqa: E402

from tfv1compat import train as ours  # noqa: E402

ORACLE = tf.compat.v1.train
MODULES = {"ours": ours, "tf1": ORACLE}
MODES = ("eager", "function", "graph")
SHAPES = {"w": (3, 2), "b": (2,), "emb": (4, 2)}
SPARSE_INDICES = {"emb": (0, 2, 0)}
JUNK_STEP = 99  # gradients of a step that a restore must completely undo
SAVE_AFTER = 2  # steps trained before the checkpoint is written
TOTAL_STEPS = 4  # steps of the uninterrupted run
# Restore into fresh objects before their first step (slots do not exist yet: restored on
# creation, or deferred until created), or after a step (restore overwrites existing slots).
ORDERS = ("restore_then_first_step", "restore_over_existing_slots")


def initial_values() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1234)
    return {name: rng.uniform(-1, 1, shape).astype(np.float32) for name, shape in SHAPES.items()}


def gradient_arrays(step: int) -> dict[str, np.ndarray]:
    """The gradient values of step ``step`` (``emb``: one row per sparse index)."""
    rng = np.random.default_rng(1000 + step)
    arrays = {}
    for name, shape in SHAPES.items():
        if name in SPARSE_INDICES:
            shape = (len(SPARSE_INDICES[name]),) + shape[1:]
        arrays[name] = rng.standard_normal(shape).astype(np.float32)
    return arrays


def gradients(arrays: dict[str, Any]) -> dict[str, Any]:
    """Tensors/IndexedSlices built from ``arrays`` (works eagerly, in functions and graphs)."""
    result = {}
    for name, value in arrays.items():
        if name in SPARSE_INDICES:
            result[name] = tf.IndexedSlices(
                tf.convert_to_tensor(value),
                tf.constant(SPARSE_INDICES[name], tf.int64),
                tf.constant(SHAPES[name], tf.int64),
            )
        else:
            result[name] = tf.convert_to_tensor(value)
    return result


def canonical_name(name: str) -> str:
    """``beta1_power_1:0`` -> ``beta1_power``: drop the uniquifying counters."""
    parts = name.split(":")[0].split("/")
    return "/".join(re.sub(r"_\d+$", "", part) for part in parts)


class Run:
    """One optimizer with its own variables, stepping through deterministic gradients."""

    def __init__(
        self,
        module_key: str,
        spec_name: str,
        mode: str,
        config_id: str = "default",
        variable_factory=None,
        checkpoint_factory=None,
    ) -> None:
        self.module = MODULES[module_key]
        self.spec = SPECS_BY_NAME[spec_name]
        self.mode = mode
        self.graph = tf.Graph() if mode == "graph" else None
        self._stack = contextlib.ExitStack()
        with self._scope():
            if variable_factory is not None:
                self.variables = variable_factory()
            elif mode == "graph":
                self.variables = {
                    name: tf.compat.v1.get_variable(name, initializer=tf.constant(value))
                    for name, value in initial_values().items()
                }
            else:
                self.variables = {
                    name: tf.Variable(value, name=name) for name, value in initial_values().items()
                }
            if mode == "graph":
                self.global_step = tf.compat.v1.get_variable(
                    "global_step",
                    shape=[],
                    dtype=tf.int64,
                    initializer=tf.compat.v1.zeros_initializer(),
                    trainable=False,
                )
            else:
                self.global_step = tf.Variable(0, dtype=tf.int64, trainable=False)
            self.optimizer = self.spec.build(self.module, config_id, global_step=self.global_step)
            if checkpoint_factory is not None:
                self.checkpoint = checkpoint_factory(self)
            else:
                self.checkpoint = tf.train.Checkpoint(
                    optimizer=self.optimizer,
                    model=tf.train.Checkpoint(**self.variables),
                    step=self.global_step,
                )
        self._train_op = None
        self._feeds = None
        self._function = None
        self.session = None

    # ------------------------------------------------------------------ plumbing

    def _scope(self):
        return self.graph.as_default() if self.graph is not None else contextlib.nullcontext()

    def _apply(self, grads: dict[str, Any]):
        pairs = [(grads[name], self.variables[name]) for name in SHAPES]
        return self.optimizer.apply_gradients(pairs, global_step=self.global_step)

    def build(self) -> None:
        """Create the train op (graph) or the step function (tf.function); eager: nothing."""
        if self.mode == "graph" and self._train_op is None:
            with self._scope():
                self._feeds = {
                    name: tf.compat.v1.placeholder(tf.float32, value.shape, name=name + "_grad")
                    for name, value in gradient_arrays(0).items()
                }
                self._train_op = self._apply(gradients(self._feeds))
        elif self.mode == "function" and self._function is None:

            def train_step(arrays):
                self._apply(gradients(arrays))

            self._function = tf.function(train_step)

    def start_session(self, initialize: bool = True) -> None:
        """Graph mode: open the Session (and run the initializers)."""
        assert self.mode == "graph"
        self.session = tf.compat.v1.Session(graph=self.graph)
        self._stack.callback(self.session.close)
        if initialize:
            with self._scope():
                self.session.run(tf.compat.v1.global_variables_initializer())

    def step(self, step: int) -> None:
        arrays = gradient_arrays(step)
        if self.mode == "eager":
            self._apply(gradients(arrays))
            return
        self.build()
        if self.mode == "function":
            self._function({k: tf.constant(v) for k, v in arrays.items()})
        else:
            if self.session is None:
                self.start_session()
            self.session.run(self._train_op, {self._feeds[k]: v for k, v in arrays.items()})

    def close(self) -> None:
        self._stack.close()

    # ------------------------------------------------------------------ state

    def state_objects(self) -> dict[str, Any]:
        """Every piece of training state, keyed by role (stable across modes and processes)."""
        slots = {}
        slot_ids = set()
        for slot_name in self.optimizer.get_slot_names():
            for name, variable in self.variables.items():
                slot = self.optimizer.get_slot(variable, slot_name)
                assert slot is not None, f"no slot {slot_name!r} for {name}"
                slots[f"slot/{slot_name}/{name}"] = slot
                slot_ids.add(id(slot))
        with self._scope():
            optimizer_variables = list(self.optimizer.variables())
        non_slots = {
            "non_slot/" + canonical_name(v.name): v
            for v in optimizer_variables
            if id(v) not in slot_ids
        }
        model = {"var/" + name: v for name, v in self.variables.items()}
        return {**model, **slots, **non_slots, "global_step": self.global_step}

    def state(self) -> dict[str, np.ndarray]:
        objects = self.state_objects()
        if self.mode == "graph":
            values = self.session.run(objects)
        else:
            values = {k: v.numpy() for k, v in objects.items()}
        return {k: np.asarray(v) for k, v in values.items()}

    # ------------------------------------------------------------------ checkpoints

    def save(self, prefix: str) -> str:
        """Object-based ``tf.train.Checkpoint.save`` (graph mode: in this run's Session)."""
        if self.mode == "graph":
            with self._scope(), self.session.as_default():
                return self.checkpoint.save(prefix)
        return self.checkpoint.save(prefix)

    def restore(self, path: str):
        """Object-based restore; graph mode returns the status (run its ops later)."""
        with self._scope():
            return self.checkpoint.restore(path)

    def run_restore_ops(self, status, initialize: bool = False) -> None:
        """Graph mode: run a restore status's ops in this run's graph and Session (TF1's
        ``initialize_or_restore`` when ``initialize``); a no-op in the other modes."""
        if self.mode != "graph":
            return
        with self._scope():
            if initialize:
                status.initialize_or_restore(self.session)
            else:
                status.run_restore_ops(self.session)

    def saver_save(self, prefix: str) -> str:
        """Graph mode: a name-based ``tf.compat.v1.train.Saver`` checkpoint of all variables."""
        tf.io.gfile.makedirs(os.path.dirname(prefix))  # Saver does not create directories
        with self._scope():
            return tf.compat.v1.train.Saver().save(self.session, prefix)

    def saver_restore(self, path: str) -> None:
        """Graph mode: build the train op (slots exist), then ``Saver.restore`` everything."""
        self.build()
        if self.session is None:
            self.start_session(initialize=False)
        with self._scope():
            tf.compat.v1.train.Saver().restore(self.session, path)


def assert_same_state(got: dict[str, Any], expected: dict[str, Any], where: str) -> None:
    """Same keys, dtypes and values bit for bit."""
    assert sorted(got) == sorted(expected), where
    for key, value in expected.items():
        np.testing.assert_array_equal(got[key], value, err_msg=f"{where}: {key}")
        assert np.asarray(got[key]).dtype == np.asarray(value).dtype, f"{where}: {key}"


def uninterrupted(spec_name: str, mode: str, steps: int, module_key: str = "tf1") -> list:
    """The state after each of ``steps`` steps of a run that never stops (default: oracle)."""
    run = Run(module_key, spec_name, mode)
    try:
        history = []
        for step in range(steps):
            run.step(step)
            history.append(run.state())
        return history
    finally:
        run.close()


def checkpoint_contents(path: str) -> dict[str, np.ndarray]:
    """Every tensor of a checkpoint by key, except the serialized object graph."""
    reader = tf.train.load_checkpoint(path)
    return {
        key: reader.get_tensor(key)
        for key in reader.get_variable_to_shape_map()
        if key != "_CHECKPOINTABLE_OBJECT_GRAPH"
    }


def resume(run: Run, path: str, order: str, name_based: bool = False) -> list:
    """Restore ``path`` into the fresh ``run`` (object-based, or ``Saver`` in graph mode) in
    ``order``, train the remaining steps, and return the state after each of them.

    Object-based restores end with ``assert_consumed()``: every saved value found its object.
    """
    status = None
    if order == "restore_over_existing_slots":
        run.step(JUNK_STEP)
        if name_based:
            run.saver_restore(path)
        else:
            status = run.restore(path)
            run.run_restore_ops(status)
    elif name_based:
        run.saver_restore(path)
    else:
        status = run.restore(path)
        if run.mode == "graph":
            run.build()
            run.start_session(initialize=False)
            run.run_restore_ops(status, initialize=True)
    history = []
    for step in range(SAVE_AFTER, TOTAL_STEPS):
        run.step(step)
        history.append(run.state())
    if status is not None:
        status.assert_consumed()
    return history
