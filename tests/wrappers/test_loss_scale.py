"""``MixedPrecisionLossScaleOptimizer`` and its loss scales against TF1's.

``tf.compat.v1.train.experimental.MixedPrecisionLossScaleOptimizer`` (with TF1's
``tf.compat.v1.mixed_precision`` loss scales) is the oracle. A run of ``STEPS`` steps has an
inf gradient at step 3 and a nan at step 5: every variable, slot, non-slot variable, the
global step, ``current_loss_scale`` and ``good_steps`` must equal TF1's after every step,
eagerly, inside ``tf.function`` and in a legacy Graph + Session. Where TF1 cannot run (float16
variables, Keras 3 variables), the reference is the plain optimizer on the unscaled loss (a
power-of-two scale is exact) or ours on plain ``tf.Variable``s.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import oracle
import pytest
import signatures
import tensorflow as tf
from optimizer_specs import SPECS, SPECS_BY_NAME, spec_config_id
from parity_helpers import canonical_name, initial_values, loss_value, step_arrays

from tfv1compat import train as ours
from tfv1compat.train.experimental import (
    DynamicLossScale,
    FixedLossScale,
    LossScale,
    MixedPrecisionLossScaleOptimizer,
)

ORACLE = tf.compat.v1.train
ORACLE_LSO = ORACLE.experimental.MixedPrecisionLossScaleOptimizer
V1_MIXED = tf.compat.v1.mixed_precision
LAYOUT = "mixed"  # w, b dense; emb read through tf.gather (IndexedSlices, duplicate index)
STEPS = 6
INF_STEP, NAN_STEP = 3, 5  # 1-based
SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sync_scripts", "mirrored.py")

# kind -> (factory of our loss_scale argument, factory of TF1's): fresh objects per side.
LOSS_SCALES: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
    # A period of 2 makes the scale rise (step 2) as well as fall (steps 3 and 5).
    "dynamic_period_2": (
        lambda: DynamicLossScale(4, 2, 2.0),
        lambda: V1_MIXED.DynamicLossScale(4, 2, 2.0),
    ),
    "dynamic": (lambda: "dynamic", lambda: "dynamic"),
    # TF1's own loss-scale object, as legacy code builds it, driven by our optimizer.
    "tf1_object": (
        lambda: V1_MIXED.DynamicLossScale(8, 3, 4.0),
        lambda: V1_MIXED.DynamicLossScale(8, 3, 4.0),
    ),
    # Not a power of two: the reciprocal rounds, so the unscaled gradients differ from the
    # plain ones; they must still equal TF1's.
    "fixed": (lambda: 1000.0, lambda: 1000.0),
}


def loss_scale_for(kind: str, label: str) -> Any:
    """A fresh ``loss_scale`` argument of ``kind`` for the subject or the oracle."""
    ours_factory, tf1_factory = LOSS_SCALES[kind]
    return ours_factory() if label == "subject" else tf1_factory()


def step_coefficients(dtype: tf.DType = tf.float32) -> list[dict[str, np.ndarray]]:
    """Loss coefficients per step; an inf (dense ``w``) at INF_STEP, a nan (sparse ``emb``) at
    NAN_STEP, so those steps' gradients are not finite."""
    arrays = step_arrays(LAYOUT, dtype, steps=STEPS)
    arrays[INF_STEP - 1]["w"][0, 0] = np.inf
    arrays[NAN_STEP - 1]["emb"][1, 0] = np.nan
    return arrays


class Side:
    """One loss-scale optimizer (ours or TF1's) with its own variables and global step."""

    def __init__(self, label: str, spec, loss_scale, dtype: tf.DType = tf.float32) -> None:
        if label == "subject":
            module, lso_class = ours, MixedPrecisionLossScaleOptimizer
        else:
            module, lso_class = ORACLE, ORACLE_LSO
        self.label = label
        self.variables = {
            name: tf.Variable(value, name=name)
            for name, value in initial_values(LAYOUT, dtype).items()
        }
        self.global_step = tf.Variable(0, dtype=tf.int64, name="global_step", trainable=False)
        self.inner = spec.build(module, "default", global_step=self.global_step)
        self.lso = lso_class(self.inner, loss_scale)

    def train_step(self, coefficients) -> None:
        self.lso.minimize(
            lambda: loss_value(LAYOUT, self.variables, coefficients),
            global_step=self.global_step,
            var_list=list(self.variables.values()),
        )

    def fetches(self) -> dict[str, Any]:
        """Every piece of state, by role (TF1 keeps slots on the wrapped optimizer)."""
        state = {f"variable {n}": v for n, v in self.variables.items()}
        for slot_name in self.inner.get_slot_names():
            for name, variable in self.variables.items():
                state[f"slot {slot_name} of {name}"] = self.inner.get_slot(variable, slot_name)
        for variable in self.inner._non_slot_variables():
            state[f"non-slot {canonical_name(variable.name)}"] = variable
        for (name, _), weight in self.lso._loss_scale._weights.items():
            state[f"loss scale {name}"] = weight
        state["global_step"] = self.global_step
        return state

    def variables_roles(self) -> list[str]:
        """``lso.variables()`` as canonical names, in order (TF1: inner's, then the weights)."""
        return [canonical_name(v.name) for v in self.lso.variables()]


def assert_same_state(subject: dict, oracle: dict, where: str) -> None:
    assert subject.keys() == oracle.keys(), where
    for key, value in subject.items():
        np.testing.assert_array_equal(value, oracle[key], err_msg=f"{where}: {key}")
        assert np.asarray(value).dtype == np.asarray(oracle[key]).dtype, f"{where}: {key}"


def assert_skipped(history: list[dict], step: int) -> None:
    """At a non-finite ``step`` (1-based) nothing but the loss scale changed."""
    before, after = history[step - 2], history[step - 1]
    for key, value in after.items():
        if not key.startswith("loss scale"):
            np.testing.assert_array_equal(value, before[key], err_msg=f"step {step}: {key}")


def run_eager_parity(spec, kind: str, mode: str) -> list[dict]:
    """Subject and oracle side by side; returns the oracle's state after every step."""
    sides = [Side(label, spec, loss_scale_for(kind, label)) for label in ("subject", "oracle")]
    steps = [
        tf.function(side.train_step) if mode == "function" else side.train_step for side in sides
    ]
    history = []
    for index, coefficients in enumerate(step_coefficients(), 1):
        tensors = {name: tf.constant(value) for name, value in coefficients.items()}
        for step in steps:
            step(tensors)
        values = [{k: v.numpy() for k, v in side.fetches().items()} for side in sides]
        assert_same_state(values[0], values[1], f"{mode} step {index}")
        assert sides[0].variables_roles() == sides[1].variables_roles()
        history.append(values[1])
    return history


def check_run_semantics(history: list[dict], kind: str) -> None:
    """Non-vacuous: training moved the variables; with a dynamic scale the non-finite steps
    were skipped (no global-step increment) and the scale fell; a fixed scale applied them."""
    assert not np.array_equal(history[-1]["variable w"], history[0]["variable w"])
    steps = [int(h["global_step"]) for h in history]
    if kind == "fixed":
        assert steps == list(range(1, STEPS + 1))
        return
    for bad in (INF_STEP, NAN_STEP):
        assert_skipped(history, bad)
        scale_before = history[bad - 2]["loss scale current_loss_scale"]
        assert history[bad - 1]["loss scale current_loss_scale"] < scale_before
        assert history[bad - 1]["loss scale good_steps"] == 0
    assert steps[-1] == STEPS - 2


@pytest.mark.parametrize("mode", ["eager", "function"])
@pytest.mark.parametrize("spec", SPECS, ids=spec_config_id)
def test_dynamic_run_with_inf_and_nan_steps_matches_tf1(spec, mode: str) -> None:
    """Every optimizer in the table, wrapped with a dynamic scale (period 2): six ``minimize``
    steps with an inf gradient at step 3 and a nan at step 5 equal TF1's state after every
    step; those steps change nothing but the scale, which first rises (step 2), then falls."""
    history = run_eager_parity(spec, "dynamic_period_2", mode)
    check_run_semantics(history, "dynamic_period_2")
    assert history[1]["loss scale current_loss_scale"] > history[0]["loss scale current_loss_scale"]


@pytest.mark.parametrize("mode", ["eager", "function"])
@pytest.mark.parametrize("kind", ["dynamic", "tf1_object", "fixed"])
def test_other_loss_scales_match_tf1(kind: str, mode: str) -> None:
    """``'dynamic'`` (2**15, period 2000), a TF1 ``DynamicLossScale`` object handed to our
    optimizer, and a fixed non-power-of-two scale (which applies the non-finite steps, as TF1
    does): Adam and Momentum equal TF1's step by step."""
    for name in ("AdamOptimizer", "MomentumOptimizer"):
        history = run_eager_parity(SPECS_BY_NAME[name], kind, mode)
        check_run_semantics(history, kind)


@pytest.mark.parametrize("kind", ["dynamic_period_2", "fixed"])
def test_legacy_graph_session_matches_tf1(kind: str) -> None:
    """In a ``tf.Graph`` + ``Session`` with a tensor loss and graph collections
    (``minimize(loss, global_step)``, ``var_list=None``): same train-op name and type, same
    ``variables()`` names, and TF1's state after every step of the inf/nan run."""
    spec = SPECS_BY_NAME["AdamOptimizer"]
    results = {}
    for label in ("subject", "oracle"):
        with tf.Graph().as_default():
            side = Side(label, spec, loss_scale_for(kind, label))
            feeds = {
                name: tf.compat.v1.placeholder(tf.float32, value.shape)
                for name, value in step_coefficients()[0].items()
            }
            train_op = side.lso.minimize(
                loss_value(LAYOUT, side.variables, feeds), global_step=side.global_step
            )
            fetches = side.fetches()
            names = [v.name for v in side.lso.variables()]
            with tf.compat.v1.Session() as session:
                session.run(tf.compat.v1.global_variables_initializer())
                history = []
                for coefficients in step_coefficients():
                    session.run(train_op, {feeds[n]: a for n, a in coefficients.items()})
                    history.append(session.run(fetches))
        results[label] = (train_op.name, train_op.type, names, history)
    subject, oracle = results["subject"], results["oracle"]
    assert subject[:3] == oracle[:3]
    for index, (s, o) in enumerate(zip(subject[3], oracle[3]), 1):
        assert_same_state(s, o, f"graph step {index}")
    check_run_semantics(oracle[3], kind)


def test_compute_gradients_returns_unscaled_gradients() -> None:
    """``compute_gradients`` scales the loss and returns the gradients divided back: equal to
    TF1's (dense and IndexedSlices), and for a power-of-two scale exactly the plain
    optimizer's gradients; variables are returned unchanged, None gradients stay None."""
    results = []
    for label, scale in (("subject", 2.0**10), ("oracle", 2.0**10), ("subject", "plain")):
        variables = {n: tf.Variable(v) for n, v in initial_values(LAYOUT, tf.float32).items()}
        unused = tf.Variable([1.0])
        module = ours if label == "subject" else ORACLE
        optimizer = module.AdamOptimizer(0.1)
        if scale != "plain":
            lso_class = MixedPrecisionLossScaleOptimizer if label == "subject" else ORACLE_LSO
            optimizer = lso_class(optimizer, scale)
        coefficients = step_coefficients()[0]
        var_list = list(variables.values()) + [unused]
        pairs = optimizer.compute_gradients(
            lambda variables=variables, coefficients=coefficients: loss_value(
                LAYOUT, variables, coefficients
            ),
            var_list=var_list,
        )
        assert [v for _, v in pairs] == var_list
        assert pairs[-1][0] is None
        assert isinstance(pairs[2][0], tf.IndexedSlices)
        results.append([tf.convert_to_tensor(g).numpy() for g, _ in pairs[:-1]])
    for reference in results[1:]:
        for a, b in zip(results[0], reference):
            np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------- dtypes, Keras


@pytest.mark.parametrize("spec", [s for s in SPECS if tf.float16 in s.dtypes], ids=spec_config_id)
def test_float16_variables_skip_overflowing_steps(spec) -> None:
    """float16 variables, ``'dynamic'`` scale: TF1's optimizer fails (it multiplies float16
    gradients by a float32 reciprocal); ours works. Step 1's scaled gradients overflow
    float16 (so the step is skipped and the scale halves); every step ours applies equals
    TF1's plain optimizer on the unscaled loss (a power-of-two scale is exact), and every
    step it skips is one whose unscaled gradients are not finite."""
    x = tf.Variable([1.0], dtype=tf.float16)
    with pytest.raises(tf.errors.InvalidArgumentError, match="half tensor but is a float"):
        ORACLE_LSO(ORACLE.GradientDescentOptimizer(0.1), "dynamic").compute_gradients(
            lambda: tf.reduce_sum(x * x), [x]
        )

    subject_vars = {n: tf.Variable(v) for n, v in initial_values(LAYOUT, tf.float16).items()}
    oracle_vars = {n: tf.Variable(v) for n, v in initial_values(LAYOUT, tf.float16).items()}
    subject_step, oracle_step = (tf.Variable(0, dtype=tf.int64) for _ in range(2))
    inner = spec.build(ours, "default", global_step=subject_step)
    lso = MixedPrecisionLossScaleOptimizer(inner, "dynamic")
    oracle = spec.build(ORACLE, "default", global_step=oracle_step)
    arrays = step_arrays(LAYOUT, tf.float16, steps=4)
    arrays[0] = {n: a * np.float16(64) for n, a in arrays[0].items()}  # overflows at 2**15
    skipped = []
    for index, coefficients in enumerate(arrays, 1):
        pairs = lso.compute_gradients(
            lambda coefficients=coefficients: loss_value(LAYOUT, subject_vars, coefficients),
            var_list=list(subject_vars.values()),
        )
        finite = all(np.isfinite(tf.convert_to_tensor(g).numpy()).all() for g, _ in pairs)
        scale_before = float(lso._loss_scale())
        lso.apply_gradients(pairs, global_step=subject_step)
        if finite:
            oracle_pairs = oracle.compute_gradients(
                lambda coefficients=coefficients: loss_value(LAYOUT, oracle_vars, coefficients),
                var_list=list(oracle_vars.values()),
            )
            for (g, _), (expected, _) in zip(pairs, oracle_pairs):
                np.testing.assert_array_equal(
                    tf.convert_to_tensor(g), tf.convert_to_tensor(expected)
                )
            oracle.apply_gradients(oracle_pairs, global_step=oracle_step)
        else:
            skipped.append(index)
            assert float(lso._loss_scale()) == scale_before / 2
        for name in subject_vars:
            np.testing.assert_array_equal(subject_vars[name], oracle_vars[name], err_msg=name)
            for slot_name in inner.get_slot_names():
                np.testing.assert_array_equal(
                    inner.get_slot(subject_vars[name], slot_name),
                    oracle.get_slot(oracle_vars[name], slot_name),
                    err_msg=f"{slot_name} of {name}",
                )
        assert int(subject_step) == int(oracle_step)
    assert skipped and skipped[0] == 1 and len(skipped) < len(arrays), skipped


def test_float64_variables_work_and_match_the_plain_optimizer() -> None:
    """float64 variables (TF1's optimizer fails on them too): with a power-of-two scale,
    ``minimize`` equals the plain optimizer on the unscaled loss, step by step."""
    subject_vars = {n: tf.Variable(v) for n, v in initial_values(LAYOUT, tf.float64).items()}
    oracle_vars = {n: tf.Variable(v) for n, v in initial_values(LAYOUT, tf.float64).items()}
    lso = MixedPrecisionLossScaleOptimizer(ours.AdamOptimizer(0.1), DynamicLossScale(4, 2, 2.0))
    oracle = ORACLE.AdamOptimizer(0.1)
    for coefficients in step_arrays(LAYOUT, tf.float64, steps=3):
        lso.minimize(lambda c=coefficients: loss_value(LAYOUT, subject_vars, c))
        oracle.minimize(lambda c=coefficients: loss_value(LAYOUT, oracle_vars, c))
        for name in subject_vars:
            np.testing.assert_array_equal(subject_vars[name], oracle_vars[name], err_msg=name)
    assert float(lso._loss_scale()) == 8.0  # rose once: the run had finite gradients only


def minimize_step(lso, loss, var_list, step) -> Callable[[], None]:
    """A zero-argument train step (a closure: tf.function would turn default args into
    tensors)."""

    def train() -> None:
        lso.minimize(loss, global_step=step, var_list=var_list)

    return train


@pytest.mark.parametrize("mode", ["eager", "function"])
def test_keras_mixed_float16_model_trains_like_plain_variables(mode: str) -> None:
    """A Keras 3 ``Dense`` layer under the ``mixed_float16`` policy (float32 variables,
    float16 compute) trained by ours with ``'dynamic'`` scaling (TF1's optimizer rejects Keras
    variables): the float16 backward pass overflows at 2**15 on step 1 (skipped, scale
    halves), then trains; every step equals ours on plain ``tf.Variable``s with the same
    values and the same float16 computation. The global policy is restored."""
    previous_policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        layer = keras.layers.Dense(2)
        layer.build((None, 3))
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)
    assert keras.mixed_precision.global_policy().name == previous_policy.name
    assert layer.compute_dtype == "float16" and layer.kernel.dtype == "float32"
    rng = np.random.default_rng(7)
    layer.kernel.assign(rng.uniform(-1.0, 1.0, (3, 2)).astype(np.float32))
    layer.bias.assign(rng.uniform(-0.5, 0.5, (2,)).astype(np.float32))
    inputs = tf.constant(rng.standard_normal((4, 3)).astype(np.float32))
    targets = tf.constant(np.full((4, 2), 4.0, np.float32))
    kernel = tf.Variable(layer.kernel.numpy())
    bias = tf.Variable(layer.bias.numpy())

    def keras_loss():
        return tf.reduce_mean(tf.square(tf.cast(layer(inputs), tf.float32) - targets))

    def plain_loss():
        outputs = tf.matmul(tf.cast(inputs, tf.float16), tf.cast(kernel, tf.float16))
        # Keras 3's ops.add of a bias is tf.nn.bias_add (whose gradient sums like BiasAddGrad).
        outputs = tf.nn.bias_add(outputs, tf.cast(bias, tf.float16))
        return tf.reduce_mean(tf.square(tf.cast(outputs, tf.float32) - targets))

    np.testing.assert_array_equal(keras_loss(), plain_loss())
    sides = []
    for loss, var_list in ((keras_loss, layer.trainable_variables), (plain_loss, [kernel, bias])):
        step = tf.Variable(0, dtype=tf.int64)
        inner = ours.AdamOptimizer(0.01)
        lso = MixedPrecisionLossScaleOptimizer(inner, "dynamic")

        train = minimize_step(lso, loss, var_list, step)
        sides.append(
            (tf.function(train) if mode == "function" else train, inner, lso, var_list, step)
        )
    scales = []
    for index in range(1, 5):
        for train, *_ in sides:
            train()
        (_, k_inner, k_lso, k_vars, k_step), (_, p_inner, p_lso, p_vars, p_step) = sides
        for keras_var, plain_var in zip(k_vars, p_vars):
            np.testing.assert_array_equal(keras_var, plain_var, err_msg=f"step {index}")
            for slot_name in ("m", "v"):
                np.testing.assert_array_equal(
                    k_inner.get_slot(keras_var, slot_name), p_inner.get_slot(plain_var, slot_name)
                )
        # variables() sorts by name, and Keras names its variables differently: compare the
        # beta powers and the loss-scale weights (the last two) by role.
        for k_weight, p_weight in zip(
            [*k_inner._get_beta_accumulators(), *k_lso.variables()[-2:]],
            [*p_inner._get_beta_accumulators(), *p_lso.variables()[-2:]],
            strict=True,
        ):
            np.testing.assert_array_equal(k_weight, p_weight)
        assert int(k_step) == int(p_step)
        scales.append((float(k_lso._loss_scale()), int(k_step)))
    # Steps 1 and 2 overflow float16 in the backward pass (2**15, 2**14), then steps apply.
    assert scales == [(2.0**14, 0), (2.0**13, 0), (2.0**13, 1), (2.0**13, 2)]


# --------------------------------------------------------------------------- checkpoints


def test_checkpoint_keys_and_values_match_tf1_and_restore_across(tmp_path) -> None:
    """After the same inf/nan run, ``tf.train.Checkpoint(optimizer=lso, x=...)`` writes TF1's
    keys (``optimizer/base_optimizer/...``, ``optimizer/loss_scale/current_loss_scale``, slots
    under ``.OPTIMIZER_SLOT/optimizer/base_optimizer``) with TF1's values; a TF1-written
    checkpoint restored into a fresh optimizer of ours (before its first step) continues
    exactly like TF1's."""
    spec = SPECS_BY_NAME["AdamOptimizer"]
    paths = {}
    sides = {}
    for label in ("subject", "oracle"):
        side = Side(label, spec, loss_scale_for("dynamic_period_2", label))
        for coefficients in step_coefficients()[:INF_STEP]:
            side.train_step({n: tf.constant(a) for n, a in coefficients.items()})
        checkpoint = tf.train.Checkpoint(
            optimizer=side.lso, step=side.global_step, **side.variables
        )
        paths[label] = checkpoint.save(str(tmp_path / label))
        sides[label] = side
    listed = {label: dict(tf.train.list_variables(path)) for label, path in paths.items()}
    assert listed["subject"].keys() == listed["oracle"].keys()
    assert "optimizer/loss_scale/current_loss_scale/.ATTRIBUTES/VARIABLE_VALUE" in listed["oracle"]
    assert (
        "w/.OPTIMIZER_SLOT/optimizer/base_optimizer/m/.ATTRIBUTES/VARIABLE_VALUE"
        in listed["oracle"]
    )
    for key in listed["oracle"]:
        if key != "_CHECKPOINTABLE_OBJECT_GRAPH":
            np.testing.assert_array_equal(
                tf.train.load_variable(paths["subject"], key),
                tf.train.load_variable(paths["oracle"], key),
                err_msg=key,
            )

    restored = Side("subject", spec, loss_scale_for("dynamic_period_2", "subject"))
    status = tf.train.Checkpoint(
        optimizer=restored.lso, step=restored.global_step, **restored.variables
    ).restore(paths["oracle"])
    for coefficients in step_coefficients()[INF_STEP:]:
        tensors = {n: tf.constant(a) for n, a in coefficients.items()}
        restored.train_step(tensors)
        sides["oracle"].train_step(tensors)
        assert_same_state(
            {k: v.numpy() for k, v in restored.fetches().items()},
            {k: v.numpy() for k, v in sides["oracle"].fetches().items()},
            "after restore",
        )
    status.assert_consumed()


# --------------------------------------------------------------------------- errors


def tf1_error(fn: Callable[[], Any]) -> Exception:
    with pytest.raises(Exception) as info:
        fn()
    return info.value


@pytest.mark.parametrize(
    "loss_scale", [None, "foo", 0.5, 0, [2.0]], ids=["none", "foo", "half", "zero", "list"]
)
def test_invalid_loss_scale_raises_tf1s_value_error(loss_scale) -> None:
    """``None``, an unknown string, a number below 1 and other objects raise TF1's
    ``ValueError`` with TF1's exact message."""
    expected = tf1_error(lambda: ORACLE_LSO(ORACLE.AdamOptimizer(), loss_scale))
    with pytest.raises(ValueError) as info:
        MixedPrecisionLossScaleOptimizer(ours.AdamOptimizer(), loss_scale)
    assert type(expected) is ValueError and str(info.value) == str(expected)


def test_non_optimizer_raises_tf1s_value_error() -> None:
    """A non-optimizer ``opt`` (an int, or TF1's own optimizer) raises TF1's ``ValueError``;
    the message starts with TF1's words."""
    expected = tf1_error(lambda: ORACLE_LSO(1, "dynamic"))
    assert type(expected) is ValueError
    for opt in (1, ORACLE.AdamOptimizer()):
        with pytest.raises(ValueError) as info:
            MixedPrecisionLossScaleOptimizer(opt, "dynamic")
        prefix = str(expected).replace("<class 'int'>", str(type(opt)))
        assert str(info.value).startswith(prefix), str(info.value)


def test_fixed_loss_scale_rejects_non_numbers_like_tf1() -> None:
    """``FixedLossScale('4')`` raises TF1's ValueError."""
    expected = tf1_error(lambda: V1_MIXED.FixedLossScale("4"))
    with pytest.raises(ValueError) as info:
        FixedLossScale("4")
    assert type(expected) is ValueError and str(info.value) == str(expected)


@pytest.mark.parametrize("kind", ["dynamic", "fixed"])
def test_cross_replica_apply_raises_tf1s_value_error(kind: str) -> None:
    """``apply_gradients`` in a cross-replica context (inside ``strategy.scope()``, outside
    ``strategy.run``) raises TF1's ``ValueError`` before anything is touched."""
    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    with strategy.scope():
        x = tf.Variable([1.0])
        x_tf1 = tf.Variable([1.0])
        lso = MixedPrecisionLossScaleOptimizer(
            ours.GradientDescentOptimizer(0.1), loss_scale_for(kind, "subject")
        )
        oracle = ORACLE_LSO(ORACLE.GradientDescentOptimizer(0.1), loss_scale_for(kind, "oracle"))
        expected = tf1_error(lambda: oracle.apply_gradients([(tf.constant([1.0]), x_tf1)]))
        with pytest.raises(ValueError) as info:
            lso.apply_gradients([(tf.constant([1.0]), x)])
    assert type(expected) is ValueError and str(info.value) == str(expected)
    np.testing.assert_array_equal(x, [1.0])


@pytest.mark.parametrize(
    "hook", ["_apply_dense", "_apply_sparse", "_resource_apply_dense", "_resource_apply_sparse"]
)
def test_apply_hooks_raise_like_tf1(hook: str) -> None:
    """The wrapper has no kernels of its own: calling one of its kernel hooks raises TF1's
    RuntimeError (ours is the engine's NotImplementedError, a RuntimeError, naming the wrapper)
    and updates nothing."""

    def arguments():
        var = tf.Variable([1.0, 2.0])
        grad = tf.constant([0.5, 0.5])
        sparse = tf.IndexedSlices(grad, tf.constant([0, 1]), tf.constant([2]))
        return var, {
            "_apply_dense": (grad, var),
            "_apply_sparse": (sparse, var),
            "_resource_apply_dense": (grad, var),
            "_resource_apply_sparse": (grad, var, tf.constant([0, 1])),
        }[hook]

    var_tf1, args = arguments()
    expected = tf1_error(lambda: getattr(ORACLE_LSO(ORACLE.AdamOptimizer(), 2.0), hook)(*args))
    assert type(expected) is RuntimeError
    var, args = arguments()
    with pytest.raises(RuntimeError, match="MixedPrecisionLossScaleOptimizer does not implement"):
        getattr(MixedPrecisionLossScaleOptimizer(ours.AdamOptimizer(), 2.0), hook)(*args)
    np.testing.assert_array_equal(var.numpy(), [1.0, 2.0])


# --------------------------------------------------------------------------- API


@pytest.mark.parametrize(
    "ours_class,tf1_class,method",
    [
        (MixedPrecisionLossScaleOptimizer, ORACLE_LSO, "__init__"),
        (MixedPrecisionLossScaleOptimizer, ORACLE_LSO, "compute_gradients"),
        (MixedPrecisionLossScaleOptimizer, ORACLE_LSO, "apply_gradients"),
        (MixedPrecisionLossScaleOptimizer, ORACLE_LSO, "minimize"),
        (MixedPrecisionLossScaleOptimizer, ORACLE_LSO, "variables"),
        (FixedLossScale, V1_MIXED.FixedLossScale, "__init__"),
        (DynamicLossScale, V1_MIXED.DynamicLossScale, "__init__"),
        (DynamicLossScale, V1_MIXED.DynamicLossScale, "update"),
        (LossScale, V1_MIXED.LossScale, "from_config"),
    ],
    ids=lambda value: value if isinstance(value, str) else value.__name__,
)
def test_signatures_match_tf1(ours_class, tf1_class, method: str) -> None:
    """Public constructors and methods have TF1's exact signatures."""
    assert signatures.without_annotations(
        getattr(ours_class, method)
    ) == signatures.without_annotations(getattr(tf1_class, method))


def test_loss_scale_objects_behave_like_tf1s() -> None:
    """Properties, ``get_config``/``from_config``, ``repr``, ``__call__`` and the weights
    (names, dtypes, trainable, aggregation, synchronization) equal TF1's."""
    for ours_scale, tf1_scale in (
        (DynamicLossScale(), V1_MIXED.DynamicLossScale()),
        (DynamicLossScale(4, 2, 3), V1_MIXED.DynamicLossScale(4, 2, 3)),
        (FixedLossScale(7), V1_MIXED.FixedLossScale(7)),
    ):
        assert ours_scale.get_config() == tf1_scale.get_config()
        assert repr(ours_scale) == repr(tf1_scale)
        assert repr(type(ours_scale).from_config(ours_scale.get_config())) == repr(ours_scale)
        ours_value, tf1_value = ours_scale(), tf1_scale()
        assert ours_value.dtype == tf1_value.dtype == tf.float32
        assert float(ours_value) == float(tf1_value)

        def describe(scale):
            return [
                (
                    key[0],
                    canonical_name(v.name),
                    v.dtype,
                    v.trainable,
                    v.aggregation,
                    v.synchronization,
                    v.numpy(),
                )
                for key, v in scale._weights.items()
            ]

        assert describe(ours_scale) == describe(tf1_scale)
        if isinstance(tf1_scale, V1_MIXED.DynamicLossScale):
            for attribute in ("initial_loss_scale", "increment_period", "multiplier"):
                assert getattr(ours_scale, attribute) == getattr(tf1_scale, attribute)
    with tf.Graph().as_default():
        assert repr(DynamicLossScale(4, 2, 3)) == repr(V1_MIXED.DynamicLossScale(4, 2, 3))


def test_wrapper_is_an_optimizer_with_tf1s_structure() -> None:
    """The wrapper is a tfv1compat ``Optimizer`` (``isinstance`` works) with the wrapped
    optimizer's name and locking; its checkpoint children are ``base_optimizer`` and
    ``loss_scale``; ``variables()`` is the wrapped optimizer's followed by the loss scale's
    weights; its own ``get_slot``/``get_slot_names`` find nothing, as TF1's."""
    x = tf.Variable([1.0, 2.0], name="x")
    x_tf1 = tf.Variable([1.0, 2.0], name="x")
    inner = ours.AdamOptimizer(0.1, use_locking=True, name="MyAdam")
    lso = MixedPrecisionLossScaleOptimizer(inner, "dynamic")
    oracle = ORACLE_LSO(ORACLE.AdamOptimizer(0.1, use_locking=True, name="MyAdam"), "dynamic")
    assert isinstance(lso, ours.Optimizer)
    assert lso.get_name() == oracle.get_name() == "MyAdam"
    assert lso._use_locking is oracle._use_locking is True
    for optimizer, variable in ((lso, x), (oracle, x_tf1)):
        optimizer.minimize(lambda v=variable: tf.reduce_sum(v * v), var_list=[variable])
    assert list(lso._trackable_children()) == list(oracle._trackable_children())
    assert lso._trackable_children()["base_optimizer"] is inner
    assert [canonical_name(v.name) for v in lso.variables()] == [
        canonical_name(v.name) for v in oracle.variables()
    ]
    assert lso.variables()[:-2] == inner.variables()
    assert lso.get_slot_names() == oracle.get_slot_names() == []
    assert lso.get_slot(x, "m") is None and oracle.get_slot(x_tf1, "m") is None


# --------------------------------------------------------------------------- MirroredStrategy


@pytest.mark.slow
def test_mirrored_strategy_matches_tf1_with_a_non_finite_replica() -> None:
    """``sync_scripts/mirrored.py loss_scale`` (2 logical CPUs in a subprocess): under
    ``MirroredStrategy``, with an inf on one replica at step 2 and a nan on the other at step
    4, ours equals TF1's on every replica after every step (Adam and Momentum, eager and
    ``tf.function``), and both replicas skip those steps."""
    oracle.require()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")
    result = subprocess.run(
        [sys.executable, SCRIPT, "loss_scale"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    report = "stdout:\n%s\nstderr (tail):\n%s" % (result.stdout, result.stderr[-3000:])
    assert result.returncode == 0, report
    for name in ("AdamOptimizer", "MomentumOptimizer"):
        for mode in ("function", "eager"):
            assert f"loss_scale {name} {mode}: ok" in result.stdout, report
