"""Checkpoints move both ways between ``tf.compat.v1.train`` and tfv1compat optimizers.

Object-based (``tf.train.Checkpoint(optimizer=..., model=..., step=...)``): the same keys and
values as TF1's optimizer writes; a checkpoint of one side restores into fresh objects of the
other side (before the first step, when slots are restored on creation or deferred, and over
existing slots), ``assert_consumed()`` passes, and continuing gives exactly the oracle's
uninterrupted run, step by step, for all ten optimizers, eagerly, in ``tf.function`` and in a
Graph + Session. Name-based (``tf.compat.v1.train.Saver``): the same keys as TF1 for the same
graph, and the same interchange. Keras 3 models, and the v1 ``Checkpoint`` class.

The uninterrupted oracle run of each (optimizer, mode) is computed once per process and saves
its own checkpoints at step ``SAVE_AFTER`` (saving changes no training state).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import pytest
import signatures
import tensorflow as tf
from checkpoint_scripts.ckpt_harness import (
    JUNK_STEP,
    MODES,
    ORACLE,
    ORDERS,
    SAVE_AFTER,
    TOTAL_STEPS,
    Run,
    assert_same_state,
    checkpoint_contents,
    initial_values,
    resume,
)
from optimizer_specs import SPECS, oracle_lacks, spec_configs

from tfv1compat import checkpoint as ours_checkpoint
from tfv1compat import train as ours

SPEC_NAMES = [spec.name for spec in SPECS]


class Reference:
    """The oracle's uninterrupted run: the state after every step, and its checkpoints
    (object-based, and in graph mode also ``Saver``) written after ``SAVE_AFTER`` steps."""

    def __init__(self, spec_name: str, mode: str, directory: str) -> None:
        run = Run("tf1", spec_name, mode)
        self.history = []
        self.saver_path = None
        try:
            for step in range(TOTAL_STEPS):
                if step == SAVE_AFTER:
                    # Saver first: the object-based save adds a save_counter variable.
                    if mode == "graph":
                        self.saver_path = run.saver_save(os.path.join(directory, "saver"))
                    self.path = run.save(os.path.join(directory, "object"))
                run.step(step)
                self.history.append(run.state())
        finally:
            run.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    cache: dict[tuple[str, str], Reference] = {}

    def get(spec_name: str, mode: str) -> Reference:
        if (spec_name, mode) not in cache:
            directory = str(tmp_path_factory.mktemp(f"{spec_name}-{mode}"))
            cache[spec_name, mode] = Reference(spec_name, mode, directory)
        return cache[spec_name, mode]

    return get


def _train_and_save(
    module_key: str,
    spec_name: str,
    mode: str,
    reference: Reference,
    prefix: str,
    name_based: bool = False,
) -> str:
    """``SAVE_AFTER`` steps (checked equal to the oracle's), then save; returns the path."""
    run = Run(module_key, spec_name, mode)
    try:
        for step in range(SAVE_AFTER):
            run.step(step)
        assert_same_state(run.state(), reference.history[SAVE_AFTER - 1], "before saving")
        return run.saver_save(prefix) if name_based else run.save(prefix)
    finally:
        run.close()


def _assert_same_checkpoint(got_path: str, expected_path: str) -> None:
    """Same keys, and the same values bit for bit (same training, same step)."""
    got, expected = checkpoint_contents(got_path), checkpoint_contents(expected_path)
    assert sorted(got) == sorted(expected)
    for key, value in expected.items():
        np.testing.assert_array_equal(got[key], value, err_msg=key)
        assert got[key].dtype == value.dtype, key


def _resume_and_compare(
    module_key: str,
    spec_name: str,
    mode: str,
    path: str,
    order: str,
    reference: Reference,
    name_based: bool = False,
) -> None:
    run = Run(module_key, spec_name, mode)
    try:
        history = resume(run, path, order, name_based=name_based)
    finally:
        run.close()
    for offset, state in enumerate(history):
        step = SAVE_AFTER + offset
        assert_same_state(state, reference.history[step], f"after step {step}")


# ---------------------------------------------------------------------------- object-based


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("direction", ["tf1_to_ours", "ours_to_tf1"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("spec_name", SPEC_NAMES)
def test_object_checkpoint_interchange(
    spec_name: str, mode: str, direction: str, order: str, reference, tmp_path
) -> None:
    """A checkpoint written by one implementation after 2 steps restores into fresh objects
    of the other; ``assert_consumed()`` passes and the next steps equal the oracle's
    uninterrupted run bit for bit (variables, every slot, beta powers, global step). Ours
    writes the same keys and values as TF1."""
    ref = reference(spec_name, mode)
    if direction == "tf1_to_ours":
        path, reader = ref.path, "ours"
    else:
        path = _train_and_save("ours", spec_name, mode, ref, str(tmp_path / "ours"))
        _assert_same_checkpoint(path, ref.path)
        reader = "tf1"
    _resume_and_compare(reader, spec_name, mode, path, order, ref)


@pytest.mark.parametrize(
    ("spec", "config_id"), spec_configs(), ids=[f"{s.name}-{c}" for s, c in spec_configs()]
)
def test_object_checkpoint_keys_match_tf1_for_every_config(spec, config_id, tmp_path) -> None:
    """Eagerly, for every configuration in the table (Ftrl's slot names, Adam's own name
    scope, centered RMSProp, ...): the same checkpoint keys (``optimizer/beta1_power``,
    ``model/w/.OPTIMIZER_SLOT/optimizer/m``) and values as TF1 after 2 steps."""
    paths = []
    for module_key in ("ours", "tf1"):
        run = Run(module_key, spec.name, "eager", config_id=config_id)
        for step in range(SAVE_AFTER):
            run.step(step)
        paths.append(run.save(str(tmp_path / module_key)))
    _assert_same_checkpoint(*paths)
    keys = checkpoint_contents(paths[0])
    for slot_name in spec.slots_for(config_id):
        for variable in initial_values():
            assert (
                f"model/{variable}/.OPTIMIZER_SLOT/optimizer/{slot_name}/.ATTRIBUTES/VARIABLE_VALUE"
                in keys
            )


@pytest.mark.parametrize("mode", ["eager", "graph"])
@pytest.mark.parametrize("spec_name", ["AdamOptimizer", "RMSPropOptimizer"])
def test_restored_state_before_first_step_matches_tf1(spec_name: str, mode: str, reference) -> None:
    """Right after a restore into fresh objects, ours holds the same optimizer state as TF1:
    eagerly the slots are created at once with the saved values and the beta powers wait for
    their creation (restore-on-create); in a graph nothing exists until the train op is built,
    and ``initialize_or_restore`` then loads every deferred value."""
    ref = reference(spec_name, mode)
    observed = []
    for module_key in ("ours", "tf1"):
        run = Run(module_key, spec_name, mode)
        status = run.restore(ref.path)
        existing = sorted(
            (slot_name, name)
            for slot_name in run.optimizer.get_slot_names()
            for name, variable in run.variables.items()
            if run.optimizer.get_slot(variable, slot_name) is not None
        )
        if mode == "eager":
            with_values = {k: v for k, v in run.state().items() if k.startswith("slot/")}
        else:
            run.build()
            run.start_session(initialize=False)
            run.run_restore_ops(status, initialize=True)
            with_values = run.state()
        non_slots = len(list(run.optimizer.variables())) - len(existing)
        observed.append((existing, non_slots, with_values))
        run.close()
    (existing, non_slots, values), (tf1_existing, tf1_non_slots, tf1_values) = observed
    assert existing == tf1_existing
    assert non_slots == tf1_non_slots
    assert_same_state(values, tf1_values, "after restore")
    if mode == "eager":
        assert existing, "eager restore creates the slots at once"
    for key, value in values.items():
        np.testing.assert_array_equal(value, ref.history[SAVE_AFTER - 1][key], err_msg=key)


# ---------------------------------------------------------------------------- name-based


def _saver_keys(module, build, directory: str) -> dict[str, np.ndarray]:
    """Build ``build(module)`` in a fresh graph, run its train ops twice (in order), save
    with ``Saver``."""
    with tf.Graph().as_default() as graph:
        train_ops = build(module)
        saver = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            for _ in range(2):
                for op in train_ops:  # two optimizers on one variable: one after the other
                    session.run(op)
            prefix = os.path.join(directory, module.__name__.replace(".", "_"), "ckpt")
            path = saver.save(session, prefix)
    return checkpoint_contents(path)


def _graph_model() -> tuple[tf.Variable, tf.Variable, tf.Tensor]:
    w = tf.compat.v1.get_variable("layer/w", initializer=tf.constant([[1.0, -2.0], [0.5, 3.0]]))
    emb = tf.compat.v1.get_variable("emb", initializer=tf.constant([[0.1, 0.2], [0.3, 0.4]]))
    loss = tf.reduce_sum(tf.square(w)) + tf.reduce_sum(tf.gather(emb, [1, 1, 0]) ** 3)
    return w, emb, loss


def _single(spec, config_id: str, **overrides: Any):
    def build(module):
        w, emb, loss = _graph_model()
        step = tf.compat.v1.train.get_or_create_global_step()
        return [
            spec.build(module, config_id, global_step=step, **overrides).minimize(
                loss, global_step=step
            )
        ]

    return build


def _two_optimizers(first: tuple[str, dict], second: tuple[str, dict], same_variable: bool):
    """Two optimizers in one graph: on different variables, or both on ``layer/w``."""

    def build(module):
        w, emb, loss = _graph_model()
        step = tf.compat.v1.train.get_or_create_global_step()
        ops = []
        for (name, kwargs), var_list in zip(
            (first, second), ([w], [w]) if same_variable else ([w], [emb])
        ):
            spec = {s.name: s for s in SPECS}[name]
            optimizer = spec.build(module, "default", global_step=step, **kwargs)
            ops.append(optimizer.minimize(loss, var_list=var_list))
        return ops

    return build


SAVER_CASES = {
    **{f"{spec.name}-custom_name": _single(spec, "default", name="my_opt") for spec in SPECS},
    "FtrlOptimizer-accum_linear_names": _single(
        {s.name: s for s in SPECS}["FtrlOptimizer"], "names"
    ),
    "AdamOptimizer-own_namescope": _single(
        {s.name: s for s in SPECS}["AdamOptimizer"], "own_namescope"
    ),
    "RMSPropOptimizer-centered": _single(
        {s.name: s for s in SPECS}["RMSPropOptimizer"], "centered"
    ),
    "two_adams_different_variables": _two_optimizers(
        ("AdamOptimizer", {}), ("AdamOptimizer", {}), same_variable=False
    ),
    "two_adams_same_variable": _two_optimizers(
        ("AdamOptimizer", {}), ("AdamOptimizer", {}), same_variable=True
    ),
    "two_adams_own_namescope": _two_optimizers(
        ("AdamOptimizer", {"use_own_namescope_for_non_slot_vars": True}),
        ("AdamOptimizer", {"use_own_namescope_for_non_slot_vars": True}),
        same_variable=False,
    ),
    "adam_and_momentum_same_variable": _two_optimizers(
        ("AdamOptimizer", {}), ("MomentumOptimizer", {}), same_variable=True
    ),
    "ftrl_named_and_ftrl_same_variable": _two_optimizers(
        ("FtrlOptimizer", {"accum_name": "acc", "linear_name": "lin"}),
        ("FtrlOptimizer", {}),
        same_variable=True,
    ),
}


# The cases that build an Adam with use_own_namescope_for_non_slot_vars (TF1 has it from 2.19).
OWN_NAMESCOPE_CASES = ("AdamOptimizer-own_namescope", "two_adams_own_namescope")


@pytest.mark.parametrize("case", sorted(SAVER_CASES))
def test_saver_keys_match_tf1(case: str, tmp_path) -> None:
    """In a fresh Graph, ``tf.compat.v1.train.Saver`` writes the same keys for ours as for
    TF1 (``layer/w/my_opt``, ``layer/w/acc``, ``Adam/beta1_power``, ``beta1_power_1``,
    ``layer/w/Adam_2``), with the same values after 2 steps."""
    lacking = case in OWN_NAMESCOPE_CASES and oracle_lacks(
        "AdamOptimizer", {"use_own_namescope_for_non_slot_vars": True}
    )
    if lacking:
        pytest.skip(lacking)
    got = _saver_keys(ours, SAVER_CASES[case], str(tmp_path))
    expected = _saver_keys(ORACLE, SAVER_CASES[case], str(tmp_path))
    assert sorted(got) == sorted(expected)
    optimizer_keys = set(got) - {"layer/w", "emb", "global_step"}
    assert bool(optimizer_keys) != case.startswith(("GradientDescent", "ProximalGradient"))
    for key, value in expected.items():
        np.testing.assert_array_equal(got[key], value, err_msg=key)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("direction", ["tf1_to_ours", "ours_to_tf1"])
@pytest.mark.parametrize("spec_name", SPEC_NAMES)
def test_saver_checkpoint_interchange(
    spec_name: str, direction: str, order: str, reference, tmp_path
) -> None:
    """Graph + Session: a ``Saver`` checkpoint of one implementation, restored by ``Saver``
    into a new graph built with the other, continues exactly as the oracle's uninterrupted
    run (restored before any step, or over slots that a step already changed)."""
    ref = reference(spec_name, "graph")
    if direction == "tf1_to_ours":
        path, reader = ref.saver_path, "ours"
    else:
        path = _train_and_save(
            "ours", spec_name, "graph", ref, str(tmp_path / "ours"), name_based=True
        )
        _assert_same_checkpoint(path, ref.saver_path)
        reader = "tf1"
    _resume_and_compare(reader, spec_name, "graph", path, order, ref, name_based=True)


# ---------------------------------------------------------------------------- Keras 3


class _KerasNet(keras.Model):
    """A Dense layer and an Embedding: the variables of the harness (``w``, ``b``, ``emb``)."""

    def __init__(self) -> None:
        super().__init__()
        self.dense = keras.layers.Dense(2)
        self.emb = keras.layers.Embedding(4, 2)

    def call(self, inputs):
        return self.dense(self.emb(inputs))


def _keras_variables(model: _KerasNet) -> dict[str, Any]:
    """Build the layers and give their variables the harness's initial values."""
    model.dense.build((None, 3))
    model.emb.build()
    values = initial_values()
    variables = {"w": model.dense.kernel, "b": model.dense.bias, "emb": model.emb.embeddings}
    for name, variable in variables.items():
        variable.assign(values[name])
    return variables


def _keras_run(spec_name: str, model: _KerasNet | None = None) -> Run:
    """Ours on the Keras model's variables, checkpointed as ``Checkpoint(model=keras_model)``."""
    model = model or _KerasNet()
    return Run(
        "ours",
        spec_name,
        "eager",
        variable_factory=lambda: _keras_variables(model),
        checkpoint_factory=lambda run: tf.train.Checkpoint(
            optimizer=run.optimizer, model=model, step=run.global_step
        ),
    )


def _mirror_run(module_key: str) -> Callable[[str], Run]:
    """TF1 on plain ``tf.Variable``s arranged as the Keras model's checkpoint paths."""

    def make(spec_name: str) -> Run:
        def checkpoint(run: Run) -> tf.train.Checkpoint:
            model = tf.train.Checkpoint(
                dense=tf.train.Checkpoint(_kernel=run.variables["w"], bias=run.variables["b"]),
                emb=tf.train.Checkpoint(_embeddings=run.variables["emb"]),
            )
            return tf.train.Checkpoint(optimizer=run.optimizer, model=model, step=run.global_step)

        return Run(module_key, spec_name, "eager", checkpoint_factory=checkpoint)

    return make


@pytest.mark.parametrize("spec_name", SPEC_NAMES)
def test_keras_model_slots_round_trip_with_tf1(spec_name: str, reference, tmp_path) -> None:
    """Ours training a Keras 3 model's variables equals TF1 on ``tf.Variable``s; its
    ``Checkpoint(optimizer=opt, model=keras_model)`` has one ``.OPTIMIZER_SLOT`` entry per slot
    and variable, the same keys and values as TF1 writes for the same object paths, and
    restores into TF1 (and TF1's into a fresh Keras model + ours) to continue exactly as the
    oracle's uninterrupted run."""
    ref = reference(spec_name, "eager")
    keras_writer = _keras_run(spec_name)
    for step in range(SAVE_AFTER):
        keras_writer.step(step)
    assert_same_state(keras_writer.state(), ref.history[SAVE_AFTER - 1], "keras before saving")
    keras_path = keras_writer.save(str(tmp_path / "keras"))
    mirror = _mirror_run("tf1")(spec_name)
    for step in range(SAVE_AFTER):
        mirror.step(step)
    mirror_path = mirror.save(str(tmp_path / "mirror"))
    _assert_same_checkpoint(keras_path, mirror_path)
    slot_keys = [k for k in checkpoint_contents(keras_path) if ".OPTIMIZER_SLOT" in k]
    spec = {s.name: s for s in SPECS}[spec_name]
    assert len(slot_keys) == 3 * len(spec.slots_for("default"))

    for order in ORDERS:
        for run in (_mirror_run("tf1")(spec_name), _keras_run(spec_name)):
            path = keras_path if run.module is ORACLE else mirror_path
            for offset, state in enumerate(resume(run, path, order)):
                step = SAVE_AFTER + offset
                assert_same_state(state, ref.history[step], f"{order}: after step {step}")


@pytest.mark.parametrize("spec_name", ["AdamOptimizer", "MomentumOptimizer", "FtrlOptimizer"])
def test_keras_model_built_after_restore(spec_name: str, reference, tmp_path) -> None:
    """Restore into an unbuilt Keras model: when ``build`` creates the Dense variables they
    take the saved values, and so do their slots (created by the optimizer on restore-on-
    create), and training continues exactly as the oracle's. (Keras 3 itself does not
    restore an ``Embedding`` built after the restore, so this model has a Dense layer only.)"""
    ref = reference(spec_name, "eager")
    mirror = _mirror_run("tf1")(spec_name)
    for step in range(SAVE_AFTER):
        mirror.step(step)
    path = mirror.save(str(tmp_path / "mirror"))

    model = keras.Sequential([keras.layers.Dense(2)])
    emb = tf.Variable(initial_values()["emb"])
    global_step = tf.Variable(0, dtype=tf.int64)
    optimizer = {s.name: s for s in SPECS}[spec_name].build(
        ours, "default", global_step=global_step
    )
    checkpoint = tf.train.Checkpoint(
        optimizer=optimizer,
        model=tf.train.Checkpoint(dense=model.layers[0], emb=tf.train.Checkpoint(_embeddings=emb)),
        step=global_step,
    )
    status = checkpoint.restore(path)
    model.build((None, 3))
    variables = {"w": model.layers[0].kernel, "b": model.layers[0].bias, "emb": emb}
    # A Run around these objects, to step and read them like every other run.
    run = Run("ours", spec_name, "eager", variable_factory=lambda: variables)
    run.optimizer, run.global_step, run.checkpoint = optimizer, global_step, checkpoint
    restored = run.state()
    for key, value in restored.items():
        if key.startswith(("var/", "slot/")):
            np.testing.assert_array_equal(value, ref.history[SAVE_AFTER - 1][key], err_msg=key)
    for step in range(SAVE_AFTER, TOTAL_STEPS):
        run.step(step)
        assert_same_state(run.state(), ref.history[step], f"after step {step}")
    status.assert_consumed()


# ---------------------------------------------------------------------------- v1 Checkpoint


def test_v1_checkpoint_eager_interchange(tmp_path) -> None:
    """Eagerly, ``tfv1compat.train.Checkpoint`` numbers its saves (``ckpt-1``, ``ckpt-2``),
    records the latest one, writes what ``tf.compat.v1.train.Checkpoint`` writes for the same
    objects, and each restores the other's checkpoint."""
    paths = {}
    for label, module in (("ours", ours_checkpoint), ("tf1", ORACLE)):
        run = Run("ours", "AdamOptimizer", "eager")
        run.step(0)
        checkpoint = module.Checkpoint(
            optimizer=run.optimizer,
            model=tf.train.Checkpoint(**run.variables),
            step=run.global_step,
        )
        prefix = str(tmp_path / label / "ckpt")
        first = checkpoint.save(prefix)
        run.step(1)
        second = checkpoint.save(prefix)
        assert (first, second) == (prefix + "-1", prefix + "-2")
        assert ours_checkpoint.latest_checkpoint(str(tmp_path / label)) == second
        paths[label] = (second, run.state())
    _assert_same_checkpoint(paths["ours"][0], paths["tf1"][0])
    for reader, writer in (("ours", "tf1"), ("tf1", "ours")):
        module = ours_checkpoint if reader == "ours" else ORACLE
        run = Run("ours", "AdamOptimizer", "eager")
        run.step(JUNK_STEP)
        status = module.Checkpoint(
            optimizer=run.optimizer,
            model=tf.train.Checkpoint(**run.variables),
            step=run.global_step,
        ).restore(paths[writer][0])
        status.assert_consumed()
        assert_same_state(run.state(), paths[writer][1], f"{writer} -> {reader}")


@pytest.mark.parametrize("writer", ["ours", "tf1"])
def test_v1_checkpoint_graph_session_api(writer: str, tmp_path) -> None:
    """Graph + Session with TF1's v1 API: ``save(prefix, session=sess)`` (no default session
    needed), ``write`` (exact prefix, no state file), ``restore(path)`` whose status offers
    ``assert_consumed``/``run_restore_ops``/``initialize_or_restore``, and ``restore(None)``
    whose ``initialize_or_restore`` runs the initializers; checkpoints cross both ways."""
    writer_module = ours_checkpoint if writer == "ours" else ORACLE
    reader_module = ORACLE if writer == "ours" else ours_checkpoint
    source = Run("tf1", "AdamOptimizer", "graph")
    source.step(0)
    source.step(1)
    with source.graph.as_default():
        checkpoint = writer_module.Checkpoint(
            optimizer=source.optimizer,
            model=tf.train.Checkpoint(**source.variables),
            step=source.global_step,
        )
        path = checkpoint.save(str(tmp_path / "ckpt"), session=source.session)
        written = checkpoint.write(str(tmp_path / "exact"), session=source.session)
    expected = source.state()
    source.close()
    assert path == str(tmp_path / "ckpt-1")
    assert written == str(tmp_path / "exact")
    assert ours_checkpoint.latest_checkpoint(str(tmp_path)) == path

    for restore_path in (path, written):
        target = Run("ours", "AdamOptimizer", "graph")
        target.build()
        target.start_session(initialize=False)
        with target.graph.as_default():
            checkpoint = reader_module.Checkpoint(
                optimizer=target.optimizer,
                model=tf.train.Checkpoint(**target.variables),
                step=target.global_step,
            )
            status = checkpoint.restore(restore_path)
            status.assert_consumed()
            status.initialize_or_restore(target.session)
        assert_same_state(target.state(), expected, restore_path)
        target.close()

    fresh = Run("ours", "AdamOptimizer", "graph")
    fresh.build()
    fresh.start_session(initialize=False)
    with fresh.graph.as_default():
        status = ours_checkpoint.Checkpoint(
            optimizer=fresh.optimizer,
            model=tf.train.Checkpoint(**fresh.variables),
            step=fresh.global_step,
        ).restore(None)
        status.initialize_or_restore(fresh.session)
        uninitialized = fresh.session.run(tf.compat.v1.report_uninitialized_variables())
    assert list(uninitialized) == []
    np.testing.assert_array_equal(fresh.state()["var/w"], initial_values()["w"])
    fresh.close()


def test_v1_checkpoint_constructor_matches_tf1(tmp_path) -> None:
    """Like TF1: ``root=`` is an ordinary child (TF2 would make it the root object), and a
    value that is not trackable raises ValueError."""
    keys = []
    for module in (ours_checkpoint, ORACLE):
        checkpoint = module.Checkpoint(root=tf.Variable(1.0), other=tf.Variable(2.0))
        path = checkpoint.write(str(tmp_path / module.__name__.replace(".", "_")))
        keys.append(sorted(checkpoint_contents(path)))
        with pytest.raises(ValueError, match="trackable"):
            module.Checkpoint(x=1)
    assert keys[0] == keys[1]
    assert "root/.ATTRIBUTES/VARIABLE_VALUE" in keys[0]


def test_train_namespace_signature_of_checkpoint_methods() -> None:
    """``Checkpoint.save``/``write``/``restore`` take TF1's arguments (not TF2's)."""
    for method in ("save", "write", "restore"):
        assert signatures.without_annotations(
            getattr(ours_checkpoint.Checkpoint, method)
        ) == signatures.without_annotations(getattr(ORACLE.Checkpoint, method))
