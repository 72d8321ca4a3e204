"""TF1's optimizer *engine* semantics, with ``tf.compat.v1.train`` as the oracle.

Not the numerics of each kernel (see the parity sweep) but everything around them: signatures
and hooks, ``compute_gradients`` (tape vs ``tf.gradients`` branches, gating, aggregation,
``grad_loss``, default ``var_list``), ``apply_gradients``/``minimize`` (return values, op and
slot names, ``TRAIN_OP``, the global step, ``None`` gradients, repeated variables, constraints),
slot bookkeeping, and legacy-graph collections and ``Saver`` keys. Each test runs the same calls
on ``tfv1compat.train`` and on ``tf.compat.v1.train`` in the same mode and compares the results
exactly; variable names are only compared in fresh ``tf.Graph``s, because in eager mode both
libraries share TF's global variable-scope counter (so the second library's slots get ``_2``).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import signatures
import tensorflow as tf
from optimizer_specs import SPECS, SPECS_BY_NAME, spec_config_id, spec_configs

from tfv1compat import train as ours

TF1 = tf.compat.v1.train
MODULES = (ours, TF1)
# The optimizer classes of the namespace (it also exports Checkpoint, schedules, ...).
CLASSES = [
    name
    for name in ours.__all__
    if inspect.isclass(getattr(ours, name)) and issubclass(getattr(ours, name), ours.Optimizer)
]
GraphKeys = tf.compat.v1.GraphKeys

# Every TF1 hook that subclasses override (reference section 1 and STYLE.md).
HOOKS = (
    "_create_slots",
    "_prepare",
    "_resource_apply_dense",
    "_resource_apply_sparse",
    "_resource_apply_sparse_duplicate_indices",
    "_apply_dense",
    "_apply_sparse",
    "_apply_sparse_duplicate_indices",
    "_finish",
    "_zeros_slot",
    "_get_or_make_slot",
    "_get_or_make_slot_with_initializer",
    "_create_non_slot_variable",
    "_get_non_slot_variable",
    "_call_if_callable",
    "_valid_dtypes",
    "_slot_dict",
    "_scale_loss",
)
AGGREGATION_METHODS = {
    "none": None,
    "ADD_N": tf.AggregationMethod.ADD_N,
    "EXPERIMENTAL_TREE": tf.AggregationMethod.EXPERIMENTAL_TREE,
    "EXPERIMENTAL_ACCUMULATE_N": tf.AggregationMethod.EXPERIMENTAL_ACCUMULATE_N,
}


# ---------------------------------------------------------------------------------- helpers


def both(scenario: Callable[[Any], Any]) -> tuple[Any, Any]:
    """Run ``scenario(module)`` for tfv1compat and for TF1; returns (ours, oracle)."""
    return scenario(ours), scenario(TF1)


def assert_same_arrays(actual: Any, expected: Any) -> None:
    """Exact equality of two (nested) structures of arrays/scalars, same structure."""
    tf.nest.assert_same_structure(actual, expected)
    for a, e in zip(tf.nest.flatten(actual), tf.nest.flatten(expected)):
        if e is None:
            assert a is None
        else:
            np.testing.assert_array_equal(np.asarray(a), np.asarray(e))


def graph_model() -> tuple[tf.Variable, tf.Variable, tf.Tensor]:
    """Two variables (created ``x`` then ``a_bias``) and a loss in which ``x`` is used five
    times, so that gradient aggregation and gating have something to do."""
    x = tf.compat.v1.get_variable("x", initializer=tf.constant([1.0, -2.0]))
    a_bias = tf.compat.v1.get_variable("a_bias", initializer=tf.constant([0.5, 0.25]))
    loss = (
        tf.reduce_sum(x * x)
        + tf.reduce_sum(tf.sin(x))
        + 3.0 * tf.reduce_sum(x)
        + tf.reduce_sum(a_bias * x)
    )
    return x, a_bias, loss


def run_in_session(graph: tf.Graph, fetches: Any, steps: int = 0, train_op=None) -> Any:
    """Initialize ``graph``'s global variables, run ``train_op`` ``steps`` times, fetch."""
    with tf.compat.v1.Session(graph=graph) as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        for _ in range(steps):
            sess.run(train_op)
        return sess.run(fetches)


def ancestors(op: tf.Operation) -> set[tf.Operation]:
    """Every op ``op`` depends on, through data inputs and control inputs."""
    seen: set[tf.Operation] = set()
    stack = [op]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(t.op for t in current.inputs)
        stack.extend(current.control_inputs)
    return seen


def slot_values(opt, variables: list) -> dict[str, np.ndarray | None]:
    """Every slot of ``variables`` (``"<index>/<slot name>"``) and every non-slot variable of
    ``opt`` (by name without ``:0``; eager non-slot names are never uniquified)."""
    values: dict[str, np.ndarray | None] = {}
    slot_refs = set()
    for i, var in enumerate(variables):
        for slot_name in opt.get_slot_names():
            slot = opt.get_slot(var, slot_name)
            values["%d/%s" % (i, slot_name)] = None if slot is None else slot.numpy()
            if slot is not None:
                slot_refs.add(slot.ref())
    for variable in opt.variables():
        if variable.ref() not in slot_refs:
            values[variable.name.split(":")[0]] = variable.numpy()
    return values


# ------------------------------------------------------------------- 1. names and signatures


@pytest.mark.parametrize("name", CLASSES)
def test_class_signature_matches_tf1(name: str) -> None:
    """Every exported class takes TF1's arguments with TF1's defaults, in TF1's order."""
    assert signatures.as_oracle_has_it(
        name, getattr(ours, name), getattr(TF1, name)
    ) == signatures.without_annotations(getattr(TF1, name))


@pytest.mark.parametrize("name", CLASSES)
def test_public_methods_and_hooks_match_tf1(name: str) -> None:
    """The public members and every subclassing hook exist with TF1's exact signatures
    (static methods stay static: ``_scale_loss`` shows no ``self``)."""
    ours_cls, tf1_cls = getattr(ours, name), getattr(TF1, name)
    public = sorted(m for m in dir(tf1_cls) if not m.startswith("_"))
    assert sorted(m for m in dir(ours_cls) if not m.startswith("_")) == public
    members = public + list(HOOKS)
    if name == "AdamOptimizer":
        members += ["_get_beta_accumulators", "_resource_scatter_add", "_apply_sparse_shared"]

    def describe(cls: type) -> dict[str, str]:
        described = {}
        for member in members:
            value = getattr(cls, member)
            described[member] = (
                str(signatures.without_annotations(value)) if callable(value) else repr(value)
            )
        return described

    assert describe(ours_cls) == describe(tf1_cls)


def test_gate_constants_match_tf1() -> None:
    """``GATE_NONE/GATE_OP/GATE_GRAPH`` are 0/1/2 on the base class and every optimizer."""
    for name in CLASSES:
        for constant in ("GATE_NONE", "GATE_OP", "GATE_GRAPH"):
            assert getattr(getattr(ours, name), constant) == getattr(getattr(TF1, name), constant)
    assert (ours.Optimizer.GATE_NONE, ours.Optimizer.GATE_OP, ours.Optimizer.GATE_GRAPH) == (
        0,
        1,
        2,
    )


@pytest.mark.parametrize("spec", SPECS, ids=spec_config_id)
def test_get_name_matches_tf1(spec) -> None:
    """``get_name()`` is the constructor's name, default or explicit."""
    step = tf.Variable(0, dtype=tf.int64)
    for kwargs in ({}, {"name": "custom"}):
        got, expected = both(
            lambda m, kwargs=kwargs: spec.build(m, "default", global_step=step, **kwargs)
        )
        assert got.get_name() == expected.get_name()
    assert spec.build(ours, "default", global_step=step, name="custom").get_name() == "custom"


# ------------------------------------------------------------------ 2. compute_gradients


def test_callable_loss_eager_matches_tf1() -> None:
    """Eager callable loss: same gradients, paired with the very variables passed in."""

    def scenario(module):
        a = tf.Variable([1.0, 2.0])
        b = tf.Variable(3.0)
        grads_and_vars = module.GradientDescentOptimizer(0.1).compute_gradients(
            lambda: tf.reduce_sum(a * a) * b, var_list=[a, b]
        )
        assert [v for _, v in grads_and_vars] == [a, b]
        return [g.numpy() for g, _ in grads_and_vars]

    got, expected = both(scenario)
    assert_same_arrays(got, expected)


def test_callable_loss_uses_tape_in_tf_function() -> None:
    """Inside ``tf.function`` a callable loss still goes through a GradientTape
    (``gradient_tape/...`` ops) and ignores gate/aggregation/colocation arguments."""

    def scenario(module):
        a = tf.Variable([1.0, 2.0])
        b = tf.Variable(3.0)
        names = []

        @tf.function
        def grads():
            grads_and_vars = module.GradientDescentOptimizer(0.1).compute_gradients(
                lambda: tf.reduce_sum(a * a) * b,
                var_list=[a, b],
                gate_gradients=7,
                aggregation_method=99,
                colocate_gradients_with_ops=True,
            )
            names.extend(g.name for g, _ in grads_and_vars)
            return [g for g, _ in grads_and_vars]

        return [g.numpy() for g in grads()], names

    (got, got_names), (expected, expected_names) = both(scenario)
    assert_same_arrays(got, expected)
    assert got_names == expected_names
    # a's two terms are summed by the tape's AddN; b's gradient is a tape op.
    assert got_names[1].startswith("gradient_tape/")


def test_callable_loss_uses_tape_in_legacy_graph() -> None:
    """In a v1 Graph a callable loss takes the tape path too: invalid gate/aggregation
    values are accepted, the gradient ops are ``gradient_tape/...`` with TF1's names, and the
    default ``var_list`` is the trainable variables read, in creation order."""

    def scenario(module):
        with tf.Graph().as_default() as graph:
            c = tf.compat.v1.get_variable("c", initializer=1.0)
            b = tf.compat.v1.get_variable("b", initializer=2.0)
            frozen = tf.compat.v1.get_variable("frozen", initializer=3.0, trainable=False)
            a = tf.compat.v1.get_variable("a", initializer=4.0)
            unread = tf.compat.v1.get_variable("unread", initializer=5.0)
            del unread
            grads_and_vars = module.GradientDescentOptimizer(0.1).compute_gradients(
                lambda: a * frozen * b * c, gate_gradients=7, aggregation_method=99
            )
            names = [(g.name, v.name) for g, v in grads_and_vars]
            values = run_in_session(graph, [g for g, _ in grads_and_vars])
        return names, values

    (got_names, got), (expected_names, expected) = both(scenario)
    assert got_names == expected_names
    assert [v for _, v in got_names] == ["c:0", "b:0", "a:0"]
    assert all(g.startswith("gradient_tape/") for g, _ in got_names)
    assert_same_arrays(got, expected)


@pytest.mark.parametrize("mode", ["eager", "tf_function"])
def test_default_var_list_is_trainable_variables_read_in_creation_order(mode: str) -> None:
    """``var_list=None`` with a callable loss: the trainable variables the loss read, in
    creation order (not access order); non-trainable and unread variables are excluded."""

    def scenario(module):
        c = tf.Variable(1.0, name="c")
        b = tf.Variable(2.0, name="b")
        frozen = tf.Variable(3.0, name="frozen", trainable=False)
        a = tf.Variable(4.0, name="a")
        tf.Variable(5.0, name="unread")
        opt = module.GradientDescentOptimizer(0.1)

        def compute():
            grads_and_vars = opt.compute_gradients(lambda: a * frozen * b * c)
            return [g for g, _ in grads_and_vars], [v for _, v in grads_and_vars]

        if mode == "eager":
            grads, variables = compute()
        else:
            captured = []

            @tf.function
            def fn():
                grads, variables = compute()
                captured.extend(variables)
                return grads

            grads = fn()
            variables = captured
        assert [v.ref() for v in variables] == [c.ref(), b.ref(), a.ref()]
        return [g.numpy() for g in grads]

    got, expected = both(scenario)
    assert_same_arrays(got, expected)


def test_explicit_non_trainable_variable_and_tensor_get_gradients() -> None:
    """Non-trainable variables (and Tensors) receive gradients when passed explicitly."""

    def scenario(module):
        frozen = tf.Variable(3.0, trainable=False)
        a = tf.Variable(4.0)
        grads_and_vars = module.GradientDescentOptimizer(0.1).compute_gradients(
            lambda: a * frozen, var_list=[frozen, a]
        )
        return [g.numpy() for g, _ in grads_and_vars]

    got, expected = both(scenario)
    assert_same_arrays(got, expected)


def test_grad_loss_honoured_on_callable_path_eager() -> None:
    """``grad_loss`` multiplies the gradients on the tape path (TF1's docstring says it is
    ignored; it is not), and gate/aggregation arguments are ignored there."""

    def scenario(module):
        x = tf.Variable([1.0, 2.0])
        grads_and_vars = module.GradientDescentOptimizer(0.1).compute_gradients(
            lambda: x * x,
            var_list=[x],
            grad_loss=tf.constant([3.0, -1.0]),
            gate_gradients=7,
            aggregation_method=99,
            colocate_gradients_with_ops=True,
        )
        return [g.numpy() for g, _ in grads_and_vars]

    got, expected = both(scenario)
    assert_same_arrays(got, expected)
    np.testing.assert_array_equal(got[0], [6.0, -4.0])


def test_grad_loss_honoured_on_tensor_path() -> None:
    """``grad_loss`` is passed as ``grad_ys`` to the graph gradients."""

    def scenario(module):
        with tf.Graph().as_default() as graph:
            x, a_bias, loss = graph_model()
            grads_and_vars = module.GradientDescentOptimizer(0.1).compute_gradients(
                loss, grad_loss=tf.constant(2.5)
            )
            return run_in_session(graph, [g for g, _ in grads_and_vars])

    got, expected = both(scenario)
    assert_same_arrays(got, expected)


def test_unused_variable_gets_none_gradient() -> None:
    """A variable the loss does not use gets ``None`` on both paths, not zeros."""

    def eager(module):
        x, unused = tf.Variable(1.0), tf.Variable(2.0)
        grads_and_vars = module.GradientDescentOptimizer(0.1).compute_gradients(
            lambda: x * x, var_list=[x, unused]
        )
        return [None if g is None else g.numpy() for g, _ in grads_and_vars]

    def graph(module):
        with tf.Graph().as_default():
            x, a_bias, loss = graph_model()
            unused = tf.compat.v1.get_variable("unused", initializer=1.0)
            grads_and_vars = module.GradientDescentOptimizer(0.1).compute_gradients(
                loss, var_list=[x, unused]
            )
            return [None if g is None else g.name for g, _ in grads_and_vars]

    got, expected = both(eager)
    assert_same_arrays(got, expected)
    assert got[1] is None
    got, expected = both(graph)
    assert got == expected
    assert got[1] is None


@pytest.mark.parametrize("gate", [0, 1, 2], ids=["GATE_NONE", "GATE_OP", "GATE_GRAPH"])
def test_tensor_loss_gating_in_legacy_graph(gate: int) -> None:
    """Tensor loss in a v1 Graph: every gate gives TF1's gradient ops (names, types) and
    values; ``GATE_GRAPH`` outputs are ``tuple/control_dependency`` Identity ops."""

    def scenario(module):
        with tf.Graph().as_default() as graph:
            x, a_bias, loss = graph_model()
            grads_and_vars = module.GradientDescentOptimizer(0.1).compute_gradients(
                loss, gate_gradients=gate
            )
            described = [(g.name, g.op.type, v.name) for g, v in grads_and_vars]
            nodes = [(n.name, n.op, list(n.input)) for n in graph.as_graph_def().node]
            return described, nodes, run_in_session(graph, [g for g, _ in grads_and_vars])

    (got_described, got_nodes, got), (expected_described, expected_nodes, expected) = both(scenario)
    assert got_described == expected_described
    assert got_nodes == expected_nodes
    assert_same_arrays(got, expected)
    assert [v for _, _, v in got_described] == ["x:0", "a_bias:0"]
    if gate == ours.Optimizer.GATE_GRAPH:
        for name, op_type, _ in got_described:
            assert op_type == "Identity"
            assert re.fullmatch(r"tuple/control_dependency(_\d+)?:0", name), name


@pytest.mark.parametrize("gate", [0, 1, 2], ids=["GATE_NONE", "GATE_OP", "GATE_GRAPH"])
def test_tensor_loss_gating_in_tf_function(gate: int) -> None:
    """Tensor loss inside ``tf.function``: same gradient tensors (names) and values."""

    def scenario(module):
        x = tf.Variable([1.0, -2.0])
        a_bias = tf.Variable([0.5, 0.25])
        names = []

        @tf.function
        def grads():
            loss = tf.reduce_sum(x * x) + tf.reduce_sum(tf.sin(x)) + tf.reduce_sum(a_bias * x)
            grads_and_vars = module.GradientDescentOptimizer(0.1).compute_gradients(
                loss, var_list=[x, a_bias], gate_gradients=gate
            )
            names.extend(g.name for g, _ in grads_and_vars)
            return [g for g, _ in grads_and_vars]

        return [g.numpy() for g in grads()], names

    (got, got_names), (expected, expected_names) = both(scenario)
    assert_same_arrays(got, expected)
    assert got_names == expected_names


@pytest.mark.parametrize("method", AGGREGATION_METHODS, ids=str)
def test_aggregation_methods_match_tf1(method: str) -> None:
    """Every ``tf.AggregationMethod`` builds TF1's gradient graph and gives TF1's values."""

    def scenario(module):
        with tf.Graph().as_default() as graph:
            x, a_bias, loss = graph_model()
            grads_and_vars = module.GradientDescentOptimizer(0.1).compute_gradients(
                loss, aggregation_method=AGGREGATION_METHODS[method]
            )
            nodes = [(n.name, n.op) for n in graph.as_graph_def().node]
            return nodes, run_in_session(graph, [g for g, _ in grads_and_vars])

    (got_nodes, got), (expected_nodes, expected) = both(scenario)
    assert got_nodes == expected_nodes
    assert_same_arrays(got, expected)


@pytest.mark.parametrize("colocate", [False, True])
def test_colocate_gradients_with_ops_accepted(colocate: bool) -> None:
    """Both values are accepted and give TF1's gradient values and op names (TF2 always
    colocates; the difference is device placement only, unobservable on one CPU)."""

    def scenario(module):
        with tf.Graph().as_default() as graph:
            x, a_bias, loss = graph_model()
            grads_and_vars = module.GradientDescentOptimizer(0.1).compute_gradients(
                loss, colocate_gradients_with_ops=colocate
            )
            names = [g.name for g, _ in grads_and_vars]
            return names, run_in_session(graph, [g for g, _ in grads_and_vars])

    (got_names, got), (expected_names, expected) = both(scenario)
    assert got_names == expected_names
    assert_same_arrays(got, expected)


def test_nested_var_list_is_flattened_on_tensor_path() -> None:
    """A nested ``var_list`` is flattened (``nest.flatten``) on the tensor path."""

    def scenario(module):
        with tf.Graph().as_default() as graph:
            x, a_bias, loss = graph_model()
            c = tf.compat.v1.get_variable("c", initializer=2.0)
            loss = loss * c
            grads_and_vars = module.GradientDescentOptimizer(0.1).compute_gradients(
                loss, var_list=[[a_bias], (c, [x])]
            )
            names = [v.name for _, v in grads_and_vars]
            return names, run_in_session(graph, [g for g, _ in grads_and_vars])

    (got_names, got), (expected_names, expected) = both(scenario)
    assert got_names == expected_names == ["a_bias:0", "c:0", "x:0"]
    assert_same_arrays(got, expected)


def test_tensor_loss_errors_match_tf1() -> None:
    """Where TF1 raises on the tensor path, we raise the same type: a tensor loss while
    executing eagerly, a bad gate, a bad aggregation method, no variables in tf.function."""
    x = tf.Variable([1.0, 2.0])
    for module in MODULES:
        with pytest.raises(RuntimeError, match="should be a function when eager execution"):
            module.GradientDescentOptimizer(0.1).compute_gradients(tf.reduce_sum(x))
    for module in MODULES:
        with tf.Graph().as_default():
            _, _, loss = graph_model()
            opt = module.GradientDescentOptimizer(0.1)
            with pytest.raises(ValueError, match=r"gate_gradients must be one of.*  Not 7"):
                opt.compute_gradients(loss, gate_gradients=7)
            with pytest.raises(ValueError, match=r"Invalid `aggregation_method` specified 7"):
                opt.compute_gradients(loss, aggregation_method=7)
            with pytest.raises(ValueError, match="No variables to optimize"):
                opt.compute_gradients(loss, var_list=[])
    for module in MODULES:

        @tf.function
        def no_var_list(module=module):
            return module.GradientDescentOptimizer(0.1).compute_gradients(tf.reduce_sum(x * x))

        with pytest.raises(ValueError, match="No variables to optimize"):
            no_var_list()


# ------------------------------------------------------------ 3. apply_gradients / minimize


@pytest.mark.parametrize("with_global_step", [False, True])
def test_eager_apply_and_minimize_return_none(with_global_step: bool) -> None:
    """Eagerly, ``apply_gradients`` and ``minimize`` return ``None``, step or no step."""

    def scenario(module):
        x = tf.Variable([1.0, 2.0])
        step = tf.Variable(0, dtype=tf.int64) if with_global_step else None
        opt = module.AdamOptimizer(0.1)
        applied = opt.apply_gradients([(tf.constant([1.0, 1.0]), x)], global_step=step)
        minimized = opt.minimize(lambda: tf.reduce_sum(x * x), global_step=step, var_list=[x])
        return applied, minimized, x.numpy(), None if step is None else step.numpy()

    (got_apply, got_min, *got), (expected_apply, expected_min, *expected) = both(scenario)
    assert got_apply is None and got_min is None
    assert expected_apply is None and expected_min is None
    assert_same_arrays(got, expected)


def test_tf_function_apply_returns_operation() -> None:
    """Inside ``tf.function`` both calls return an ``Operation`` named after the scope."""

    def scenario(module):
        x = tf.Variable([1.0, 2.0])
        step = tf.Variable(0, dtype=tf.int64)
        returned = []

        @tf.function
        def train():
            opt = module.GradientDescentOptimizer(0.1)
            returned.append(opt.apply_gradients([(tf.constant([1.0, 1.0]), x)]))
            returned.append(opt.minimize(lambda: tf.reduce_sum(x * x), var_list=[x]))
            returned.append(opt.minimize(lambda: tf.reduce_sum(x), var_list=[x], global_step=step))

        train()
        return [(type(op), op.name, op.type) for op in returned], x.numpy(), step.numpy()

    (got_ops, *got), (expected_ops, *expected) = both(scenario)
    assert got_ops == expected_ops
    assert all(issubclass(t, tf.Operation) for t, _, _ in got_ops)
    assert_same_arrays(got, expected)


def test_graph_op_names_and_train_op_collection_match_tf1() -> None:
    """In a fresh Graph the returned ops are named ``GradientDescent``, ``GradientDescent_1``,
    ``my_train``...; with a global step the returned op is the ``AssignAddVariableOp`` named
    after the scope; ``TRAIN_OP`` holds TF1's ops in TF1's order."""

    def scenario(module):
        with tf.Graph().as_default() as graph:
            x, a_bias, loss = graph_model()
            step = tf.compat.v1.train.get_or_create_global_step()
            opt = module.GradientDescentOptimizer(0.1)
            ops = [
                opt.minimize(loss),
                opt.minimize(loss, global_step=step),
                opt.minimize(loss, name="my_train"),
                opt.apply_gradients(opt.compute_gradients(loss), name="my_train"),
                opt.apply_gradients(opt.compute_gradients(loss), global_step=step, name="my_train"),
            ]
            described = [(type(op), op.name, op.type) for op in ops]
            train_ops = [op.name for op in graph.get_collection(GraphKeys.TRAIN_OP)]
            assert graph.get_operation_by_name("GradientDescent_1/update").type == "NoOp"
            return described, train_ops

    got, expected = both(scenario)
    assert got == expected
    described, train_ops = got
    assert [name for _, name, _ in described] == [
        "GradientDescent",
        "GradientDescent_1",
        "my_train",
        "my_train_1",
        "my_train_2",
    ]
    assert all(issubclass(t, tf.Operation) for t, _, _ in described)
    assert described[1][2] == "AssignAddVariableOp" and described[0][2] == "NoOp"
    assert train_ops == [name for _, name, _ in described]


@pytest.mark.parametrize(("spec", "config"), spec_configs(), ids=spec_config_id)
def test_graph_built_by_minimize_equals_tf1(spec, config: str) -> None:
    """For every optimizer configuration, ``minimize(loss, global_step)`` in a fresh Graph
    (dense, sparse-with-duplicates and constrained variables) builds TF1's graph node for node:
    same names, op types and inputs, so update name scopes
    (``GradientDescent/update_x/ResourceApplyGradientDescent``), slot and hyperparameter names,
    the constraint's placement after the update and the global-step wiring all match."""

    def scenario(module):
        with tf.Graph().as_default() as graph:
            x, a_bias, loss = graph_model()
            table = tf.compat.v1.get_variable("table", initializer=tf.ones([4, 2]))
            clipped = tf.compat.v1.get_variable(
                "clipped",
                initializer=tf.constant([0.9, -0.9]),
                constraint=lambda v: tf.clip_by_value(v, -1.0, 1.0),
            )
            loss += tf.reduce_sum(tf.gather(table, [0, 2, 0])) + tf.reduce_sum(clipped * x)
            step = tf.compat.v1.train.get_or_create_global_step()
            spec.build(module, config, global_step=step).minimize(loss, global_step=step)
            return [(n.name, n.op, list(n.input)) for n in graph.as_graph_def().node]

    got, expected = both(scenario)
    assert got == expected
    scope = spec.build(ours, config, global_step=tf.constant(0, tf.int64)).get_name()
    # own_namescope's constructor takes the "Adam" scope first, so the apply scope is Adam_1.
    assert any(re.match(r"%s(_\d+)?/update_x/" % scope, name) for name, _, _ in got)


def test_global_step_incremented_once_per_apply_in_all_modes() -> None:
    """The step grows by exactly one per apply: eager, ``tf.function`` and Session runs."""

    def scenario(module):
        x = tf.Variable([1.0, 2.0])
        step = tf.Variable(0, dtype=tf.int64)
        opt = module.MomentumOptimizer(0.1, 0.9)
        counts = []
        for _ in range(3):
            opt.minimize(lambda: tf.reduce_sum(x * x), var_list=[x], global_step=step)
            counts.append(int(step.numpy()))

        @tf.function
        def train():
            opt.minimize(lambda: tf.reduce_sum(x * x), var_list=[x], global_step=step)

        for _ in range(2):
            train()
            counts.append(int(step.numpy()))
        with tf.Graph().as_default() as graph:
            x_graph, _, loss = graph_model()
            graph_step = tf.compat.v1.train.get_or_create_global_step()
            train_op = module.MomentumOptimizer(0.1, 0.9).minimize(loss, global_step=graph_step)
            counts.append(int(run_in_session(graph, graph_step, steps=3, train_op=train_op)))
        return counts, x.numpy()

    (got_counts, got_x), (expected_counts, expected_x) = both(scenario)
    assert got_counts == expected_counts == [1, 2, 3, 4, 5, 3]
    np.testing.assert_array_equal(got_x, expected_x)


def test_global_step_incremented_after_finish_eager() -> None:
    """Eagerly, ``_finish`` (Adam's beta-power update) runs before the step increment: a
    subclass's ``_finish`` sees the old step and the already-advanced beta powers."""

    def scenario(module):
        seen = []

        class Recording(module.AdamOptimizer):
            def _finish(self, update_ops, name_scope):
                result = super()._finish(update_ops, name_scope)
                beta1_power, _ = self._get_beta_accumulators()
                seen.append((int(step.numpy()), float(beta1_power.numpy()), name_scope))
                return result

        x = tf.Variable([1.0, 2.0])
        step = tf.Variable(0, dtype=tf.int64)
        opt = Recording(0.1)
        for _ in range(3):
            opt.minimize(lambda: tf.reduce_sum(x * x), var_list=[x], global_step=step)
        return seen, int(step.numpy())

    got, expected = both(scenario)
    assert got == expected
    assert [s for s, _, _ in got[0]] == [0, 1, 2] and got[1] == 3


def test_global_step_increment_depends_on_finish_in_graph() -> None:
    """In a Graph the increment op depends (through ``<scope>/update``) on every kernel and on
    Adam's beta-power assignments, as in TF1; values after 3 Session steps equal TF1's."""

    def scenario(module):
        with tf.Graph().as_default() as graph:
            x, a_bias, loss = graph_model()
            step = tf.compat.v1.train.get_or_create_global_step()
            opt = module.AdamOptimizer(0.1)
            train_op = opt.minimize(loss, global_step=step)
            before = ancestors(train_op)
            beta_assigns = [
                op
                for op in graph.get_operations()
                if op.type == "AssignVariableOp"
                and op.name.startswith("Adam/")
                and "_power" in op.inputs[0].op.name
            ]
            kernels = [op for op in graph.get_operations() if op.type == "ResourceApplyAdam"]
            assert len(beta_assigns) == 2 and len(kernels) == 2
            assert set(beta_assigns + kernels) <= before
            assert graph.get_operation_by_name("Adam/update") in before
            fetches = [step, x, a_bias] + opt.variables()
            return run_in_session(graph, fetches, steps=3, train_op=train_op)

    got, expected = both(scenario)
    assert_same_arrays(got, expected)
    assert got[0] == 3


@pytest.mark.parametrize("mode", ["eager", "graph"])
def test_float_global_step(mode: str) -> None:
    """A float global step is incremented by 1.0."""

    def scenario(module):
        if mode == "eager":
            x = tf.Variable([1.0, 2.0])
            step = tf.Variable(0.0)
            for _ in range(2):
                module.GradientDescentOptimizer(0.1).minimize(
                    lambda: tf.reduce_sum(x * x), var_list=[x], global_step=step
                )
            return step.numpy(), x.numpy()
        with tf.Graph().as_default() as graph:
            x, _, loss = graph_model()
            step = tf.compat.v1.get_variable("step", initializer=0.0, trainable=False)
            train_op = module.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
            return run_in_session(graph, [step, x], steps=2, train_op=train_op)

    got, expected = both(scenario)
    assert_same_arrays(got, expected)
    assert got[0] == 2.0


def test_none_gradients_are_skipped() -> None:
    """A ``None`` gradient leaves its variable untouched and creates no slots for it."""

    def scenario(module):
        x = tf.Variable([1.0, 2.0])
        skipped = tf.Variable([3.0, 4.0])
        opt = module.AdamOptimizer(0.1)
        for _ in range(2):
            opt.apply_gradients([(tf.constant([0.5, -0.5]), x), (None, skipped)])
        assert opt.get_slot(skipped, "m") is None and opt.get_slot(skipped, "v") is None
        assert len(opt.variables()) == 4  # beta powers + x's two slots
        return x.numpy(), skipped.numpy(), slot_values(opt, [x, skipped])

    got, expected = both(scenario)
    assert_same_arrays(got, expected)
    np.testing.assert_array_equal(got[1], [3.0, 4.0])


def test_minimize_skips_variables_without_gradient() -> None:
    """``minimize`` over used and unused variables updates only the used one."""

    def scenario(module):
        x = tf.Variable([1.0, 2.0])
        unused = tf.Variable([3.0])
        opt = module.RMSPropOptimizer(0.01)
        opt.minimize(lambda: tf.reduce_sum(x * x), var_list=[x, unused])
        assert opt.get_slot(unused, "rms") is None
        return x.numpy(), unused.numpy(), slot_values(opt, [x, unused])

    got, expected = both(scenario)
    assert_same_arrays(got, expected)


@pytest.mark.parametrize("optimizer", ["GradientDescentOptimizer", "MomentumOptimizer"])
def test_same_variable_twice_is_updated_twice(optimizer: str) -> None:
    """A variable listed twice in ``grads_and_vars`` receives both updates, one after the
    other (GradientDescent lr=1, grads 1 and 2: 0 -> -3)."""
    spec = SPECS_BY_NAME[optimizer]

    def scenario(module):
        x = tf.Variable([0.0, 0.0])
        opt = spec.build(module, "default", learning_rate=1.0)
        opt.apply_gradients([(tf.constant([1.0, 1.0]), x), (tf.constant([2.0, 2.0]), x)])
        return x.numpy(), slot_values(opt, [x])

    got, expected = both(scenario)
    assert_same_arrays(got, expected)
    if optimizer == "GradientDescentOptimizer":
        np.testing.assert_array_equal(got[0], [-3.0, -3.0])


def test_get_slot_returns_none_for_unknown_names_and_variables() -> None:
    """``get_slot`` answers ``None`` (no error) for unknown slot names and variables."""
    for module in MODULES:
        x, other = tf.Variable([1.0]), tf.Variable([2.0])
        opt = module.AdamOptimizer(0.1)
        assert opt.get_slot(x, "m") is None
        opt.apply_gradients([(tf.constant([1.0]), x)])
        assert opt.get_slot(x, "m") is not None
        assert opt.get_slot(x, "nope") is None
        assert opt.get_slot(other, "m") is None


@pytest.mark.parametrize(("spec", "config"), spec_configs(), ids=spec_config_id)
def test_slot_names_and_variables_match_tf1_in_graph(spec, config: str) -> None:
    """``get_slot_names()`` (sorted) and ``variables()`` (sorted by name) equal TF1's in a
    fresh Graph: Adam's beta powers (``Adam/beta1_power`` with its own namescope), Ftrl's
    ``accum_name``/``linear_name`` suffixes, RMSProp's centered slots; slots are in
    ``GLOBAL_VARIABLES`` but not trainable."""

    def scenario(module):
        with tf.Graph().as_default() as graph:
            x, a_bias, loss = graph_model()
            step = tf.compat.v1.train.get_or_create_global_step()
            opt = spec.build(module, config, global_step=step)
            before = opt.get_slot_names()
            opt.minimize(loss)
            names = [v.name for v in opt.variables()]
            global_names = [v.name for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES)]
            trainable = [v.name for v in graph.get_collection(GraphKeys.TRAINABLE_VARIABLES)]
            return before, opt.get_slot_names(), names, global_names, trainable

    got, expected = both(scenario)
    assert got == expected
    before, slot_names, names, global_names, trainable = got
    assert before == []
    assert slot_names == list(spec.slots_for(config))
    assert names == sorted(names)
    assert set(names) <= set(global_names)
    assert trainable == ["x:0", "a_bias:0"]
    if config == "own_namescope":
        assert "Adam/beta1_power:0" in names
    if config == "names":
        assert {"x/acc:0", "x/lin:0"} <= set(names)


def test_two_optimizers_in_one_graph_continue_the_counter() -> None:
    """A second Adam in the same Graph gets ``x/Adam_2``, ``x/Adam_3`` and
    ``beta1_power_1``; both ``variables()`` lists equal TF1's."""

    def scenario(module):
        with tf.Graph().as_default():
            x, a_bias, loss = graph_model()
            first, second = module.AdamOptimizer(0.1), module.AdamOptimizer(0.2)
            first.minimize(loss)
            second.minimize(loss)
            return [v.name for v in first.variables()], [v.name for v in second.variables()]

    got, expected = both(scenario)
    assert got == expected
    assert {"x/Adam_2:0", "x/Adam_3:0", "beta1_power_1:0"} <= set(got[1])


@pytest.mark.parametrize("spec", SPECS, ids=spec_config_id)
def test_eager_slot_names_and_sorted_variables(spec) -> None:
    """Eagerly, ``get_slot_names()`` equals TF1's and ``variables()`` is sorted by name and
    holds the same number of variables as TF1's (names differ only by the shared counter)."""

    def scenario(module):
        x = tf.Variable([1.0, 2.0], name="x")
        a_bias = tf.Variable([0.5], name="a_bias")
        step = tf.Variable(0, dtype=tf.int64)
        opt = spec.build(module, "default", global_step=step)
        opt.minimize(lambda: tf.reduce_sum(x * x) + tf.reduce_sum(a_bias), var_list=[x, a_bias])
        names = [v.name for v in opt.variables()]
        assert names == sorted(names)
        return opt.get_slot_names(), len(names)

    got, expected = both(scenario)
    assert got == expected


@pytest.mark.parametrize("spec", SPECS, ids=spec_config_id)
def test_global_initializer_and_saver_keys_match_tf1(spec, tmp_path) -> None:
    """In a Graph, ``global_variables_initializer()`` covers every slot (nothing is left
    uninitialized, the train op runs) and a ``tf.compat.v1.train.Saver`` writes TF1's keys
    (``x/Adam``, ``x/Adam_1``, ``beta1_power``) with TF1's values after 2 steps."""

    def scenario(module):
        directory = tmp_path / module.__name__.replace(".", "_")
        with tf.Graph().as_default() as graph:
            x, a_bias, loss = graph_model()
            step = tf.compat.v1.train.get_or_create_global_step()
            opt = spec.build(module, "default", global_step=step)
            train_op = opt.minimize(loss, global_step=step)
            saver = tf.compat.v1.train.Saver()
            with tf.compat.v1.Session(graph=graph) as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                assert list(sess.run(tf.compat.v1.report_uninitialized_variables())) == []
                for _ in range(2):
                    sess.run(train_op)
                path = saver.save(sess, str(directory / "ckpt"))
        reader = tf.train.load_checkpoint(path)
        keys = sorted(name for name, _ in tf.train.list_variables(path))
        return keys, [reader.get_tensor(key) for key in keys]

    (got_keys, got), (expected_keys, expected) = both(scenario)
    assert got_keys == expected_keys
    assert_same_arrays(got, expected)


def test_minimize_in_tf_function_creates_slots_once_outside() -> None:
    """Slots are created under ``tf.init_scope``: a ``minimize`` inside ``tf.function``
    makes eager slot variables on the first call only; later calls reuse them; values after
    3 calls equal TF1's."""

    def scenario(module):
        x = tf.Variable([1.0, 2.0])
        opt = module.AdamOptimizer(0.1)

        @tf.function
        def train():
            opt.minimize(lambda: tf.reduce_sum(x * x), var_list=[x])

        train()
        first = opt.variables()
        assert len(first) == 4
        for variable in first:
            assert not tf.is_symbolic_tensor(variable.handle)
        train()
        train()
        assert [v.ref() for v in opt.variables()] == [v.ref() for v in first]
        return x.numpy(), slot_values(opt, [x])

    got, expected = both(scenario)
    assert_same_arrays(got, expected)


@pytest.mark.parametrize("optimizer", ["GradientDescentOptimizer", "AdamOptimizer"])
@pytest.mark.parametrize("mode", ["eager", "graph"])
def test_constraint_applied_after_dense_update(optimizer: str, mode: str) -> None:
    """A variable's constraint runs after its dense update (values equal TF1's)."""
    spec = SPECS_BY_NAME[optimizer]

    def constraint(v):
        return tf.clip_by_value(v, -1.0, 1.0)

    def scenario(module):
        if mode == "eager":
            x = tf.Variable([0.9, -0.95, 0.1], constraint=constraint)
            opt = spec.build(module, "default", learning_rate=0.5)
            for _ in range(3):
                opt.minimize(lambda: tf.reduce_sum(x * tf.constant([-1.0, 2.0, 0.5])), var_list=[x])
            return x.numpy(), slot_values(opt, [x])
        with tf.Graph().as_default() as graph:
            x = tf.compat.v1.get_variable(
                "x", initializer=tf.constant([0.9, -0.95, 0.1]), constraint=constraint
            )
            opt = spec.build(module, "default", learning_rate=0.5)
            train_op = opt.minimize(tf.reduce_sum(x * tf.constant([-1.0, 2.0, 0.5])))
            return run_in_session(graph, [x] + opt.variables(), steps=3, train_op=train_op)

    got, expected = both(scenario)
    assert_same_arrays(got, expected)
    first = got[0]
    assert np.max(np.abs(first)) <= 1.0


def test_sparse_gradient_on_constrained_variable_raises_like_tf1() -> None:
    """An ``IndexedSlices`` gradient for a constrained variable is a ``RuntimeError``."""
    for module in MODULES:
        x = tf.Variable(tf.ones([3, 2]), constraint=lambda v: v)
        grad = tf.IndexedSlices(tf.ones([1, 2]), tf.constant([0]), tf.constant([3, 2]))
        with pytest.raises(RuntimeError, match="Cannot use a constraint function on a sparse"):
            module.GradientDescentOptimizer(0.1).apply_gradients([(grad, x)])


def test_apply_gradients_empty_and_all_none_raise_like_tf1() -> None:
    """No pairs, or no gradient at all, are ``ValueError``s with TF1's key phrases."""
    x = tf.Variable([1.0])
    for module in MODULES:
        opt = module.GradientDescentOptimizer(0.1)
        with pytest.raises(ValueError, match="No variables provided"):
            opt.apply_gradients([])
        with pytest.raises(ValueError, match="No gradients provided for any variable"):
            opt.apply_gradients([(None, x)])
        with pytest.raises(ValueError, match=r"No gradients provided for any variable, check"):
            opt.minimize(lambda: tf.constant(1.0), var_list=[x])
