"""Every TF1 decay drives every optimizer exactly as TF1's decay drives TF1's optimizer.

Subject: ``tfv1compat.train.<decay>`` feeding ``tfv1compat.train.<Optimizer>``; oracle: the same
names from ``tf.compat.v1.train``. 20 ``apply_gradients(global_step=step)`` calls, comparing
variables and slots after every step, in eager, inside ``tf.function`` and in Graph + Session.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from optimizer_specs import SPECS

from tfv1compat import train as ours

oracle = tf.compat.v1.train
STEPS = 20

# Deterministic decays with arguments that make every branch move within 20 steps.
DECAYS = {
    "exponential_decay": dict(decay_steps=5, decay_rate=0.5, staircase=True),
    "piecewise_constant": None,  # (x, boundaries, values): built specially below
    "polynomial_decay": dict(decay_steps=7, end_learning_rate=0.01, power=2.0, cycle=True),
    "natural_exp_decay": dict(decay_steps=4, decay_rate=0.3),
    "inverse_time_decay": dict(decay_steps=3, decay_rate=0.5, staircase=True),
    "cosine_decay": dict(decay_steps=15, alpha=0.1),
    "cosine_decay_restarts": dict(first_decay_steps=4, t_mul=2.0, m_mul=0.8, alpha=0.05),
    "linear_cosine_decay": dict(decay_steps=12, num_periods=1.5),
}
# noisy_linear_cosine_decay draws tf.random.normal without a seed argument, so TF1's own two
# runs differ; it is exercised (not compared) in test_noisy_decay_drives_every_optimizer.


def _decayed(module, decay: str, base_lr: float, step):
    if decay == "piecewise_constant":
        return module.piecewise_constant(step, [3, 9], [base_lr, base_lr * 0.5, base_lr * 0.1])
    return getattr(module, decay)(base_lr, step, **DECAYS[decay])


def _build(module, spec, lr, step):
    return spec.build(module, "default", learning_rate=lr, global_step=step)


def _state(opt, var) -> list[np.ndarray]:
    return [var.numpy()] + [opt.get_slot(var, n).numpy() for n in opt.get_slot_names()]


def _grads(step: int) -> np.ndarray:
    return np.random.default_rng(step).normal(size=(3, 2)).astype(np.float32)


def _eager_run(module, spec, decay):
    step = tf.Variable(0, dtype=tf.int64, name="global_step")
    var = tf.Variable(np.linspace(-1, 1, 6, dtype=np.float32).reshape(3, 2))
    lr = _decayed(module, decay, spec.learning_rate, step)
    opt = _build(module, spec, lr, step)
    states = []
    for k in range(STEPS):
        opt.apply_gradients([(tf.constant(_grads(k)), var)], global_step=step)
        states.append(_state(opt, var))
    return states


@pytest.mark.parametrize("decay", sorted(DECAYS))
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_eager(spec, decay):
    """Eager decays are callables: re-read the step each apply, where TF1 accepts callables."""
    if not spec.callable_hyperparameters:
        # TF1 passes the callable to convert_to_tensor: both must fail alike, nothing updated.
        with pytest.raises(ValueError) as expected:
            _eager_run(oracle, spec, decay)
        with pytest.raises(ValueError, match="function") as raised:
            _eager_run(ours, spec, decay)
        assert type(raised.value) is type(expected.value)
        return
    for got, want in zip(_eager_run(ours, spec, decay), _eager_run(oracle, spec, decay)):
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("decay", sorted(DECAYS))
def test_graph_session(decay):
    """In a Graph each decay is a tensor of the step: every optimizer accepts it."""
    results = {}
    for name, module in (("ours", ours), ("oracle", oracle)):
        with tf.Graph().as_default():
            step = tf.compat.v1.Variable(0, dtype=tf.int64, name="global_step", trainable=False)
            grad = tf.compat.v1.placeholder(tf.float32, (3, 2))
            train_ops, tracked = [], []
            for spec in SPECS:
                var = tf.compat.v1.Variable(np.linspace(-1, 1, 6, dtype=np.float32).reshape(3, 2))
                opt = _build(module, spec, _decayed(module, decay, spec.learning_rate, step), step)
                train_ops.append(opt.apply_gradients([(grad, var)]))
                tracked.append((var, opt))
            with tf.control_dependencies(train_ops):
                train = step.assign_add(1)
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                history = []
                for k in range(STEPS):
                    sess.run(train, {grad: _grads(k)})
                    history.append(
                        sess.run(
                            [
                                [var] + [opt.get_slot(var, n) for n in opt.get_slot_names()]
                                for var, opt in tracked
                            ]
                        )
                    )
        results[name] = history
    for got_step, want_step in zip(results["ours"], results["oracle"]):
        for got, want in zip(got_step, want_step):
            for a, b in zip(got, want):
                np.testing.assert_array_equal(a, b)


def _make_train_step(module, decay, tracked, step, opts):
    # Optimizers outlive the trace (tf.function may trace twice while variables are created),
    # so each reads its rate from a variable that the decay tensor, built in the trace, feeds.
    rates = {spec.name: tf.Variable(0.0, trainable=False) for spec, _ in tracked}
    for spec, _ in tracked:
        opts[spec.name] = _build(module, spec, rates[spec.name], step)

    @tf.function
    def train_step(grads):
        for spec, var in tracked:
            rates[spec.name].assign(_decayed(module, decay, spec.learning_rate, step))
            opts[spec.name].apply_gradients([(grads, var)])
        step.assign_add(1)

    return train_step


@pytest.mark.parametrize("decay", sorted(DECAYS))
def test_tf_function(decay):
    """Inside tf.function the decays are tensors: every optimizer, one trace per library."""
    results = {}
    for name, module in (("ours", ours), ("oracle", oracle)):
        step = tf.Variable(0, dtype=tf.int64, name="global_step")
        tracked = [
            (spec, tf.Variable(np.linspace(-1, 1, 6, dtype=np.float32).reshape(3, 2)))
            for spec in SPECS
        ]
        opts = {}

        train_step = _make_train_step(module, decay, tracked, step, opts)

        history = []
        for k in range(STEPS):
            train_step(tf.constant(_grads(k)))
            history.append([_state(opts[spec.name], var) for spec, var in tracked])
        results[name] = history
    for got_step, want_step in zip(results["ours"], results["oracle"]):
        for got, want in zip(got_step, want_step):
            for a, b in zip(got, want):
                np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_noisy_decay_drives_every_optimizer(spec):
    """The noisy decay is random (unseeded in TF1), so it is checked for effect, not equality."""
    with tf.Graph().as_default():
        step = tf.compat.v1.Variable(0, dtype=tf.int64, name="global_step", trainable=False)
        var = tf.compat.v1.Variable(np.ones((3, 2), np.float32))
        # A small noise variance keeps the rate positive (ProximalAdagrad rejects lr <= 0; the
        # default variance 1.0 can draw a negative rate, in TF1 too).
        lr = ours.noisy_linear_cosine_decay(
            spec.learning_rate, step, decay_steps=10, initial_variance=1e-4
        )
        assert lr.dtype == tf.float32
        train = _build(ours, spec, lr, step).apply_gradients(
            [(tf.constant(_grads(0)), var)], global_step=step
        )
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            before = sess.run(var)
            for _ in range(3):
                sess.run(train)
            after, final_step = sess.run([var, step])
    assert final_step == 3
    assert np.all(np.isfinite(after))
    assert not np.array_equal(before, after)
