"""Every tfv1compat optimizer against an independent NumPy model of TF1's update rule.

These tests prove the numerics without ``tf.compat.v1.train``: the expected values come from
``numpy_models`` (written from TF's own optimizer sources and kernel docs), never from the TF1
oracle, so the suite still runs, and still means something, once that module is gone.

Each test trains two variables in one ``apply_gradients`` per step, with an int64 global step:
``w`` (3, 2) gets dense gradients, ``emb`` (4, 2) gets ``IndexedSlices`` whose indices repeat
within a step and change between steps (rows are touched, then left alone, so lazy sparse
kernels and Adam's dense-equivalent sparse path differ visibly). After every step the variables,
every slot (``get_slot``), the non-slot variables (Adam's beta powers, from ``variables()``) and
the global step are compared with the model.

Axes: every optimizer of ``optimizer_specs.SPECS`` and every config in its table x each dtype
its TF1 kernels support (float16/32/64) x three modes (eager, one ``tf.function``, legacy
``tf.compat.v1.Graph`` + ``Session`` on resource variables). Learning rates as tensors, and
deliberately wrong models (which must fail), have their own tests below.
"""

from __future__ import annotations

import dataclasses
import re
import zlib
from typing import Any

import numpy as np
import numpy_models
import pytest
import tensorflow as tf
from optimizer_specs import SPECS

from tfv1compat import train

STEPS = 3
SEED = 20240917
DENSE_SHAPES = {"w": (3, 2)}
SPARSE_SHAPES = {"emb": (4, 2)}
# Duplicates in every step; row 1 is first touched in the last step, row 3 only in the middle.
SPARSE_INDICES = ((0, 2, 0), (3, 2, 3), (1, 0, 1))
MODES = ("eager", "function", "graph")

# ------------------------------------------------------------------------------- tolerances
#
# A kernel's rounding error is relative to the operands of each of its operations, which are of
# the size of the largest entries of the same array (an entry can be a small difference of large
# terms, e.g. FTRL's ``linear`` or a variable crossing zero). So entries are compared with
#     |actual - expected| <= rtol * |expected| + rtol * max|expected of that array|,
# plus an absolute floor for float16 (below). The model runs in float64 from exactly the inputs
# TF's kernels get (float32-rounded Python-float hyperparameters cast to the variable dtype,
# slot constants in the variable dtype, float32 beta powers), so what remains is the kernels'
# own rounding in the variable dtype.


@dataclasses.dataclass(frozen=True)
class Tolerance:
    rtol: float
    floor: float  # absolute floor, for arrays whose entries sit in the subnormal range
    why: str


TOLERANCES = {
    np.dtype(np.float64): Tolerance(
        1e-12,
        0.0,
        "float64 kernels and the float64 model see identical inputs; they differ only in "
        "operation order and libm's sqrt/pow: a few ulps of 2.2e-16 (observed <= 3.3e-16, "
        "Adadelta). 1e-12 leaves a >1000x margin and still resolves a hyperparameter or slot "
        "constant rounded through float32 when TF1 does not do so, or vice versa (~1e-8).",
    ),
    np.dtype(np.float32): Tolerance(
        1e-5,
        0.0,
        "float32 kernels round every operation to float32 (eps 1.2e-7), the model does not: "
        "about 10 roundings per step over 3 steps, partly cancelling (observed <= 1.6e-7, "
        "Adadelta's chain of two sqrt). 1e-5 (~80 ulps) leaves a 60x margin for other CPUs' "
        "vectorization/FMA and kernel reorderings in later TF versions.",
    ),
    np.dtype(np.float16): Tolerance(
        5e-3,
        2.0**-20,
        "TF's CPU float16 kernels evaluate each Eigen operation in float32 and round the "
        "result back to float16 (eps 9.8e-4), so every intermediate carries up to 4.9e-4 "
        "relative error (observed <= 7.7e-4, FTRL's sqrt(accum_new) - sqrt(accum) "
        "difference). 5e-3 (~5 ulps) leaves a 6x margin. Below float16's smallest normal "
        "(6.1e-5) resolution is absolute, 2**-24: Adadelta's accum_update (~1e-6) is off by "
        "up to one such step (observed 5.5e-8), hence the floor of 16 steps, 2**-20.",
    ),
}
# Per optimizer, none needs more than its dtype's tolerance. Worst observed (float64 / float32 /
# float16, relative to the array scale, identical for tfv1compat and tf.compat.v1.train):
#   GradientDescent  0 / 2.2e-8 / 2.6e-4   one multiply-add per step
#   Momentum         0 / 4.5e-8 / 2.5e-4   accum * momentum + g, then one multiply-add
#   Adagrad      4.2e-17 / 5.1e-8 / 5.3e-4 rsqrt(accum)
#   AdagradDA    7.5e-17 / 8.1e-8 / n.a.   the variable is recomputed each step (no drift);
#                                          TF has no float16 kernel
#   Adadelta     3.3e-16 / 1.6e-7 / 4.5e-4 two sqrt per step; float16 accum_update subnormal
#   Adam         9.0e-17 / 4.8e-8 / 5.4e-4 bias correction is a scalar; sparse path composite
#   Ftrl         8.3e-17 / 7.0e-8 / 7.7e-4 sqrt/pow differences divided by lr
#   ProximalGD       0 / 5.7e-8 / n.a.     (no float16 kernel)
#   ProximalAdagrad 5.0e-17 / 8.8e-8 / n.a. (no float16 kernel)
#   RMSProp      1.8e-16 / 1.0e-7 / 5.3e-4 sqrt(ms + eps), momentum accumulation


def tolerance_for(dtype) -> Tolerance:
    return TOLERANCES[np.dtype(dtype)]


def assert_close(actual, expected, tolerance: Tolerance, what: str) -> None:
    """Entry-wise check against the model, relative to the entry and to its array's scale.

    NaNs must sit where the model has them: float16 Adam with the default epsilon (1e-8 rounds
    to float16 0) computes 0 / (0 + 0) wherever m and v are still 0, in TF1 as in the model.
    """
    expected = np.asarray(expected, np.float64)
    actual = np.asarray(actual, np.float64)
    assert actual.shape == expected.shape, what
    finite = expected[np.isfinite(expected)]
    scale = float(np.max(np.abs(finite))) if finite.size else 0.0
    np.testing.assert_allclose(
        actual,
        expected,
        rtol=tolerance.rtol,
        atol=tolerance.rtol * scale + tolerance.floor,
        err_msg=f"{what} (rtol {tolerance.rtol:g}, see TOLERANCES)",
    )


# ------------------------------------------------------------------------------- inputs


def _rng(*keys: object) -> np.random.Generator:
    return np.random.default_rng([SEED] + [zlib.crc32(str(k).encode()) for k in keys])


def initial_values(dtype) -> dict[str, np.ndarray]:
    shapes = {**DENSE_SHAPES, **SPARSE_SHAPES}
    return {
        name: _rng("init", name).uniform(-1.0, 1.0, shape).astype(dtype)
        for name, shape in shapes.items()
    }


def gradient_arrays(dtype) -> list[dict[str, Any]]:
    """Per step: a dense array for ``w``, a ``numpy_models.Sparse`` for ``emb``."""
    steps = []
    for step in range(STEPS):
        grads: dict[str, Any] = {
            name: _rng("grad", name, step).standard_normal(shape).astype(dtype)
            for name, shape in DENSE_SHAPES.items()
        }
        for name, shape in SPARSE_SHAPES.items():
            indices = np.asarray(SPARSE_INDICES[step], np.int32)
            values = _rng("grad", name, step).standard_normal((len(indices),) + shape[1:])
            grads[name] = numpy_models.Sparse(values.astype(dtype), indices)
        steps.append(grads)
    return steps


@dataclasses.dataclass(frozen=True)
class Case:
    """One optimizer configuration in one dtype, with how its hyperparameters are given.

    ``tensor_hyperparameters``: hyperparameter name -> dtype of the ``tf.constant`` TF gets
    (Python floats otherwise). The model gets a NumPy scalar of that dtype instead.
    """

    spec: Any
    config_id: str
    dtype: np.dtype
    tensor_hyperparameters: tuple[tuple[str, np.dtype], ...] = ()

    @property
    def tf_dtype(self) -> tf.DType:
        return tf.as_dtype(self.dtype)

    def hyperparameter_values(self) -> dict[str, float]:
        kwargs = dict(self.spec.configs[self.config_id])
        kwargs.setdefault("learning_rate", self.spec.learning_rate)
        for name, _ in self.tensor_hyperparameters:
            # Proximal* take l1/l2 defaults of 0.0; tensors must carry a value.
            kwargs.setdefault(name, 0.0)
        return kwargs

    def tf_kwargs(self) -> dict[str, Any]:
        """Constructor arguments for tfv1compat (call inside the graph that will use them)."""
        kwargs = self.hyperparameter_values()
        for name, dtype in self.tensor_hyperparameters:
            kwargs[name] = tf.constant(kwargs[name], tf.as_dtype(dtype))
        return kwargs

    def model_kwargs(self) -> dict[str, Any]:
        kwargs = self.hyperparameter_values()
        for name, dtype in self.tensor_hyperparameters:
            kwargs[name] = np.dtype(dtype).type(kwargs[name])
        return kwargs


def default_case(spec, config_id: str, dtype) -> Case:
    """Python-float hyperparameters, except where TF1 needs tensors: the Proximal* dense paths
    do not cast, so for a non-float32 variable their hyperparameters must have its dtype."""
    dtype = np.dtype(dtype)
    tensors: tuple[tuple[str, np.dtype], ...] = ()
    if not spec.dense_casts_hyperparameters and dtype != np.float32:
        names = ("learning_rate", "l1_regularization_strength", "l2_regularization_strength")
        tensors = tuple((name, dtype) for name in names)
    return Case(spec, config_id, dtype, tensors)


# ------------------------------------------------------------------------------- the model


def run_model(case: Case, model_class=None) -> list[numpy_models.State]:
    """The model's state after each step."""
    kwargs = case.model_kwargs()
    learning_rate = kwargs.pop("learning_rate")
    model = numpy_models.build_model(
        case.spec.name, case.dtype, learning_rate, model_class=model_class, **kwargs
    )
    state = model.initial_state(initial_values(case.dtype))
    states = []
    for grads in gradient_arrays(case.dtype):
        state = model.apply_gradients(state, grads)
        states.append(state)
    return states


# ------------------------------------------------------------------------------- tfv1compat

_NON_SLOT_NAME = re.compile(r"(?:^|/)([A-Za-z0-9]+_power)(?:_\d+)?:0$")


def state_fetches(optimizer, case: Case, variables: dict, global_step) -> dict[str, Any]:
    """Variables, every slot the table promises, the non-slot variables, the global step."""
    assert optimizer.get_slot_names() == list(case.spec.slots_for(case.config_id))
    slots = {}
    for name, variable in variables.items():
        slots[name] = {}
        for slot_name in case.spec.slots_for(case.config_id):
            slot = optimizer.get_slot(variable, slot_name)
            assert slot is not None, f"no slot {slot_name!r} for {name}"
            slots[name][slot_name] = slot
    slot_variable_names = {s.name for d in slots.values() for s in d.values()}
    non_slot = {}
    for variable in optimizer.variables():
        if variable.name in slot_variable_names:
            continue
        match = _NON_SLOT_NAME.search(variable.name)
        assert match, f"unexpected optimizer variable {variable.name}"
        non_slot[match.group(1)] = variable
    return {
        "variables": dict(variables),
        "slots": slots,
        "non_slot": non_slot,
        "global_step": global_step,
    }


def _step_tensors(grads: dict[str, Any]) -> dict[str, Any]:
    """One step's gradients as tensors: name -> a dense Tensor, or (values, indices)."""
    tensors: dict[str, Any] = {}
    for name, grad in grads.items():
        if isinstance(grad, numpy_models.Sparse):
            tensors[name] = (tf.constant(grad.values), tf.constant(grad.indices))
        else:
            tensors[name] = tf.constant(grad)
    return tensors


def _grads_and_vars(variables: dict, inputs: dict[str, Any]) -> list:
    """(gradient, variable) pairs; (values, indices) become IndexedSlices with duplicates."""
    pairs = []
    for name, grad in inputs.items():
        if isinstance(grad, tuple):
            values, indices = grad
            grad = tf.IndexedSlices(values, indices, tf.constant(SPARSE_SHAPES[name], tf.int32))
        pairs.append((grad, variables[name]))
    return pairs


def _read(value):
    return value.numpy() if hasattr(value, "numpy") else value


def run_eager_or_function(case: Case, mode: str) -> list[dict[str, Any]]:
    variables = {name: tf.Variable(v, name=name) for name, v in initial_values(case.dtype).items()}
    global_step = tf.Variable(0, dtype=tf.int64, name="global_step", trainable=False)
    kwargs = case.tf_kwargs()
    optimizer = case.spec.build(
        train, case.config_id, kwargs.pop("learning_rate"), global_step, **kwargs
    )

    def apply(inputs):
        optimizer.apply_gradients(_grads_and_vars(variables, inputs), global_step=global_step)

    step = tf.function(apply) if mode == "function" else apply
    observed, traces = [], []
    for grads in gradient_arrays(case.dtype):
        step(_step_tensors(grads))
        fetches = state_fetches(optimizer, case, variables, global_step)
        observed.append(tf.nest.map_structure(_read, fetches))
        if mode == "function":
            traces.append(step.experimental_get_tracing_count())
    # The first call traces twice (once creating the slots, once without); later calls reuse.
    assert len(set(traces)) <= 1, traces
    return observed


def run_graph(case: Case) -> list[dict[str, Any]]:
    """Legacy graph + Session on resource variables, gradients fed through placeholders."""
    observed = []
    with tf.compat.v1.Graph().as_default() as graph:
        variables = {
            name: tf.compat.v1.get_variable(name, initializer=tf.constant(v), use_resource=True)
            for name, v in initial_values(case.dtype).items()
        }
        global_step = tf.compat.v1.get_variable(
            "global_step",
            initializer=tf.constant(0, tf.int64),
            trainable=False,
            use_resource=True,
        )
        kwargs = case.tf_kwargs()
        optimizer = case.spec.build(
            train, case.config_id, kwargs.pop("learning_rate"), global_step, **kwargs
        )
        placeholders: dict[str, Any] = {}
        for name, grad in gradient_arrays(case.dtype)[0].items():
            if isinstance(grad, numpy_models.Sparse):
                placeholders[name] = (
                    tf.compat.v1.placeholder(case.tf_dtype, grad.values.shape),
                    tf.compat.v1.placeholder(tf.int32, grad.indices.shape),
                )
            else:
                placeholders[name] = tf.compat.v1.placeholder(case.tf_dtype, grad.shape)
        train_op = optimizer.apply_gradients(
            _grads_and_vars(variables, placeholders), global_step=global_step
        )
        assert isinstance(train_op, tf.Operation)
        fetches = tf.nest.map_structure(
            lambda v: v.read_value(), state_fetches(optimizer, case, variables, global_step)
        )
        initialize = tf.compat.v1.global_variables_initializer()
        graph.finalize()  # nothing is added while stepping
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(initialize)
            for grads in gradient_arrays(case.dtype):
                feed = {}
                for name, grad in grads.items():
                    if isinstance(grad, numpy_models.Sparse):
                        feed[placeholders[name][0]] = grad.values
                        feed[placeholders[name][1]] = grad.indices
                    else:
                        feed[placeholders[name]] = grad
                session.run(train_op, feed_dict=feed)
                observed.append(session.run(fetches))
    return observed


def run_tfv1compat(case: Case, mode: str) -> list[dict[str, Any]]:
    if mode == "graph":
        return run_graph(case)
    return run_eager_or_function(case, mode)


# ------------------------------------------------------------------------------- comparison


def compare(observed: list[dict[str, Any]], expected: list[numpy_models.State], case) -> None:
    """Every piece of state after every step: within the dtype's tolerance of the model."""
    tolerance = tolerance_for(case.dtype)
    assert len(observed) == len(expected) == STEPS
    for step in range(1, STEPS + 1):
        seen, model = observed[step - 1], expected[step - 1]
        where = f"{case.spec.name}[{case.config_id}] {case.dtype.name}, after step {step}"
        for name, value in model.variables.items():
            kind = "sparse" if name in SPARSE_SHAPES else "dense"
            assert_close(seen["variables"][name], value, tolerance, f"{name} ({kind}), {where}")
            assert set(seen["slots"][name]) == set(model.slots[name]), where
            for slot_name, slot in model.slots[name].items():
                assert_close(
                    seen["slots"][name][slot_name],
                    slot,
                    tolerance,
                    f"{slot_name} of {name}, {where}",
                )
        # Non-slot variables (Adam's beta powers) are float32 running products: one float32
        # multiplication per step in TF and in the model, both correctly rounded -> identical.
        assert set(seen["non_slot"]) == set(model.non_slot), where
        for name, value in model.non_slot.items():
            assert seen["non_slot"][name].dtype == value.dtype, f"{name}, {where}"
            assert seen["non_slot"][name] == value, f"{name}, {where}"
        assert seen["global_step"] == model.global_step, where


def check(case: Case, mode: str, model_class=None) -> None:
    compare(run_tfv1compat(case, mode), run_model(case, model_class), case)


# ------------------------------------------------------------------------------- tests


def _cases():
    for spec in SPECS:
        for config_id in spec.configs:
            for dtype in spec.dtypes:
                case = default_case(spec, config_id, dtype.as_numpy_dtype)
                yield pytest.param(case, id=f"{spec.name}-{config_id}-{dtype.name}")


CASES = list(_cases())


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CASES)
def test_matches_numpy_model(case, mode):
    """Dense and sparse (duplicate indices) gradients in one apply, 3 steps: variables, slots,
    beta powers and global step equal the NumPy model within the dtype's tolerance."""
    check(case, mode)


def _richest_config(spec) -> str:
    """The config with the most numeric options; for Ftrl "beta", where the lr also enters
    the adjusted l2."""
    if spec.name == "FtrlOptimizer":
        return "beta"

    def numeric_options(config_id):
        return len(set(spec.configs[config_id]) - numpy_models.NON_NUMERIC_ARGUMENTS)

    return max(spec.configs, key=numeric_options)


def _tensor_learning_rate_cases():
    for spec in SPECS:
        for lr_dtype in (np.float32, np.float64):
            if not spec.dense_casts_hyperparameters and lr_dtype != np.float64:
                continue  # TF1's dense Proximal* kernels fail on a float32 lr for float64
            tensors = [("learning_rate", np.dtype(lr_dtype))]
            if not spec.dense_casts_hyperparameters:
                names = ("l1_regularization_strength", "l2_regularization_strength")
                tensors += [(name, np.dtype(np.float64)) for name in names]
            config_id = _richest_config(spec)
            case = Case(spec, config_id, np.dtype(np.float64), tuple(tensors))
            # Eager only: the main matrix already runs tensor hyperparameters (Proximal* on
            # float64) inside tf.function and in graphs.
            yield pytest.param(case, id=f"{spec.name}-{config_id}-lr_{np.dtype(lr_dtype).name}")


@pytest.mark.parametrize("case", list(_tensor_learning_rate_cases()))
def test_tensor_learning_rate_matches_model(case):
    """float64 variables with the learning rate as a float32 or float64 tensor: the kernel sees
    float64(float32(lr)) or the exact float64 lr (a difference of ~1e-8 relative, which the
    1e-12 float64 tolerance resolves); for Ftrl the adjusted l2 is computed in the lr's dtype."""
    check(case, "eager")


# ------------------------------------------------------------------------------- self-checks
#
# The comparison must be able to fail: each deliberately wrong model below differs from TF1 in
# one detail, and the same comparison must reject it. (Subclasses live here, not in
# numpy_models, so that module holds only the correct models.)


class AdamWithoutBiasCorrection(numpy_models.AdamModel):
    def step_size(self, state):
        return self.lr


class AdamLazySparse(numpy_models.AdamModel):
    """Updates only the touched rows (the Keras/LazyAdam behaviour, not TF1's)."""

    sparse_step = numpy_models.OptimizerModel.sparse_step


class AdamFloat64BetaPowers(numpy_models.AdamModel):
    """Keeps exact beta**t instead of TF1's float32 running products."""

    def step_size(self, state):
        t = state.global_step + 1
        b1, b2 = self.scalar(self.beta1), self.scalar(self.beta2)
        return self.lr * np.sqrt(1 - b2**t) / (1 - b1**t)


class MomentumIgnoringNesterov(numpy_models.MomentumModel):
    def __init__(self, dtype, learning_rate, momentum, use_nesterov=False):
        super().__init__(dtype, learning_rate, momentum, use_nesterov=False)


class MomentumDenseSparse(numpy_models.MomentumModel):
    """Treats a sparse gradient as a dense one with zero rows (decays untouched accumulators)."""

    def sparse_step(self, var, slots, values, indices, state):
        dense = np.zeros_like(var)
        np.add.at(dense, indices, values)
        return self.rule(var, slots, dense, state)


class RMSPropRmsFromZero(numpy_models.RMSPropModel):
    def initial_slots(self, var):
        return {**super().initial_slots(var), "rms": np.zeros_like(var)}


class FtrlIgnoringBeta(numpy_models.FtrlModel):
    def adjusted_l2(self):
        return self.scalar(self.l2)


class FtrlV2AccumulatingShrunkGradient(numpy_models.FtrlModel):
    """What ``ResourceSparseApplyFtrlV2``'s docstring says, but not what any kernel does."""

    def accumulated_gradient(self, var, grad):
        return self.shrunk_gradient(var, grad)


class AdagradDAWithoutPlusOne(numpy_models.AdagradDAModel):
    def step_count(self, state):
        return float(state.global_step)


class ProximalAdagradRawLearningRate(numpy_models.ProximalAdagradModel):
    def proximal_step(self, accum):
        return self.lr


class GradientDescentDeduplicatingFirst(numpy_models.GradientDescentModel):
    """Sums duplicate rows before scaling instead of scatter-adding them one by one: equal in
    exact arithmetic, so it must *pass* (see ``test_equivalent_model_is_accepted``)."""

    sparse_step = numpy_models.OptimizerModel.sparse_step


class UnroundedHyperparameters(numpy_models.MomentumModel):
    """Uses the Python floats exactly instead of TF1's float32 tensors cast to float64."""

    def scalar(self, value):
        return np.float64(value)


class AdagradSlotThroughFloat32(numpy_models.AdagradModel):
    """Rounds the initial accumulator through float32 like a hyperparameter (TF1 builds it
    directly in the variable dtype)."""

    def initial_slots(self, var):
        value = numpy_models.kernel_scalar(self.initial_accumulator_value, self.dtype)
        return {"accumulator": np.full_like(var, value)}


class FtrlAdjustedL2InFloat64(numpy_models.FtrlModel):
    """Computes ``l2 + beta / (2 lr)`` in float64 (TF1 does it in float32, then casts)."""

    def adjusted_l2(self):
        lr = np.float64(self.learning_rate)
        return np.float64(self.l2) + np.float64(self.beta) / (2 * lr)


def _spec(name):
    return next(spec for spec in SPECS if spec.name == name)


MUTANTS = [
    ("AdamOptimizer", "default", np.float32, AdamWithoutBiasCorrection),
    ("AdamOptimizer", "betas", np.float32, AdamLazySparse),
    ("AdamOptimizer", "default", np.float64, AdamFloat64BetaPowers),
    ("MomentumOptimizer", "nesterov", np.float32, MomentumIgnoringNesterov),
    ("MomentumOptimizer", "default", np.float32, MomentumDenseSparse),
    ("RMSPropOptimizer", "centered_momentum", np.float32, RMSPropRmsFromZero),
    ("FtrlOptimizer", "beta", np.float32, FtrlIgnoringBeta),
    ("FtrlOptimizer", "shrinkage_v2", np.float32, FtrlV2AccumulatingShrunkGradient),
    ("AdagradDAOptimizer", "l1_l2", np.float32, AdagradDAWithoutPlusOne),
    ("ProximalAdagradOptimizer", "l1_l2", np.float32, ProximalAdagradRawLearningRate),
    ("MomentumOptimizer", "default", np.float64, UnroundedHyperparameters),
    ("AdagradOptimizer", "default", np.float64, AdagradSlotThroughFloat32),
    ("FtrlOptimizer", "beta", np.float64, FtrlAdjustedL2InFloat64),
]


@pytest.mark.parametrize(
    "spec_name,config_id,dtype,mutant",
    [pytest.param(*m, id=f"{m[3].__name__}-{np.dtype(m[2]).name}") for m in MUTANTS],
)
def test_wrong_model_is_rejected(spec_name, config_id, dtype, mutant):
    """A model that is wrong in one TF1 detail fails the comparison (eager mode)."""
    case = default_case(_spec(spec_name), config_id, dtype)
    observed = run_tfv1compat(case, "eager")
    compare(observed, run_model(case), case)  # the correct model passes on the same run
    with pytest.raises(AssertionError):
        compare(observed, run_model(case, mutant), case)


def test_equivalent_model_is_accepted():
    """The other direction: a reformulation that is exact in real arithmetic (GradientDescent
    summing duplicates before scaling) is accepted, so the tolerances are not so tight that
    they only accept the model's own operation order."""
    case = default_case(_spec("GradientDescentOptimizer"), "default", np.float32)
    check(case, "eager", GradientDescentDeduplicatingFirst)


def test_every_optimizer_has_a_model():
    """The table and the models cover the same ten optimizers, with the same slot names."""
    assert {spec.name for spec in SPECS} == set(numpy_models.MODELS)
    for spec in SPECS:
        for config_id in spec.configs:
            kwargs = dict(spec.configs[config_id])
            model = numpy_models.build_model(spec.name, np.float32, spec.learning_rate, **kwargs)
            assert tuple(sorted(model.slot_names)) == spec.slots_for(config_id)
