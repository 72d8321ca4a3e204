"""Keras 3 variables and legacy (``disable_v2_behavior``) scripts, against TF1 as the oracle.

TF 2.21's own ``tf.compat.v1.train`` cannot optimize Keras 3 variables (shown below), so for
Keras models the oracle is TF1's optimizer on plain ``tf.Variable``s holding the same initial
values, driven by the same loss maths; Keras' ``Dense`` and ``Embedding`` run the very ops the
plain loss runs (``MatMul``, ``AddV2``, ``GatherV2``), so results must be bit-identical. Legacy
scripts run in a subprocess because ``disable_v2_behavior()`` is process-global.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
from collections.abc import Callable

import keras
import numpy as np
import oracle
import pytest
import tensorflow as tf
from optimizer_specs import SPECS, spec_config_id

from tfv1compat import train as ours

TF1 = tf.compat.v1.train
STEPS = 3
LEGACY_SCRIPT = pathlib.Path(__file__).parent / "legacy_scripts" / "disable_v2_train.py"

_rng = np.random.default_rng(20240607)
INPUTS = _rng.standard_normal((5, 4)).astype(np.float32)
TARGETS = _rng.standard_normal((5, 1)).astype(np.float32)
IDS = np.array([[0, 3, 0], [4, 3, 3]], dtype=np.int32)  # duplicate rows on purpose


def dense_model() -> keras.Model:
    """The brief's model, with deterministic (seeded) weights."""
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(1)])
    rng = np.random.default_rng(7)
    model.set_weights([rng.standard_normal(w.shape).astype(np.float32) for w in model.weights])
    return model


def keras_loss(model: keras.Model) -> Callable[[], tf.Tensor]:
    return lambda: tf.reduce_mean(tf.square(model(INPUTS) - TARGETS))


def plain_loss(variables: list[tf.Variable]) -> Callable[[], tf.Tensor]:
    """``keras_loss`` written with plain ops on plain variables (kernel, bias, kernel, bias)."""

    def loss() -> tf.Tensor:
        kernel1, bias1, kernel2, bias2 = variables
        hidden = tf.matmul(INPUTS, kernel1) + bias1
        return tf.reduce_mean(tf.square(tf.matmul(hidden, kernel2) + bias2 - TARGETS))

    return loss


def state(opt, variables: list) -> dict[str, np.ndarray]:
    """Values of ``variables``, of each of their slots, and of ``opt``'s non-slot variables."""
    values = {}
    slot_refs = set()
    for i, var in enumerate(variables):
        values["%d" % i] = np.asarray(var.numpy())
        for slot_name in opt.get_slot_names():
            slot = opt.get_slot(var, slot_name)
            assert slot is not None, "no %s slot for variable %d" % (slot_name, i)
            values["%d/%s" % (i, slot_name)] = slot.numpy()
            slot_refs.add(slot.ref())
    for variable in opt.variables():
        if variable.ref() not in slot_refs:
            values[variable.name.split(":")[0]] = variable.numpy()
    return values


def assert_same_state(got: dict, expected: dict, step: int) -> None:
    assert sorted(got) == sorted(expected), step
    for key in expected:
        np.testing.assert_array_equal(
            got[key], expected[key], err_msg="%s after step %d" % (key, step)
        )


def make_train_step(
    opt, loss: Callable[[], tf.Tensor], var_list: list, api: str, step, mode: str
) -> Callable[[], None]:
    """One training step through ``minimize`` or ``compute_gradients``+``apply_gradients``,
    eagerly or as a ``tf.function`` (traced once and reused)."""

    def train() -> None:
        if api == "minimize":
            opt.minimize(loss, var_list=var_list, global_step=step)
        else:
            grads_and_vars = opt.compute_gradients(loss, var_list=var_list)
            assert all(got is v for (_, got), v in zip(grads_and_vars, var_list, strict=True))
            opt.apply_gradients(grads_and_vars, global_step=step)

    return tf.function(train) if mode == "tf_function" else train


# --------------------------------------------------------------------------- Keras 3 models


@pytest.mark.parametrize("api", ["minimize", "compute_apply"])
@pytest.mark.parametrize("mode", ["eager", "tf_function"])
@pytest.mark.parametrize("spec", SPECS, ids=spec_config_id)
def test_keras_dense_model_matches_tf1_on_plain_variables(spec, mode: str, api: str) -> None:
    """Every optimizer trains a Keras 3 model's variables exactly as TF1 trains plain
    ``tf.Variable``s with the same values and loss: weights, every slot (looked up with the
    Keras variable) and non-slot variables equal after each of 3 steps."""
    model = dense_model()
    keras_vars = model.trainable_variables
    plain_vars = [tf.Variable(v.numpy()) for v in keras_vars]
    ours_step = tf.Variable(0, dtype=tf.int64)
    tf1_step = tf.Variable(0, dtype=tf.int64)
    ours_opt = spec.build(ours, "default", global_step=ours_step)
    tf1_opt = spec.build(TF1, "default", global_step=tf1_step)
    train_ours = make_train_step(ours_opt, keras_loss(model), keras_vars, api, ours_step, mode)
    train_tf1 = make_train_step(tf1_opt, plain_loss(plain_vars), plain_vars, api, tf1_step, mode)
    for step in range(1, STEPS + 1):
        train_ours()
        train_tf1()
        assert_same_state(state(ours_opt, keras_vars), state(tf1_opt, plain_vars), step)
    assert int(ours_step.numpy()) == int(tf1_step.numpy()) == STEPS
    # Slots are found from the Keras variable and from the tf.Variable it wraps alike.
    for slot_name in ours_opt.get_slot_names():
        assert ours_opt.get_slot(keras_vars[0], slot_name) is ours_opt.get_slot(
            keras_vars[0].value, slot_name
        )


def test_default_var_list_on_keras_model_matches_tf1() -> None:
    """With ``var_list=None`` the tape yields the ``tf.Variable``s inside the Keras variables;
    TF1 handles that case, so here the oracle runs on an identical Keras model."""
    results = []
    for module in (ours, TF1):
        model = dense_model()
        opt = module.AdamOptimizer(0.1)
        for _ in range(STEPS):
            opt.minimize(keras_loss(model))
        results.append(state(opt, [v.value for v in model.trainable_variables]))
    assert_same_state(results[0], results[1], STEPS)


def test_tf1_fails_on_keras_variables() -> None:
    """The case tfv1compat fixes: TF 2.21's ``tf.compat.v1.train`` rejects Keras 3 variables.
    ``minimize``/``compute_gradients`` raise ``ValueError`` (from ``GradientTape.watch``) and
    ``apply_gradients`` raises ``AttributeError`` (no ``_unique_id``); ours trains them."""
    model = dense_model()
    keras_vars = model.trainable_variables
    before = [v.numpy() for v in keras_vars]
    with pytest.raises(ValueError, match="not tf.Tensor or tf.Variable"):
        TF1.AdamOptimizer(0.1).minimize(keras_loss(model), var_list=keras_vars)
    with pytest.raises(ValueError, match="not tf.Tensor or tf.Variable"):
        TF1.AdamOptimizer(0.1).compute_gradients(keras_loss(model), var_list=keras_vars)
    with pytest.raises(AttributeError, match="_unique_id"):
        TF1.AdamOptimizer(0.1).apply_gradients([(tf.ones(v.shape), v) for v in keras_vars])

    @tf.function
    def tf1_in_function():
        TF1.AdamOptimizer(0.1).minimize(keras_loss(model), var_list=keras_vars)

    with pytest.raises(ValueError, match="not tf.Tensor or tf.Variable"):
        tf1_in_function()
    for variable, value in zip(keras_vars, before):
        np.testing.assert_array_equal(variable.numpy(), value)  # TF1 failed before any update
    ours.AdamOptimizer(0.1).minimize(keras_loss(model), var_list=keras_vars)
    assert not np.array_equal(keras_vars[0].numpy(), before[0])


@pytest.mark.parametrize("mode", ["eager", "tf_function"])
@pytest.mark.parametrize("spec", SPECS, ids=spec_config_id)
def test_keras_embedding_indexed_slices_match_tf1(spec, mode: str) -> None:
    """A Keras ``Embedding`` gives ``IndexedSlices`` gradients (with duplicate ids) for a
    Keras variable; every optimizer's sparse path then equals TF1's on a plain variable read
    with ``tf.gather``: table, slots and non-slot variables after each of 3 steps."""
    layer = keras.layers.Embedding(5, 2)
    layer.build((None, 3))
    layer.set_weights([np.random.default_rng(3).standard_normal((5, 2)).astype(np.float32)])
    keras_vars = layer.trainable_variables
    plain_vars = [tf.Variable(keras_vars[0].numpy())]

    def keras_embedding_loss() -> tf.Tensor:
        return tf.reduce_sum(tf.square(layer(IDS)) * 0.5)

    def plain_embedding_loss() -> tf.Tensor:
        return tf.reduce_sum(tf.square(tf.gather(plain_vars[0], IDS)) * 0.5)

    gradient = ours.GradientDescentOptimizer(0.1).compute_gradients(
        keras_embedding_loss, var_list=keras_vars
    )[0][0]
    assert isinstance(gradient, tf.IndexedSlices)
    ours_step = tf.Variable(0, dtype=tf.int64)
    tf1_step = tf.Variable(0, dtype=tf.int64)
    ours_opt = spec.build(ours, "default", global_step=ours_step)
    tf1_opt = spec.build(TF1, "default", global_step=tf1_step)
    train_ours = make_train_step(
        ours_opt, keras_embedding_loss, keras_vars, "minimize", ours_step, mode
    )
    train_tf1 = make_train_step(
        tf1_opt, plain_embedding_loss, plain_vars, "minimize", tf1_step, mode
    )
    for step in range(1, STEPS + 1):
        train_ours()
        train_tf1()
        assert_same_state(state(ours_opt, keras_vars), state(tf1_opt, plain_vars), step)


# --------------------------------------------------------------------------- legacy scripts


def test_disable_v2_behavior_script_matches_tf1() -> None:
    """``tests/legacy_scripts/disable_v2_train.py`` trains ref variables (v2 behaviour
    disabled) with all ten optimizers and with TF1's twins in a Session, exits 0 only if every
    variable, slot, non-slot variable and global step is identical after every step and the
    graphs ``minimize`` builds equal TF1's node for node; its table names every optimizer."""
    oracle.require()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")
    result = subprocess.run(
        [sys.executable, str(LEGACY_SCRIPT)],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        check=False,
    )
    report = "stdout:\n%s\nstderr (tail):\n%s" % (result.stdout, result.stderr[-3000:])
    assert result.returncode == 0, report
    for spec in SPECS:
        assert any(
            line.split() and line.split()[0] == spec.name and line.rstrip().endswith("ok")
            for line in result.stdout.splitlines()
        ), report
