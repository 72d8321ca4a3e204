"""tfv1compat.schedules against tf.compat.v1.train (the oracle), in eager, tf.function and graphs.

Subject and oracle are compared with exact equality within one execution mode (TF's eager and
graph results may differ by a few ulps, so modes are never compared with each other).
"""

from __future__ import annotations

import ast
import math
import pathlib
import re

import numpy as np
import pytest
import signatures
import tensorflow as tf

from tfv1compat import schedules

TF1 = tf.compat.v1.train
STEPS = range(101)
SEED = 1234


def case(name, kwargs=None, step_dtype=tf.int64, id_=None):
    return pytest.param(name, kwargs or {}, step_dtype, id=id_ or name)


F64 = np.float64(0.1)

# (function name, keyword arguments, dtype of the step). ``learning_rate`` defaults to 0.1;
# numpy scalars (not eager tensors) so that the same case builds in graphs too.
CASES = [
    case("exponential_decay", dict(decay_steps=10, decay_rate=0.9)),
    case("exponential_decay", dict(decay_steps=7, decay_rate=0.5, staircase=True), id_="exp-stair"),
    case(
        "exponential_decay", dict(learning_rate=F64, decay_steps=10, decay_rate=0.9), id_="exp-f64"
    ),
    case("exponential_decay", dict(decay_steps=10, decay_rate=0.9), tf.int32, id_="exp-int32-step"),
    case("natural_exp_decay", dict(decay_steps=10, decay_rate=0.5)),
    case("natural_exp_decay", dict(decay_steps=6, decay_rate=0.3, staircase=True), id_="nat-stair"),
    case(
        "natural_exp_decay", dict(learning_rate=F64, decay_steps=10, decay_rate=0.5), id_="nat-f64"
    ),
    case("inverse_time_decay", dict(decay_steps=10, decay_rate=0.5)),
    case(
        "inverse_time_decay", dict(decay_steps=9, decay_rate=2.0, staircase=True), id_="inv-stair"
    ),
    case(
        "inverse_time_decay", dict(learning_rate=F64, decay_steps=10, decay_rate=0.5), id_="inv-f64"
    ),
    case("polynomial_decay", dict(decay_steps=40)),
    case(
        "polynomial_decay", dict(decay_steps=30, end_learning_rate=0.01, power=2.0), id_="poly-pow"
    ),
    case("polynomial_decay", dict(decay_steps=15, power=0.5, cycle=True), id_="poly-cycle"),
    case("polynomial_decay", dict(learning_rate=F64, decay_steps=40), id_="poly-f64"),
    case("cosine_decay", dict(decay_steps=60)),
    case("cosine_decay", dict(decay_steps=60, alpha=0.1), id_="cos-alpha"),
    # first periods 10, 20, 40: restarts at steps 10, 30, 70 within 0..100
    case("cosine_decay_restarts", dict(first_decay_steps=10)),
    case(
        "cosine_decay_restarts",
        dict(first_decay_steps=7, t_mul=1.5, m_mul=0.8, alpha=0.05),
        id_="sgdr-geometric",
    ),
    case(
        "cosine_decay_restarts",
        dict(first_decay_steps=12, t_mul=1.0, m_mul=0.9),
        id_="sgdr-constant-period",
    ),
    case("linear_cosine_decay", dict(decay_steps=80)),
    case(
        "linear_cosine_decay",
        dict(decay_steps=80, num_periods=2.0, alpha=0.1, beta=0.01),
        id_="lincos-periods",
    ),
    # initial_variance=0 makes the noise exactly 0: checks the non-noise structure.
    case("noisy_linear_cosine_decay", dict(decay_steps=80, initial_variance=0.0), id_="noisy-zero"),
    # Real noise, reproducible through the graph-level seed (no op seed argument exists).
    case("noisy_linear_cosine_decay", dict(decay_steps=80, num_periods=1.0), id_="noisy-seeded"),
    case("piecewise_constant", dict(boundaries=[10, 30, 60], values=[1.0, 0.5, 0.1, 0.01])),
    case(
        "piecewise_constant",
        dict(boundaries=[50], values=[np.float64(1.0), np.float64(0.2)]),
        tf.int32,
        id_="pw-int32-f64",
    ),
    case(
        "piecewise_constant",
        dict(boundaries=[np.int64(20), np.int64(40)], values=[3, 2, 1]),
        id_="pw-int64-intvalues",
    ),
    case(
        "piecewise_constant",
        dict(boundaries=[0.0, 25.5], values=[0.3, 0.2, 0.1]),
        tf.float32,
        id_="pw-float-x",
    ),
    case("piecewise_constant_decay", dict(boundaries=[5], values=[0.1, 0.05])),
]

NAMES = [
    "exponential_decay",
    "natural_exp_decay",
    "inverse_time_decay",
    "polynomial_decay",
    "cosine_decay",
    "cosine_decay_restarts",
    "linear_cosine_decay",
    "noisy_linear_cosine_decay",
]


def _build(module, name, kwargs, step):
    kwargs = dict(kwargs)
    fn = getattr(module, name)
    if name.startswith("piecewise_constant"):
        return fn(step, **kwargs)
    return fn(kwargs.pop("learning_rate", 0.1), step, **kwargs)


def _run_eager(module, name, kwargs, step_dtype):
    tf.random.set_seed(SEED)
    step = tf.Variable(0, dtype=step_dtype)
    decayed = _build(module, name, kwargs, step)
    assert callable(decayed) and not isinstance(decayed, tf.Tensor)
    values = []
    for k in STEPS:
        step.assign(k)  # the callable must re-read the Variable
        values.append(decayed())
    return np.array([v.numpy() for v in values]), values[0].dtype


def _run_function(module, name, kwargs, step_dtype):
    tf.random.set_seed(SEED)

    @tf.function(autograph=False)
    def decayed(step):
        out = _build(module, name, kwargs, step)
        assert isinstance(out, tf.Tensor)
        return out

    values = [decayed(tf.constant(k, step_dtype)) for k in STEPS]
    return np.array([v.numpy() for v in values]), values[0].dtype


def _run_graph(builders, step_dtype):
    """Build every (module, name, kwargs) in one graph on one step variable; run all steps."""
    with tf.Graph().as_default():
        tf.compat.v1.set_random_seed(SEED)
        step = tf.compat.v1.Variable(0, dtype=step_dtype)
        new_step = tf.compat.v1.placeholder(step_dtype, [])
        assign = step.assign(new_step)
        tensors = [_build(module, name, kwargs, step) for module, name, kwargs in builders]
        assert all(isinstance(t, tf.Tensor) for t in tensors)
        with tf.compat.v1.Session() as sess:
            sess.run(step.initializer)
            values = []
            for k in STEPS:
                sess.run(assign, {new_step: k})
                values.append(sess.run(tensors))
    columns = [np.array([row[i] for row in values]) for i in range(len(tensors))]
    return columns, [t.dtype for t in tensors]


@pytest.mark.parametrize("name,kwargs,step_dtype", CASES)
@pytest.mark.parametrize("mode", ["eager", "function", "graph"])
def test_values_equal_tf1(mode, name, kwargs, step_dtype):
    if mode == "graph":
        if name == "noisy_linear_cosine_decay" and kwargs.get("initial_variance") != 0.0:
            # A random op's seed depends on how many ops the graph already holds, so the two
            # noisy schedules are built in two graphs with the same graph-level seed.
            (expected,), (expected_dtype,) = _run_graph([(TF1, name, kwargs)], step_dtype)
            (got,), (got_dtype,) = _run_graph([(schedules, name, kwargs)], step_dtype)
        else:
            (expected, got), (expected_dtype, got_dtype) = _run_graph(
                [(TF1, name, kwargs), (schedules, name, kwargs)], step_dtype
            )
    else:
        run = _run_eager if mode == "eager" else _run_function
        expected, expected_dtype = run(TF1, name, kwargs, step_dtype)
        got, got_dtype = run(schedules, name, kwargs, step_dtype)
    assert got_dtype == expected_dtype
    np.testing.assert_array_equal(got, expected)
    if name == "noisy_linear_cosine_decay" and kwargs.get("initial_variance") != 0.0:
        assert len(np.unique(got)) > 50  # the noise is really there


def _graph_ops(module, name, kwargs, scope_name):
    with tf.Graph().as_default() as graph:
        step = tf.compat.v1.placeholder(tf.int64, [], name="step")
        if scope_name is not None:
            kwargs = dict(kwargs, name=scope_name)
        result = _build(module, name, kwargs, step)
        ops = [(op.type, op.name, [t.name for t in op.inputs]) for op in graph.get_operations()]
    return result.name, ops


@pytest.mark.parametrize("name,kwargs,step_dtype", [c for c in CASES if c.values[2] == tf.int64])
@pytest.mark.parametrize("scope_name", [None, "my_lr"])
def test_graph_ops_and_name_scopes_equal_tf1(scope_name, name, kwargs, step_dtype):
    expected_name, expected_ops = _graph_ops(TF1, name, kwargs, scope_name)
    got_name, got_ops = _graph_ops(schedules, name, kwargs, scope_name)
    assert got_name == expected_name
    assert got_ops == expected_ops  # same op types, names (scopes), inputs, in the same order


@pytest.mark.parametrize(
    "name,default_scope",
    [
        ("exponential_decay", "ExponentialDecay"),
        ("natural_exp_decay", "ExponentialDecay"),
        ("inverse_time_decay", "InverseTimeDecay"),
        ("polynomial_decay", "PolynomialDecay"),
        ("cosine_decay", "CosineDecay"),
        ("cosine_decay_restarts", "SGDRDecay"),
        ("linear_cosine_decay", "LinearCosineDecay"),
        ("noisy_linear_cosine_decay", "NoisyLinearCosineDecay"),
        ("piecewise_constant", "PiecewiseConstant"),
    ],
)
def test_default_name_scope(name, default_scope):
    kwargs = next(c.values[1] for c in CASES if c.values[0] == name)
    result_name, _ = _graph_ops(schedules, name, kwargs, None)
    assert result_name.startswith(default_scope + "/") or result_name == default_scope + ":0"


def test_piecewise_constant_decay_is_the_same_object():
    assert schedules.piecewise_constant_decay is schedules.piecewise_constant


def test_eager_python_int_step_stays_fixed_and_variable_is_reread():
    step = tf.Variable(3, dtype=tf.int64)
    fixed = schedules.exponential_decay(0.1, 3, 10, 0.5)
    live = schedules.exponential_decay(0.1, step, 10, 0.5)
    first = live().numpy()
    step.assign(13)
    assert fixed().numpy() == first
    assert live().numpy() < first


# --- float64: where TF1 itself cannot compute the value --------------------------------------


def _f32(x):
    """A Python-number hyperparameter as ``tf.cast(x, float64)`` sees it: float32 first (as TF1)."""
    return float(np.float32(x))


def _np_linear_cosine(k, d, num_periods=0.5, alpha=0.0, beta=0.001):
    d, num_periods, alpha, beta = map(_f32, (d, num_periods, alpha, beta))
    s = min(k, d)
    return 0.1 * (
        (alpha + (d - s) / d) * 0.5 * (1 + math.cos(math.pi * 2 * num_periods * s / d)) + beta
    )


def _np_sgdr(k, first, t_mul=2.0, m_mul=1.0, alpha=0.0):
    first, t_mul, m_mul, alpha = map(_f32, (first, t_mul, m_mul, alpha))
    f = k / first
    if t_mul == 1.0:
        i = math.floor(f)
        f -= i
    else:
        i = math.floor(math.log(1 - f * (1 - t_mul)) / math.log(t_mul))
        f = (f - (1 - t_mul**i) / (1 - t_mul)) / t_mul**i
    return 0.1 * ((1 - alpha) * 0.5 * m_mul**i * (1 + math.cos(math.pi * f)) + alpha)


def _np_poly_cycle(k, d, end=0.0001, power=1.0):
    end, power = _f32(end), _f32(power)
    d = d * (1.0 if k == 0 else math.ceil(k / d))
    return (0.1 - end) * (1 - k / d) ** power + end


F64_CASES = [
    (
        "cosine_decay",
        dict(decay_steps=60, alpha=0.1),
        lambda k: 0.1 * (0.9 * 0.5 * (1 + math.cos(math.pi * min(k, 60) / 60)) + 0.1),
    ),
    # Restarts at 10.5, 31.5, 73.5: at an integer restart step floor(log(..)/log(t_mul)) sits
    # on an exact integer, where TF's and Python's log may round to opposite sides.
    ("cosine_decay_restarts", dict(first_decay_steps=10.5), lambda k: _np_sgdr(k, 10.5)),
    (
        "cosine_decay_restarts",
        dict(first_decay_steps=12, t_mul=1.0, m_mul=0.9),
        lambda k: _np_sgdr(k, 12, 1.0, 0.9),
    ),
    ("linear_cosine_decay", dict(decay_steps=80), lambda k: _np_linear_cosine(k, 80)),
    (
        "noisy_linear_cosine_decay",
        dict(decay_steps=80, initial_variance=0.0),
        lambda k: _np_linear_cosine(k, 80),
    ),
    (
        "polynomial_decay",
        dict(decay_steps=15, power=0.5, cycle=True),
        lambda k: _np_poly_cycle(k, 15, power=0.5),
    ),
]


@pytest.mark.parametrize(
    "name,kwargs,formula", F64_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(F64_CASES)]
)
def test_float64_learning_rate_where_tf1_raises(name, kwargs, formula):
    """TF1 raises for these with a float64 learning rate (a float32 pi, float32 noise, or a
    float32 ``1.0`` in polynomial's cycle ``where``), so no oracle value exists; the issue's
    dtype rule asks for a float64 result. It is checked against the float64 formula in NumPy
    with rtol=1e-13 (atol=1e-16 where 1 + cos(..) cancels near a restart): Python's and TF's
    cos/log/pow may round differently in the last ulps, while any float32 intermediate beyond
    TF1's own (Python-number hyperparameters are cast through float32) is off by ~1e-8."""
    kwargs = dict(kwargs, learning_rate=np.float64(0.1))
    with tf.Graph().as_default():
        step = tf.compat.v1.placeholder(tf.int64, [])
        with pytest.raises((TypeError, ValueError)):
            _build(TF1, name, kwargs, step)
        got = _build(schedules, name, kwargs, step)
        assert got.dtype == tf.float64
        with tf.compat.v1.Session() as sess:
            values = [sess.run(got, {step: k}) for k in STEPS]
    np.testing.assert_allclose(values, [formula(k) for k in STEPS], rtol=1e-13, atol=1e-16)


# --- errors --------------------------------------------------------------------------------


PIECEWISE_ERRORS = [
    pytest.param(
        tf.float32,
        [10, 20],
        [0.1, 0.2, 0.3],
        "Boundaries (<dtype: 'int32'>) must have the same dtype as x (<dtype: 'float32'>).",
        id="int32-boundaries-float-x",
    ),
    pytest.param(
        tf.int32,
        [np.int64(10)],
        [0.1, 0.2],
        "Boundaries (<dtype: 'int64'>) must have the same dtype as x (<dtype: 'int32'>).",
        id="int64-boundaries-int32-x-not-promoted",
    ),
    pytest.param(
        tf.int64,
        [10.0],
        [0.1, 0.2],
        "Boundaries (<dtype: 'float32'>) must have the same dtype as x (<dtype: 'int64'>).",
        id="float-boundaries-int64-x",
    ),
    pytest.param(
        tf.int64,
        [10],
        [0.1, 2],
        "Values must have elements all with the same dtype "
        "(<dtype: 'float32'> vs <dtype: 'int32'>).",
        id="mixed-values",
    ),
    pytest.param(
        tf.int64,
        [10, 20],
        [0.1, 0.2],
        "The length of boundaries should be 1 less than the length of values",
        id="too-few-values",
    ),
    pytest.param(
        tf.int64,
        [10],
        [0.1, 0.2, 0.3],
        "The length of boundaries should be 1 less than the length of values",
        id="too-many-values",
    ),
]


@pytest.mark.parametrize("x_dtype,boundaries,values,message", PIECEWISE_ERRORS)
@pytest.mark.parametrize("mode", ["eager", "graph"])
def test_piecewise_constant_validation_errors(mode, x_dtype, boundaries, values, message):
    def check():
        x = (
            tf.Variable(0, dtype=x_dtype)
            if mode == "eager"
            else tf.compat.v1.placeholder(x_dtype, [])
        )
        for fn in (TF1.piecewise_constant, schedules.piecewise_constant):
            # raised when the function is called, before any callable exists
            with pytest.raises(ValueError, match=re.escape(message) + "$"):
                fn(x, boundaries, values)

    if mode == "graph":
        with tf.Graph().as_default():
            check()
    else:
        check()


@pytest.mark.parametrize("name", NAMES)
def test_global_step_none_graph_fails_at_construction(name):
    kwargs = next(c.values[1] for c in CASES if c.values[0] == name)
    with tf.Graph().as_default():
        with pytest.raises(ValueError):
            _build(TF1, name, kwargs, None)
        with pytest.raises(ValueError, match=rf"^{name}: global_step is required"):
            _build(schedules, name, kwargs, None)


@pytest.mark.parametrize("name", NAMES)
def test_global_step_none_eager_fails_when_called(name):
    kwargs = next(c.values[1] for c in CASES if c.values[0] == name)
    oracle = _build(TF1, name, kwargs, None)
    ours = _build(schedules, name, kwargs, None)  # no error yet, as in TF1
    assert callable(ours)
    with pytest.raises(ValueError):
        oracle()
    with pytest.raises(ValueError, match=rf"^{name}: global_step is required"):
        ours()


@pytest.mark.parametrize("mode", ["eager", "graph"])
def test_piecewise_constant_x_none_fails_at_call(mode):
    def check():
        with pytest.raises(ValueError):
            TF1.piecewise_constant(None, [1], [0.1, 0.2])
        with pytest.raises(ValueError, match=r"^piecewise_constant: x \(the global_step\)"):
            schedules.piecewise_constant(None, [1], [0.1, 0.2])

    if mode == "graph":
        with tf.Graph().as_default():
            check()
    else:
        check()


# --- public surface ------------------------------------------------------------------------


def test_all_and_signatures_match_tf1():

    assert sorted(schedules.__all__) == sorted(
        NAMES + ["piecewise_constant", "piecewise_constant_decay"]
    )
    for name in schedules.__all__:
        ours = signatures.without_annotations(getattr(schedules, name))
        theirs = signatures.without_annotations(getattr(TF1, name))
        assert [(p.name, p.default) for p in ours.parameters.values()] == [
            (p.name, p.default) for p in theirs.parameters.values()
        ], name


def test_uses_public_tf2_api_only():
    source = pathlib.Path(schedules.__file__).read_text()
    tree = ast.parse(source)
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(m and (m.startswith("tensorflow.") or "keras" in m) for m in imported), imported
    attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert not {"compat", "keras", "experimental"} & (attributes | names)
