"""Every documented bad input: TF1's exception type, a message that explains, nothing touched.

Each case builds the same bad call against ``tf.compat.v1.train`` (the oracle) and against
``tfv1compat.train``, in every mode where the input can occur (eager, inside ``tf.function``,
legacy ``tf.Graph`` + ``Session``), and checks that

* (a) the oracle raises (its type ``T`` is read from the run, never written down here, except
  where TF1 aborts the whole process, which no test can run),
* (b) ours raises an instance of ``T`` whose message matches a regex naming the problem and
  what is allowed,
* (c) ours changed nothing: no variable, slot, non-slot variable or global step moved, and a
  variable that received a *good* gradient in the same failing call got no slots.

Where TF1 itself half-updates (it updates ``v1`` before failing on ``v2``) the oracle's state
is not compared: only its exception type is.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import tensorflow as tf
from optimizer_specs import SPECS, SPECS_BY_NAME

from tfv1compat import train as ours

TF1 = tf.compat.v1.train

EAGER, FUNCTION, GRAPH = "eager", "function", "graph"
ALL_MODES = (EAGER, FUNCTION, GRAPH)
GRAPH_MODES = (FUNCTION, GRAPH)


# --------------------------------------------------------------------------- harness


@dataclasses.dataclass
class Scenario:
    """One bad call, with its variables built in the current mode."""

    optimizer: Any
    # the bad call; returns an op in graph mode
    call: Callable[[], Any]
    # variables whose values must not change (slots and non-slot variables are added)
    watched: dict[str, Any]
    # variables given a good gradient in the failing call: they must get no slots
    fresh: tuple = ()
    # a good step run before the bad call, so slots and non-slot variables exist
    warmup: Callable[[], Any] | None = None


@dataclasses.dataclass
class Outcome:
    error: BaseException | None
    before: dict[str, np.ndarray]
    after: dict[str, np.ndarray]
    fresh_slots: list


def _state(scenario: Scenario) -> dict[str, Any]:
    """Every variable the bad call could touch, keyed by a readable unique name."""
    state = {name: v for name, v in scenario.watched.items() if isinstance(v, tf.Variable)}
    for i, v in enumerate(scenario.optimizer.variables()):
        state["optimizer[%d]:%s" % (i, v.name)] = v
    return state


def _fresh_slots(scenario: Scenario) -> list:
    opt = scenario.optimizer
    return [
        (v.name, name)
        for v in scenario.fresh
        for name in opt.get_slot_names()
        if opt.get_slot(v, name) is not None
    ]


def run_scenario(make: Callable[[Any, str], Scenario], module, mode: str) -> Outcome:
    """Build ``make``'s scenario with ``module`` in ``mode``, run the bad call, record state."""
    if mode == GRAPH:
        with tf.Graph().as_default():
            scenario = make(module, mode)
            warm_op = scenario.warmup() if scenario.warmup else None
            error, bad_op = None, None
            try:
                bad_op = scenario.call()
            except Exception as e:  # the error is the result under test
                error = e
            state = _state(scenario)
            with tf.compat.v1.Session() as sess:
                try:
                    sess.run(tf.compat.v1.global_variables_initializer())
                    if warm_op is not None:
                        sess.run(warm_op)
                except tf.errors.OpError as e:
                    # TF1 places every node of the graph at the first run: a node without a
                    # kernel (an integer update) fails already there.
                    if module is not TF1 or error is not None:
                        raise
                    return Outcome(e, {}, {}, [])
                before = sess.run(state)
                if error is None and bad_op is not None:
                    try:
                        sess.run(bad_op)
                    except Exception as e:
                        error = e
                after = sess.run(state)
            return Outcome(error, before, after, _fresh_slots(scenario))

    scenario = make(module, mode)
    if scenario.warmup:
        scenario.warmup()
    state = _state(scenario)
    before = {name: v.numpy() for name, v in state.items()}
    if mode == EAGER:
        bad = scenario.call
    else:

        @tf.function
        def bad():
            scenario.call()

    error = None
    try:
        bad()
    except Exception as e:
        error = e
    after = {name: v.numpy() for name, v in state.items()}
    return Outcome(error, before, after, _fresh_slots(scenario))


def assert_nothing_changed(outcome: Outcome) -> None:
    """(c): every variable, slot and step has its value from before the failing call."""
    for name, value in outcome.before.items():
        np.testing.assert_array_equal(outcome.after[name], value, err_msg=name)
    assert outcome.fresh_slots == [], "slots were created for %s" % (outcome.fresh_slots,)


@dataclasses.dataclass(frozen=True)
class Case:
    """A bad input, the modes it can occur in, and the regex ours' message must match."""

    id: str
    make: Callable[[Any, str], Scenario]
    pattern: str
    modes: tuple[str, ...] = ALL_MODES
    # ours may raise a subclass of TF1's type (only for the shape check, whose TF1 type
    # depends on the kernel; see test_shape_mismatch_error_is_both_types)
    subclass_ok: bool = False


# --------------------------------------------------------------------------- builders


def _step():
    return tf.Variable(0, dtype=tf.int64, trainable=False, name="step")


def _grad(value, dtype=tf.float32):
    return tf.constant(value, dtype=dtype)


def mixed(
    bad_grad: Callable[[], Any],
    bad_var: Callable[[], Any] | None = None,
    optimizer: str = "MomentumOptimizer",
    bad_var_in_call: bool = False,
):
    """``[(g, warm), (g, good), (bad_grad, bad)]``: nothing, not even ``warm``/``good``, moves.

    ``warm`` took one good step first (so its slots, Adam's beta powers and the step exist);
    ``good`` is fresh, so a slot created for it before the failure would show.
    ``bad_var_in_call`` builds ``bad`` inside the call (a Tensor must live in the function's
    graph, as it would in real code).
    """

    def make(module, mode):
        del mode
        spec = SPECS_BY_NAME[optimizer]
        step = _step()
        opt = spec.build(module, "default", global_step=step)
        warm = tf.Variable([1.0, 2.0], name="warm")
        good = tf.Variable([3.0, 4.0], name="good")
        bad = None if bad_var_in_call else (bad_var or _bad_variable)()
        watched = {"warm": warm, "good": good, "bad": bad, "step": step}

        def warmup():
            return opt.apply_gradients([(_grad([0.5, 0.25]), warm)], global_step=step)

        def call():
            return opt.apply_gradients(
                [
                    (_grad([1.0, 1.0]), warm),
                    (_grad([1.0, 1.0]), good),
                    (bad_grad(), bad_var() if bad_var_in_call else bad),
                ],
                global_step=step,
            )

        return Scenario(opt, call, watched, fresh=(good,), warmup=warmup)

    return make


def _bad_variable() -> tf.Variable:
    return tf.Variable([5.0, 6.0], name="bad")


def single(
    call: Callable[[Any, tf.Variable, tf.Variable], Any],
    optimizer: Callable[[Any, tf.Variable], Any] = lambda m, step: m.GradientDescentOptimizer(0.1),
    var: Callable[[], tf.Variable] = lambda: tf.Variable([1.0, 2.0], name="v"),
):
    """One variable ``v`` and a step; ``call(opt, v, step)`` is the bad call."""

    def make(module, mode):
        del mode
        step = _step()
        opt = optimizer(module, step)
        v = var()
        return Scenario(opt, lambda: call(opt, v, step), {"v": v, "step": step})

    return make


def loss_tensor(v):
    return tf.reduce_sum(v * v)


def loss_callable(v):
    return lambda: tf.reduce_sum(v * v)


def _sparse(values, indices):
    return tf.IndexedSlices(tf.constant(values), tf.constant(indices))


def _cross_replica(module, mode):
    del mode
    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    step = _step()
    opt = module.GradientDescentOptimizer(0.1)
    v = tf.Variable([1.0, 2.0], name="v")

    def call():
        with strategy.scope():
            return opt.apply_gradients([(_grad([1.0, 1.0]), v)], global_step=step)

    return Scenario(opt, call, {"v": v, "step": step})


def _var_list_none_in_function(module, mode):
    del mode
    step = _step()
    opt = module.GradientDescentOptimizer(0.1)
    v = tf.Variable([1.0, 2.0], name="v")
    return Scenario(opt, lambda: opt.minimize(loss_tensor(v), global_step=step), {"v": v})


def _callable_hyperparameter(name: str):
    def optimizer(module, step):
        cls = getattr(module, name)
        if name == "AdagradDAOptimizer":
            return cls(lambda: 0.1, step)
        return cls(lambda: 0.1)

    return single(
        lambda opt, v, step: opt.apply_gradients([(_grad([1.0, 1.0]), v)], global_step=step),
        optimizer=optimizer,
    )


def _adagrad_da_int32_step(module, mode):
    del mode
    step = tf.Variable(0, dtype=tf.int32, trainable=False, name="step32")
    opt = module.AdagradDAOptimizer(0.1, step)
    v = tf.Variable([1.0, 2.0], name="v")
    return Scenario(
        opt,
        lambda: opt.apply_gradients([(_grad([1.0, 1.0]), v)], global_step=step),
        {"v": v, "step": step},
    )


# --------------------------------------------------------------------------- the table

_DTYPE_LIST = r"expected: \[tf\.\w+(, tf\.\w+)*\]"

CASES: list[Case] = [
    # ---- compute_gradients / minimize
    Case(
        "tensor-loss-eager",
        single(lambda opt, v, step: opt.minimize(loss_tensor(v), global_step=step)),
        r"`loss` passed to Optimizer\.compute_gradients should be a function when eager "
        r"execution is enabled.*zero-argument callable",
        modes=(EAGER,),
    ),
    Case(
        "bad-gate-gradients",
        single(
            lambda opt, v, step: opt.minimize(
                loss_tensor(v), global_step=step, var_list=[v], gate_gradients=7
            )
        ),
        r"gate_gradients must be one of: Optimizer\.GATE_NONE, Optimizer\.GATE_OP, "
        r"Optimizer\.GATE_GRAPH\.  Not 7",
        modes=GRAPH_MODES,
    ),
    Case(
        "bad-aggregation-method",
        single(
            lambda opt, v, step: opt.minimize(
                loss_tensor(v), global_step=step, var_list=[v], aggregation_method=7
            )
        ),
        r"Invalid `aggregation_method` specified 7\. Accepted values are \[0, 1, 2\]",
        modes=GRAPH_MODES,
    ),
    Case(
        "int-loss",
        single(
            lambda opt, v, step: opt.minimize(
                tf.cast(loss_tensor(v), tf.int32), global_step=step, var_list=[v]
            )
        ),
        r"Invalid type tf\.int32 for \S+, " + _DTYPE_LIST,
        modes=GRAPH_MODES,
    ),
    Case(
        "int-grad-loss",
        single(
            lambda opt, v, step: opt.minimize(
                loss_tensor(v), global_step=step, var_list=[v], grad_loss=tf.constant(1)
            )
        ),
        r"Invalid type tf\.int32 for \S+, " + _DTYPE_LIST,
        modes=GRAPH_MODES,
    ),
    Case(
        "complex-variable",
        single(
            lambda opt, v, step: opt.minimize(
                tf.math.real(tf.reduce_sum(v * v)), global_step=step, var_list=[v]
            ),
            var=lambda: tf.Variable([1 + 1j, 2 - 1j], dtype=tf.complex64, name="c"),
        ),
        r"Invalid type tf\.complex64 for c\S*, " + _DTYPE_LIST,
        modes=GRAPH_MODES,
    ),
    Case(
        "var-list-float-tensor-loss",
        single(lambda opt, v, step: opt.minimize(loss_tensor(v), var_list=[v, 1.0])),
        r"'float' object has no attribute 'op'.*var_list entries must be tf\.Variable",
        modes=GRAPH_MODES,
    ),
    Case(
        "var-list-float-callable-loss",
        single(lambda opt, v, step: opt.minimize(loss_callable(v), var_list=[v, 1.0])),
        r"Passed in object 1\.0 of type 'float', not tf\.Tensor or tf\.Variable",
    ),
    Case(
        "var-list-empty-tensor-loss",
        single(lambda opt, v, step: opt.minimize(loss_tensor(v), var_list=[], global_step=step)),
        r"No variables to optimize\..*var_list is empty",
        modes=GRAPH_MODES,
    ),
    Case(
        "var-list-none-in-function",
        _var_list_none_in_function,
        r"No variables to optimize\..*pass var_list explicitly",
        modes=(FUNCTION,),
    ),
    Case(
        "var-list-empty-callable-loss",
        single(lambda opt, v, step: opt.minimize(loss_callable(v), var_list=[], global_step=step)),
        r"No gradients provided for any variable, check your graph for ops that do not support "
        r"gradients, between variables \[\] and loss <function ",
    ),
    Case(
        "minimize-loss-independent-of-var",
        single(
            lambda opt, v, step: opt.minimize(
                lambda: tf.constant(1.0), var_list=[v], global_step=step
            )
        ),
        r"No gradients provided for any variable, check your graph for ops that do not support "
        r"gradients, between variables \[\"<tf\.Variable 'v:0'.*\"\] and loss",
    ),
    # ---- apply_gradients: the pairs themselves
    Case(
        "apply-empty",
        single(lambda opt, v, step: opt.apply_gradients([], global_step=step)),
        r"No variables provided\..*\(gradient, variable\) pairs",
    ),
    Case(
        "apply-none-not-iterable",
        single(lambda opt, v, step: opt.apply_gradients(None, global_step=step)),
        r"grads_and_vars must be an iterable of \(gradient, variable\) pairs, got None \("
        r"'NoneType' object is not iterable\)",
    ),
    Case(
        "apply-triples",
        single(lambda opt, v, step: opt.apply_gradients([(_grad([1.0, 1.0]), v, 3)])),
        r"grads_and_vars must hold \(gradient, variable\) pairs, got \(.*\) \(too many values to "
        r"unpack \(expected 2\)\)",
    ),
    Case(
        "all-gradients-none",
        single(lambda opt, v, step: opt.apply_gradients([(None, v)], global_step=step)),
        r"No gradients provided for any variable: \[\"<tf\.Variable 'v:0'.*\"\]\. \(Every gradient "
        r"is None; at least one \(gradient, variable\) pair needs a gradient\.\)",
    ),
    Case(
        "gradient-not-convertible",
        mixed(lambda: [1.0, "a"]),
        # Eager conversion raises ValueError (unwrapped, as in TF1); graph conversion raises
        # TypeError, which TF1 wraps.
        r"Can't convert Python sequence with mixed types to Tensor|"
        r"Gradient must be convertible to a Tensor or IndexedSlices, or None: \[1\.0, 'a'\]",
    ),
    Case(
        "gradient-sparse-tensor",
        mixed(lambda: tf.sparse.SparseTensor(indices=[[0]], values=[1.0], dense_shape=[2])),
        r"Gradient must be a Tensor, IndexedSlices, or None: .*SparseTensor.*dense Tensor or "
        r"IndexedSlices",
    ),
    Case(
        "gradient-plain-object",
        mixed(object),
        # As above: ValueError in eager, TypeError (wrapped) in graphs.
        r"Attempt to convert a value \(<object object at \w+>\) with an unsupported type|"
        r"Gradient must be convertible to a Tensor or IndexedSlices, or None: <object object",
    ),
    Case(
        "update-a-tensor",
        mixed(
            lambda: _grad([1.0, 1.0]),
            lambda: tf.constant([5.0, 6.0]),
            "GradientDescentOptimizer",
            bad_var_in_call=True,
        ),
        r"\('Trying to update a Tensor ', <tf\.Tensor\b.*'only variables \(tf\.Variable, Keras "
        r"variables\) can be updated'\)",
    ),
    Case(
        "sparse-gradient-constrained-variable",
        mixed(
            lambda: _sparse([[1.0, 1.0]], [0]),
            lambda: tf.Variable([[5.0, 6.0], [7.0, 8.0]], constraint=lambda x: x, name="bad"),
        ),
        r"Cannot use a constraint function on a sparse variable\..*drop the constraint",
    ),
    Case(
        "integer-variable",
        mixed(lambda: _grad([1, 1], tf.int32), lambda: tf.Variable([5, 6], name="bad")),
        r"dense gradient to variable bad\S* of dtype int32: .*optimize floating-point",
    ),
    Case(
        "cross-replica-context",
        _cross_replica,
        r"Use `_distributed_apply\(\)` instead of `apply_gradients\(\)` in a cross-replica "
        r"context\..*strategy\.run",
    ),
    Case(
        "base-optimizer-has-no-kernel",
        single(
            lambda opt, v, step: opt.apply_gradients([(_grad([1.0, 1.0]), v)]),
            optimizer=lambda m, step: m.Optimizer(False, "Base"),
        ),
        r"Optimizer does not implement _resource_apply_dense",
    ),
    Case(
        "adagrad-da-int32-global-step",
        _adagrad_da_int32_step,
        r"int64.*int32|int32.*int64",
    ),
]

# Callable hyperparameters: TF1 passes them straight to convert_to_tensor in _prepare.
CASES += [
    Case(
        "callable-hyperparameter-" + spec.name,
        _callable_hyperparameter(spec.name),
        r"(Attempt to convert a value \(|Failed to convert elements of )<function ",
    )
    for spec in SPECS
    if not spec.callable_hyperparameters
]

# A dense gradient whose shape is not the variable's: TF1's type depends on mode and kernel.
CASES += [
    Case(
        "dense-shape-mismatch-" + spec.name,
        mixed(lambda: _grad([1.0, 1.0, 1.0]), optimizer=spec.name),
        r"Gradient for variable bad\S* has shape \(3,\), but the variable's shape is \(2,\)",
        subclass_ok=True,
    )
    for spec in SPECS
]

_SPARSE_SHAPE_OPTIMIZERS = ("GradientDescentOptimizer", "MomentumOptimizer", "AdamOptimizer")


def _sparse_shape_mismatch(name: str) -> Case:
    return Case(
        "sparse-shape-mismatch-" + name,
        mixed(
            lambda: _sparse([[1.0, 1.0, 1.0]], [0]),
            lambda: tf.Variable([[5.0, 6.0], [7.0, 8.0]], name="bad"),
            optimizer=name,
        ),
        r"IndexedSlices gradient for variable bad\S* has values of shape \(1, 3\), which do not "
        r"match rows of the variable's shape \(2, 2\)",
        subclass_ok=True,
    )


CASES += [_sparse_shape_mismatch(name) for name in _SPARSE_SHAPE_OPTIMIZERS]

# TF1 raises nothing for these (mode, case): it silently scatters a wrongly shaped update.
# Ours refuses; see test_sparse_shape_mismatch_tf1_silently_miscomputes.
TF1_SILENT = {
    (EAGER, "sparse-shape-mismatch-GradientDescentOptimizer"),
    (EAGER, "sparse-shape-mismatch-AdamOptimizer"),
}

CASE_MODES = [
    pytest.param(case, mode, id="%s-%s" % (case.id, mode))
    for case in CASES
    for mode in case.modes
    if (mode, case.id) not in TF1_SILENT
]


@pytest.mark.parametrize("case, mode", CASE_MODES)
def test_bad_input_raises_tf1_type_and_changes_nothing(case: Case, mode: str):
    """(a) TF1 raises T, (b) ours raises T with an explaining message, (c) ours moved nothing."""
    oracle = run_scenario(case.make, TF1, mode)
    assert oracle.error is not None, "TF1 accepted the input: the case is wrong"
    expected = type(oracle.error)
    subject = run_scenario(case.make, ours, mode)
    assert subject.error is not None, "tfv1compat accepted the input (TF1: %r)" % oracle.error
    if case.subclass_ok:
        assert isinstance(subject.error, expected), (subject.error, oracle.error)
    else:
        assert type(subject.error) is expected, (subject.error, oracle.error)
    assert re.search(case.pattern, str(subject.error), re.DOTALL), str(subject.error)
    assert_nothing_changed(subject)


# --------------------------------------------------------------------------- TF1 crashes


def _dtype_mismatch_case() -> Case:
    return Case(
        "gradient-dtype-mismatch",
        mixed(lambda: _grad([1.0, 1.0], tf.float64)),
        r"Gradient for variable bad\S* has dtype float64, but the variable is float32: .*cast",
    )


@pytest.mark.parametrize("mode", ALL_MODES)
def test_gradient_dtype_mismatch_is_a_type_error(mode: str):
    """A float64 gradient for a float32 variable: ours raises TypeError, nothing moves.

    TF1 has no check: in eager it aborts the process inside the C++ kernel (``Check failed:
    dtype() == expected_dtype``), and a graph or tf.function aborts the same way when run,
    after earlier variables were updated. The oracle therefore cannot run here (see
    test_gradient_dtype_mismatch_tf1_builds_graph for the part of TF1 that can).
    """
    case = _dtype_mismatch_case()
    subject = run_scenario(case.make, ours, mode)
    assert type(subject.error) is TypeError, subject.error
    assert re.search(case.pattern, str(subject.error)), str(subject.error)
    assert_nothing_changed(subject)


def test_gradient_dtype_mismatch_tf1_builds_graph():
    """TF1 builds the mismatched update without complaint (it only aborts when run)."""
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0])
        op = TF1.GradientDescentOptimizer(0.1).apply_gradients([(_grad([1.0, 1.0], tf.float64), v)])
        assert isinstance(op, tf.Operation)
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0])
        with pytest.raises(TypeError, match="has dtype float64, but the variable is float32"):
            ours.GradientDescentOptimizer(0.1).apply_gradients([(_grad([1.0, 1.0], tf.float64), v)])


# --------------------------------------------------------------------------- shape details


def test_shape_mismatch_error_is_both_types():
    """TF1 reports a wrong gradient shape as ValueError or InvalidArgumentError.

    Which one depends on the mode and on the kernel's shape function: a build-time
    ``ValueError`` in graphs/tf.function for ResourceApplyGradientDescent and
    ResourceApplyProximalAdagrad, a run-time ``InvalidArgumentError`` for the other kernels,
    always ``InvalidArgumentError`` in eager. Ours checks before any update, so its one error is
    an instance of both, and code catching either TF1 type keeps working.
    """
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError) as info:
        ours.MomentumOptimizer(0.1, 0.9).apply_gradients([(_grad([1.0, 1.0, 1.0]), v)])
    assert isinstance(info.value, tf.errors.InvalidArgumentError)
    assert info.value.error_code == tf.errors.INVALID_ARGUMENT
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])


@pytest.mark.parametrize("name", ("GradientDescentOptimizer", "AdamOptimizer"))
def test_sparse_shape_mismatch_tf1_silently_miscomputes(name: str):
    """Eager TF1 scatters a (1, 3) update into a (2, 2) variable without an error; ours refuses.

    A documented, deliberate difference: TF1 moves the variable by a wrongly shaped update,
    which no correct program relies on.
    """
    case = _sparse_shape_mismatch(name)
    oracle = run_scenario(case.make, TF1, EAGER)
    assert oracle.error is None
    subject = run_scenario(case.make, ours, EAGER)
    assert isinstance(subject.error, (ValueError, tf.errors.InvalidArgumentError))
    assert re.search(case.pattern, str(subject.error)), str(subject.error)
    assert_nothing_changed(subject)


# --------------------------------------------------------------------------- compute_gradients


def test_empty_var_list_with_callable_returns_empty_list_in_eager():
    """``compute_gradients(callable, var_list=[])`` returns ``[]`` in TF1 and ours (no error)."""
    v = tf.Variable([1.0, 2.0])
    for module in (TF1, ours):
        opt = module.GradientDescentOptimizer(0.1)
        assert opt.compute_gradients(loss_callable(v), var_list=[]) == []
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])


# --------------------------------------------------------------------------- constructors


def _constructor_cases() -> list:
    cases = []
    for spec in SPECS:
        cases.append(
            pytest.param(
                spec,
                {"name": ""},
                r"Must specify the optimizer name.*non-empty string",
                id="empty-name-" + spec.name,
            )
        )
        for kwargs, _, pattern in spec.constructor_errors:
            cases.append(pytest.param(spec, kwargs, pattern, id="%s-%s" % (spec.name, kwargs)))
            # Adagrad, AdagradDA and ProximalAdagrad check their accumulator value before the
            # name; Ftrl calls the base constructor first, so there the name error wins.
            first = r"Must specify the optimizer name" if spec.name == "FtrlOptimizer" else pattern
            cases.append(
                pytest.param(
                    spec,
                    dict(kwargs, name=""),
                    first,
                    id="%s-%s-and-empty-name" % (spec.name, kwargs),
                )
            )
    return cases


@pytest.mark.parametrize("spec, kwargs, pattern", _constructor_cases())
def test_constructor_errors(spec, kwargs: dict, pattern: str):
    """Bad constructor arguments: TF1's type, a matching message, and no variable created."""
    with tf.Graph().as_default() as graph:
        step = tf.compat.v1.train.get_or_create_global_step()
        with pytest.raises(Exception) as oracle_info:
            spec.build(TF1, "default", global_step=step, **kwargs)
        expected = type(oracle_info.value)
        with pytest.raises(Exception) as info:
            spec.build(ours, "default", global_step=step, **kwargs)
        assert type(info.value) is expected, (info.value, oracle_info.value)
        assert re.search(pattern, str(info.value)), str(info.value)
        assert graph.get_collection(tf.compat.v1.GraphKeys.GLOBAL_VARIABLES) == [step]


@pytest.mark.parametrize("name", ("", None))
def test_base_optimizer_requires_a_name(name):
    """``Optimizer(use_locking, name)`` with a falsy name: ValueError, as in TF1."""
    with pytest.raises(ValueError, match="Must specify the optimizer name"):
        TF1.Optimizer(False, name)
    with pytest.raises(ValueError, match=r"Must specify the optimizer name.*non-empty string"):
        ours.Optimizer(False, name)


def test_adagrad_da_requires_global_step():
    """``AdagradDAOptimizer(lr)`` without ``global_step`` is a TypeError in both."""
    with pytest.raises(TypeError) as oracle_info:
        TF1.AdagradDAOptimizer(0.1)
    with pytest.raises(
        type(oracle_info.value), match="missing 1 required positional argument: 'global_step'"
    ):
        ours.AdagradDAOptimizer(0.1)
