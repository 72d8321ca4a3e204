"""Generic machinery for subject-vs-oracle parity tests (``tests/test_parity*.py``).

A *side* is one optimizer (ours, the subject, or ``tf.compat.v1.train``'s, the oracle) with its
own model variables and int64 global step, built from identical arguments and initial values.
The helpers build sides in eager mode (usable inside ``tf.function``) or in a fresh
``tf.Graph`` + ``Session`` (resource or ref variables), feed both the same gradients or loss
coefficients step by step, read every piece of optimizer state, and compare it exactly.

Nothing here holds an expected number: the oracle is always run.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import re
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf

from tfv1compat import train as ours

ORACLE = tf.compat.v1.train
MODULES = (("subject", ours), ("oracle", ORACLE))
STEPS = 3
SEED = 20240611


@dataclasses.dataclass(frozen=True)
class VariableSpec:
    """A model variable of a layout: its shape and, for sparse gradients, the row indices."""

    name: str
    shape: tuple[int, ...]
    sparse_indices: tuple[int, ...] | None = None

    @property
    def gradient_shape(self) -> tuple[int, ...]:
        if self.sparse_indices is None:
            return self.shape
        return (len(self.sparse_indices),) + self.shape[1:]


# dense: a matrix and a vector in one apply (multi-variable paths, Adam's shared beta powers).
# sparse: IndexedSlices with duplicate indices on two variables (deduplicated, or for
#   GradientDescent scatter-added raw; Adam's composite sparse path moves every row).
# mixed: dense and sparse gradients in one apply, what a model with an embedding produces.
LAYOUTS: dict[str, tuple[VariableSpec, ...]] = {
    "dense": (VariableSpec("w", (3, 2)), VariableSpec("b", (2,))),
    "sparse": (VariableSpec("emb", (4, 2), (0, 2, 0)), VariableSpec("w", (3, 2), (2, 2, 1))),
    "mixed": (
        VariableSpec("w", (3, 2)),
        VariableSpec("b", (2,)),
        VariableSpec("emb", (4, 2), (0, 2, 0)),
    ),
}


def _rng(*keys: object) -> np.random.Generator:
    return np.random.default_rng([SEED] + [zlib.crc32(str(k).encode()) for k in keys])


def initial_values(layout: str, dtype: tf.DType) -> dict[str, np.ndarray]:
    """Deterministic initial values per variable of ``layout``, in ``dtype``."""
    return {
        v.name: _rng("init", v.name).uniform(-1.0, 1.0, v.shape).astype(dtype.as_numpy_dtype)
        for v in LAYOUTS[layout]
    }


def step_arrays(layout: str, dtype: tf.DType, steps: int = STEPS) -> list[dict[str, np.ndarray]]:
    """A different gradient (or loss coefficient) array per variable and step."""
    return [
        {
            v.name: _rng("grad", v.name, step)
            .standard_normal(v.gradient_shape)
            .astype(dtype.as_numpy_dtype)
            for v in LAYOUTS[layout]
        }
        for step in range(steps)
    ]


def gradient(variable: VariableSpec, value) -> tf.Tensor | tf.IndexedSlices:
    """``value`` as the gradient of ``variable``: a Tensor, or IndexedSlices with duplicates."""
    value = tf.convert_to_tensor(value)
    if variable.sparse_indices is None:
        return value
    return tf.IndexedSlices(
        value,
        tf.constant(variable.sparse_indices, tf.int32),
        tf.constant(variable.shape, tf.int32),
    )


def gradients_for(layout: str, arrays: dict[str, Any]) -> list:
    return [gradient(v, arrays[v.name]) for v in LAYOUTS[layout]]


def loss_value(layout: str, variables: dict[str, tf.Variable], coefficients: dict[str, Any]):
    """``sum(c * v * v)``; sparse variables enter through ``tf.gather`` (IndexedSlices grads)."""
    terms = []
    for v in LAYOUTS[layout]:
        value = variables[v.name]
        if v.sparse_indices is not None:
            value = tf.gather(value, tf.constant(v.sparse_indices, tf.int32))
        terms.append(tf.reduce_sum(coefficients[v.name] * value * value))
    return tf.add_n(terms)


@dataclasses.dataclass
class Side:
    """One optimizer with its own variables; ``label`` is "subject" or "oracle"."""

    label: str
    optimizer: Any
    variables: dict[str, tf.Variable]
    global_step: tf.Variable
    learning_rate: Any = None
    graph: tf.Graph | None = None  # the legacy graph holding everything; None when eager

    @property
    def var_list(self) -> list[tf.Variable]:
        return list(self.variables.values())

    def optimizer_variables(self) -> list:
        """``optimizer.variables()``, asked in the side's own graph (it filters by graph)."""
        context = self.graph.as_default() if self.graph is not None else contextlib.nullcontext()
        with context:
            return list(self.optimizer.variables())


def build_eager_side(
    label: str,
    module,
    spec,
    config_id: str,
    layout: str,
    dtype: tf.DType = tf.float32,
    learning_rate: Any = None,
    **overrides: Any,
) -> Side:
    """Eager variables (also capturable by ``tf.function``) and an optimizer from ``module``."""
    variables = {
        name: tf.Variable(value, name=name) for name, value in initial_values(layout, dtype).items()
    }
    global_step = tf.Variable(0, dtype=tf.int64, name="global_step", trainable=False)
    optimizer = spec.build(
        module, config_id, learning_rate=learning_rate, global_step=global_step, **overrides
    )
    return Side(label, optimizer, variables, global_step, learning_rate)


def build_eager_sides(
    spec,
    config_id: str,
    layout: str,
    dtype=tf.float32,
    lr_factory=None,
    overrides: Callable[[], dict] | None = None,
) -> tuple[Side, Side]:
    """(subject, oracle), each with fresh variables, hyperparameter objects and global step."""
    sides = []
    for label, module in MODULES:
        lr = lr_factory() if lr_factory is not None else None
        extra = overrides() if overrides is not None else {}
        sides.append(build_eager_side(label, module, spec, config_id, layout, dtype, lr, **extra))
    return sides[0], sides[1]


# ---------------------------------------------------------------------------- state


def state_fetches(side: Side) -> dict[str, Any]:
    """Every piece of state to compare: variables, slots, ``variables()``, the global step."""
    slots = {}
    for slot_name in side.optimizer.get_slot_names():
        for name, variable in side.variables.items():
            slot = side.optimizer.get_slot(variable, slot_name)
            assert slot is not None, f"{side.label}: no slot {slot_name!r} for {name}"
            slots[f"{slot_name} of {name}"] = slot
    return {
        "variables": dict(side.variables),
        "slots": slots,
        "optimizer_variables": side.optimizer_variables(),
        "global_step": side.global_step,
    }


def read_eager(fetches: dict[str, Any]) -> dict[str, Any]:
    def read(value):
        if isinstance(value, dict):
            return {k: read(v) for k, v in value.items()}
        if isinstance(value, list):
            return [read(v) for v in value]
        return value.numpy()

    return read(fetches)


def canonical_name(name: str) -> str:
    """``w/Adam_3:0`` -> ``w/Adam``: a name without the process-wide uniquifying counters."""
    parts = name.split(":")[0].split("/")
    return "/".join(re.sub(r"_\d+$", "", part) for part in parts)


def optimizer_variable_keys(side: Side) -> list[str]:
    """What each entry of ``variables()`` is: "slot m of w", or "non-slot <canonical name>"."""
    by_id = {}
    for slot_name in side.optimizer.get_slot_names():
        for name, variable in side.variables.items():
            slot = side.optimizer.get_slot(variable, slot_name)
            if slot is not None:
                by_id[id(slot)] = f"slot {slot_name} of {name}"
    return [
        by_id.get(id(v), "non-slot " + canonical_name(v.name)) for v in side.optimizer_variables()
    ]


def assert_same_structure(
    subject: Side, oracle: Side, expected_slots: tuple[str, ...], exact_names: bool
) -> None:
    """Same slot names (also as the table says), same ``variables()`` entries and names.

    ``exact_names``: in a fresh graph the names must be identical; in eager mode the
    variable-scope counters run process-wide (``w/Adam_2``), so only canonical names compare.
    """
    assert subject.optimizer.get_slot_names() == oracle.optimizer.get_slot_names()
    assert subject.optimizer.get_slot_names() == list(expected_slots)
    subject_names = [v.name for v in subject.optimizer_variables()]
    oracle_names = [v.name for v in oracle.optimizer_variables()]
    subject_keys = optimizer_variable_keys(subject)
    oracle_keys = optimizer_variable_keys(oracle)
    if exact_names:
        assert subject_names == oracle_names
        assert subject_keys == oracle_keys
    else:
        assert sorted(zip(subject_keys, map(canonical_name, subject_names))) == sorted(
            zip(oracle_keys, map(canonical_name, oracle_names))
        )
    for side in (subject, oracle):
        names = [v.name for v in side.optimizer_variables()]
        assert names == sorted(names), f"{side.label}: variables() not sorted by name"
        assert len(set(names)) == len(names), f"{side.label}: duplicate names {names}"
        for slot_name in side.optimizer.get_slot_names():
            for var_name, variable in side.variables.items():
                slot = side.optimizer.get_slot(variable, slot_name)
                assert re.fullmatch(rf"{var_name}/[A-Za-z]+(_\d+)?:0", slot.name), slot.name


def assert_same_values(
    subject: Side,
    oracle: Side,
    subject_values: dict[str, Any],
    oracle_values: dict[str, Any],
    where: str,
) -> None:
    """Bit-for-bit equality of variables, slots, ``variables()`` (matched by role), step."""
    for group in ("variables", "slots"):
        assert subject_values[group].keys() == oracle_values[group].keys(), group
        for key, value in subject_values[group].items():
            np.testing.assert_array_equal(
                value, oracle_values[group][key], err_msg=f"{where}: {group} {key}"
            )
            assert value.dtype == oracle_values[group][key].dtype, f"{where}: {group} {key}"
    subject_by_key = dict(
        zip(optimizer_variable_keys(subject), subject_values["optimizer_variables"])
    )
    oracle_by_key = dict(zip(optimizer_variable_keys(oracle), oracle_values["optimizer_variables"]))
    assert subject_by_key.keys() == oracle_by_key.keys(), where
    for key, value in subject_by_key.items():
        np.testing.assert_array_equal(
            value, oracle_by_key[key], err_msg=f"{where}: optimizer variable {key}"
        )
        assert np.asarray(value).dtype == np.asarray(oracle_by_key[key]).dtype, key
    assert subject_values["global_step"] == oracle_values["global_step"], where


def assert_trained(
    initial: dict[str, np.ndarray], first: dict[str, Any], last: dict[str, Any]
) -> None:
    """Guard against vacuous parity: the oracle's training changed its state.

    Some variable moved from its initial value, or some slot changed between the first and
    the last step (Adadelta's default epsilon, 1e-8, is 0 in float16, so there TF1 updates its
    accumulators but never moves the variables).
    """
    moved = any(not np.array_equal(v, initial[n]) for n, v in last["variables"].items())
    accumulated = any(not np.array_equal(v, first["slots"][k]) for k, v in last["slots"].items())
    assert moved or accumulated, "training changed neither variables nor slots"


def make_step(side: Side, how: str, layout: str, var_list_given: bool = True) -> Callable:
    """One training step of ``side``, fed either gradients (``apply``) or loss coefficients.

    ``apply``: ``apply_gradients(zip(grads, var_list), global_step)``.
    ``minimize_tensor``: ``minimize(<tensor loss>, global_step, var_list)`` (graphs only).
    ``compute_apply``: ``compute_gradients(<tensor loss>, var_list)`` + ``apply_gradients``.
    ``minimize_callable``: ``minimize(<zero-arg callable>, global_step, var_list or None)``.
    """
    optimizer, global_step = side.optimizer, side.global_step
    var_list = side.var_list if var_list_given else None

    def step(step_input):
        if how == "apply":
            optimizer.apply_gradients(zip(step_input, side.var_list), global_step=global_step)
        elif how == "minimize_tensor":
            loss = loss_value(layout, side.variables, step_input)
            optimizer.minimize(loss, global_step=global_step, var_list=var_list)
        elif how == "compute_apply":
            loss = loss_value(layout, side.variables, step_input)
            grads_and_vars = optimizer.compute_gradients(loss, var_list=var_list)
            optimizer.apply_gradients(grads_and_vars, global_step=global_step)
        elif how == "minimize_callable":
            optimizer.minimize(
                lambda: loss_value(layout, side.variables, step_input),
                global_step=global_step,
                var_list=var_list,
            )
        else:
            raise ValueError(how)

    return step


def step_inputs(how: str, layout: str, dtype: tf.DType = tf.float32) -> list:
    """Per-step inputs for ``make_step``: gradients for ``apply``, else loss coefficients."""
    arrays = step_arrays(layout, dtype)
    if how == "apply":
        return [gradients_for(layout, a) for a in arrays]
    return [{name: tf.constant(value) for name, value in a.items()} for a in arrays]


class EagerParity:
    """Step both eager sides with one callable per side; compare after each step."""

    def __init__(self, spec, config_id: str, subject: Side, oracle: Side, layout: str, dtype):
        self.expected_slots = spec.slots_for(config_id)
        self.subject = subject
        self.oracle = oracle
        self.initial = initial_values(layout, dtype)

    def check(self, step: int) -> dict[str, Any]:
        """Compare both sides now (after ``step``); returns the oracle's values."""
        subject_values = read_eager(state_fetches(self.subject))
        oracle_values = read_eager(state_fetches(self.oracle))
        assert_same_structure(self.subject, self.oracle, self.expected_slots, exact_names=False)
        assert_same_values(self.subject, self.oracle, subject_values, oracle_values, f"step {step}")
        assert subject_values["global_step"] == step + 1
        return oracle_values

    def run(self, step_fns: tuple[Callable, Callable], inputs: list, between=None) -> None:
        """``step_fns[i](inputs[step])`` for each side, compare, then ``between(step)``."""
        history = []
        for step, step_input in enumerate(inputs):
            for fn in step_fns:
                fn(step_input)
            history.append(self.check(step))
            if between is not None:
                between(step)
        assert_trained(self.initial, history[0], history[-1])


# ---------------------------------------------------------------------------- graph mode


@dataclasses.dataclass
class GraphSide:
    side: Side
    graph: tf.Graph
    session: Any
    train_op: Any
    feeds: dict[str, Any]  # variable name -> placeholder fed with that step's array
    fetches: dict[str, Any]


def build_graph_side(
    label: str,
    module,
    spec,
    config_id: str,
    layout: str,
    how: str,
    *,
    ref: bool,
    dtype: tf.DType = tf.float32,
    stack: contextlib.ExitStack,
) -> GraphSide:
    """A fresh ``tf.Graph`` with TF1-style variables and a train op; ``how`` is one of
    ``apply`` (placeholder gradients, ``apply_gradients``) or ``minimize`` (tensor loss over
    placeholder coefficients, ``minimize(loss)`` with ``var_list=None``: graph collections)."""
    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        variables = {
            name: v1.get_variable(name, initializer=tf.constant(value), use_resource=not ref)
            for name, value in initial_values(layout, dtype).items()
        }
        global_step = v1.get_variable(
            "global_step",
            shape=[],
            dtype=tf.int64,
            initializer=v1.zeros_initializer(),
            trainable=False,
            use_resource=not ref,
        )
        optimizer = spec.build(module, config_id, global_step=global_step)
        feeds = {
            v.name: v1.placeholder(dtype, v.gradient_shape, name=v.name + "_feed")
            for v in LAYOUTS[layout]
        }
        if how == "apply":
            grads = gradients_for(layout, feeds)
            train_op = optimizer.apply_gradients(
                zip(grads, variables.values()), global_step=global_step
            )
        elif how == "minimize":
            train_op = optimizer.minimize(
                loss_value(layout, variables, feeds), global_step=global_step
            )
        else:
            raise ValueError(how)
        side = Side(label, optimizer, variables, global_step, graph=graph)
        fetches = state_fetches(side)
        init = v1.global_variables_initializer()
    # Not entered as a context manager: that would make its graph the default graph.
    session = v1.Session(graph=graph)
    stack.callback(session.close)
    session.run(init)
    return GraphSide(side, graph, session, train_op, feeds, fetches)


def run_graph_parity(spec, config_id: str, layout: str, how: str, *, ref: bool) -> None:
    """Build subject and oracle in two fresh graphs, run 3 train steps, compare each step."""
    arrays = step_arrays(layout, tf.float32)
    with contextlib.ExitStack() as stack:
        subject, oracle = (
            build_graph_side(label, module, spec, config_id, layout, how, ref=ref, stack=stack)
            for label, module in MODULES
        )
        assert subject.train_op.name == oracle.train_op.name
        assert subject.train_op.type == oracle.train_op.type
        for graph_side in (subject, oracle):
            for variable in graph_side.side.var_list:
                assert (not hasattr(variable, "handle")) == ref, variable
        history = []
        for step, step_input in enumerate(arrays):
            values = []
            for graph_side in (subject, oracle):
                feed = {graph_side.feeds[name]: array for name, array in step_input.items()}
                graph_side.session.run(graph_side.train_op, feed)
                values.append(graph_side.session.run(graph_side.fetches))
            assert_same_structure(
                subject.side, oracle.side, spec.slots_for(config_id), exact_names=True
            )
            assert_same_values(subject.side, oracle.side, values[0], values[1], f"step {step}")
            assert values[0]["global_step"] == step + 1
            history.append(values[1])
        assert_trained(initial_values(layout, tf.float32), history[0], history[-1])


# ---------------------------------------------------------------------------- kernels


TRAINING_OP_PATTERN = re.compile(r"Apply|Scatter|Assign")


def op_type_counts(graph: tf.Graph) -> collections.Counter:
    """How many ops of each type ``graph`` holds."""
    return collections.Counter(op.type for op in graph.get_operations())


def training_op_counts(graph: tf.Graph) -> collections.Counter:
    """The ops in ``graph`` that write state, by type: TF1's ``(Resource)(Sparse)Apply*``
    kernels, the scatter ops of the composite paths (Adam sparse, GradientDescent sparse) and
    the assignments (Adam's beta powers, the global-step increment)."""
    counts = op_type_counts(graph)
    return collections.Counter({t: n for t, n in counts.items() if TRAINING_OP_PATTERN.search(t)})
