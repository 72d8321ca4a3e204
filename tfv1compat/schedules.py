"""TF1's learning-rate decay functions (``tf.compat.v1.train.*_decay``) on TF2 public ops.

Each function reproduces the op sequence of the TF-internal legacy schedules that TF1 uses
(same casts, same order of float operations, same name scopes), so its values are bit-equal
to TF1's. In a graph or ``tf.function`` it returns the decayed learning rate as a tensor; when
executing eagerly it returns a zero-argument callable that recomputes it on every call (TF1
returns ``functools.partial(schedule, global_step)``), so a ``tf.Variable`` step is re-read.

The result takes ``learning_rate``'s dtype: the step and the hyperparameters are cast to it.
As in TF1, ``tf.cast`` turns a Python-float hyperparameter into a float32 tensor first, so with
a float64 learning rate e.g. ``decay_rate=0.9`` acts as ``float64(float32(0.9))``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import tensorflow as tf

__all__ = [
    "cosine_decay",
    "cosine_decay_restarts",
    "exponential_decay",
    "inverse_time_decay",
    "linear_cosine_decay",
    "natural_exp_decay",
    "noisy_linear_cosine_decay",
    "piecewise_constant",
    "piecewise_constant_decay",
    "polynomial_decay",
]


def _require_step(step: Any, function_name: str, argument: str = "global_step") -> None:
    # TF1 fails here too, with ValueError("None values not supported.") (graph) or "Attempt to
    # convert a value (None) ..." (eager); the message below names the missing argument.
    if step is None:
        what = "global_step" if argument == "global_step" else f"{argument} (the global_step)"
        raise ValueError(f"{function_name}: {what} is required, but got None.")


def _evaluate(
    schedule: Callable[[Any], tf.Tensor], global_step: Any
) -> tf.Tensor | Callable[[], tf.Tensor]:
    """``schedule(global_step)`` in a graph; a zero-argument callable when executing eagerly."""
    if tf.executing_eagerly():
        return functools.partial(schedule, global_step)
    return schedule(global_step)


def _pi(dtype: tf.DType) -> tf.Tensor:
    # TF1 uses constant(math.pi), a float32 constant, which fails for any other dtype. For
    # float32 this is the very same constant.
    return tf.constant(math.pi, dtype=dtype)


def exponential_decay(
    learning_rate: Any,
    global_step: Any,
    decay_steps: Any,
    decay_rate: Any,
    staircase: bool = False,
    name: str | None = None,
) -> tf.Tensor | Callable[[], tf.Tensor]:
    """Exponentially decay ``learning_rate`` with the global step.

    Formula: ``learning_rate * decay_rate ^ (global_step / decay_steps)``; with ``staircase``
    the exponent is floored (an integer division).

    Args:
      learning_rate: the initial learning rate (a scalar float ``Tensor`` or Python number).
      global_step: the step (a scalar ``Tensor``/``Variable``); must not be None.
      decay_steps: the number of steps per decay period (positive).
      decay_rate: the decay rate.
      staircase: if True, decay the learning rate at discrete intervals.
      name: the name scope; defaults to ``ExponentialDecay``.

    Returns:
      A scalar ``Tensor`` of ``learning_rate``'s dtype; a zero-argument callable returning it
      when executing eagerly.

    Raises:
      ValueError: if ``global_step`` is None (in eager mode, when the callable is called).

    Differences from TF1: a None ``global_step`` gives a ValueError that names it.
    """

    return _exponential_decay(
        learning_rate, global_step, decay_steps, decay_rate, staircase, name, "exponential_decay"
    )


def _exponential_decay(
    learning_rate: Any,
    global_step: Any,
    decay_steps: Any,
    decay_rate: Any,
    staircase: bool,
    name: str | None,
    function_name: str,
) -> tf.Tensor | Callable[[], tf.Tensor]:
    """TF1's ``ExponentialDecay`` schedule, shared by exponential and natural-exp decay."""

    def schedule(step: Any) -> tf.Tensor:
        _require_step(step, function_name)
        with tf.name_scope(name or "ExponentialDecay") as scope:
            initial_learning_rate = tf.convert_to_tensor(
                learning_rate, name="initial_learning_rate"
            )
            dtype = initial_learning_rate.dtype
            decay_steps_t = tf.cast(decay_steps, dtype)
            decay_rate_t = tf.cast(decay_rate, dtype)

            global_step_recomp = tf.cast(step, dtype)
            p = global_step_recomp / decay_steps_t
            if staircase:
                p = tf.math.floor(p)
            return tf.multiply(initial_learning_rate, tf.pow(decay_rate_t, p), name=scope)

    return _evaluate(schedule, global_step)


def piecewise_constant(
    x: Any, boundaries: Any, values: Any, name: str | None = None
) -> tf.Tensor | Callable[[], tf.Tensor]:
    """A piecewise-constant function of ``x`` (usually the global step).

    Formula: ``values[0]`` if ``x <= boundaries[0]``; ``values[i]`` if
    ``boundaries[i-1] < x <= boundaries[i]``; ``values[-1]`` if ``x > boundaries[-1]``.

    Args:
      x: a scalar ``Tensor``/``Variable`` (the step); must not be None.
      boundaries: a list of increasing ``Tensor``s or numbers with ``x``'s dtype (int32
        boundaries are accepted, and cast, for an int64 ``x``).
      values: a list of ``Tensor``s or numbers of one dtype, one more than ``boundaries``.
      name: the name scope; defaults to ``PiecewiseConstant``.

    Returns:
      A scalar ``Tensor`` of the values' dtype; a zero-argument callable returning it when
      executing eagerly.

    Raises:
      ValueError: if ``x`` is None; if a boundary's dtype differs from ``x``'s (other than
        int32 boundaries for int64 ``x``); if the values' dtypes differ; if
        ``len(boundaries) != len(values) - 1``. All are raised when this function is called.

    Differences from TF1: a None ``x`` gives a ValueError that names it.
    """
    _require_step(x, "piecewise_constant", argument="x")
    boundaries = tf.nest.map_structure(tf.convert_to_tensor, tf.nest.flatten(boundaries))
    values = tf.nest.map_structure(tf.convert_to_tensor, tf.nest.flatten(values))
    x_recomp = tf.convert_to_tensor(x)
    for i, b in enumerate(boundaries):
        if b.dtype.base_dtype != x_recomp.dtype.base_dtype:
            if b.dtype.base_dtype == tf.int32 and x_recomp.dtype.base_dtype == tf.int64:
                b = tf.cast(b, x_recomp.dtype.base_dtype)
                boundaries[i] = b
            else:
                raise ValueError(
                    f"Boundaries ({b.dtype.base_dtype}) must have the same dtype as x "
                    f"({x_recomp.dtype.base_dtype})."
                )
    for v in values[1:]:
        if v.dtype.base_dtype != values[0].dtype.base_dtype:
            raise ValueError(
                "Values must have elements all with the same dtype "
                f"({values[0].dtype.base_dtype} vs {v.dtype.base_dtype})."
            )
    if len(boundaries) != len(values) - 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")

    def schedule(step: Any) -> tf.Tensor:
        with tf.name_scope(name or "PiecewiseConstant"):
            boundaries_t = tf.nest.map_structure(tf.convert_to_tensor, tf.nest.flatten(boundaries))
            values_t = tf.nest.map_structure(tf.convert_to_tensor, tf.nest.flatten(values))
            step_recomp = tf.convert_to_tensor(step)
            for i, b in enumerate(boundaries_t):
                if b.dtype.base_dtype != step_recomp.dtype.base_dtype:
                    boundaries_t[i] = tf.cast(b, step_recomp.dtype.base_dtype)
            pred_fn_pairs = [
                (step_recomp <= boundaries_t[0], lambda: values_t[0]),
                (step_recomp > boundaries_t[-1], lambda: values_t[-1]),
            ]
            for i in range(len(boundaries_t) - 1):  # zip(b[:-1], b[1:], values[1:-1])
                low, high, v = boundaries_t[i], boundaries_t[i + 1], values_t[i + 1]
                pred = (step_recomp > low) & (step_recomp <= high)
                pred_fn_pairs.append((pred, lambda v=v: v))
            return tf.case(pred_fn_pairs, lambda: values_t[0], exclusive=True)

    return _evaluate(schedule, x)


piecewise_constant_decay = piecewise_constant


def polynomial_decay(
    learning_rate: Any,
    global_step: Any,
    decay_steps: Any,
    end_learning_rate: Any = 0.0001,
    power: Any = 1.0,
    cycle: bool = False,
    name: str | None = None,
) -> tf.Tensor | Callable[[], tf.Tensor]:
    """Polynomially decay ``learning_rate`` to ``end_learning_rate`` over ``decay_steps``.

    Formula: ``(learning_rate - end_learning_rate) * (1 - step / decay_steps) ^ power +
    end_learning_rate`` with ``step = min(global_step, decay_steps)``; with ``cycle``,
    ``decay_steps`` is instead multiplied by ``ceil(global_step / decay_steps)`` (by 1 at step
    0).

    Args:
      learning_rate: the initial learning rate (a scalar float ``Tensor`` or Python number).
      global_step: the step (a scalar ``Tensor``/``Variable``); must not be None.
      decay_steps: the number of steps to decay over (positive).
      end_learning_rate: the final learning rate.
      power: the polynomial's power.
      cycle: whether to restart the decay after ``decay_steps``.
      name: the name scope; defaults to ``PolynomialDecay``.

    Returns:
      A scalar ``Tensor`` of ``learning_rate``'s dtype; a zero-argument callable returning it
      when executing eagerly.

    Raises:
      ValueError: if ``global_step`` is None (in eager mode, when the callable is called).

    Differences from TF1: with ``cycle=True`` and a non-float32 ``learning_rate``, TF1's graph
    mode raises a TypeError (its Python ``1.0`` becomes float32); here the 1.0 takes the
    learning rate's dtype. A None ``global_step`` gives a ValueError that names it.
    """

    def schedule(step: Any) -> tf.Tensor:
        _require_step(step, "polynomial_decay")
        with tf.name_scope(name or "PolynomialDecay") as scope:
            initial_learning_rate = tf.convert_to_tensor(
                learning_rate, name="initial_learning_rate"
            )
            dtype = initial_learning_rate.dtype
            end_learning_rate_t = tf.cast(end_learning_rate, dtype)
            power_t = tf.cast(power, dtype)

            global_step_recomp = tf.cast(step, dtype)
            decay_steps_recomp = tf.cast(decay_steps, dtype)
            if cycle:
                multiplier = tf.where(
                    tf.math.equal(global_step_recomp, 0),
                    dtype.as_numpy_dtype(1.0),
                    tf.math.ceil(global_step_recomp / decay_steps),
                )
                decay_steps_recomp = tf.multiply(decay_steps_recomp, multiplier)
            else:
                global_step_recomp = tf.math.minimum(global_step_recomp, decay_steps_recomp)

            p = tf.math.divide(global_step_recomp, decay_steps_recomp)
            return tf.math.add(
                tf.multiply(initial_learning_rate - end_learning_rate_t, tf.pow(1 - p, power_t)),
                end_learning_rate_t,
                name=scope,
            )

    return _evaluate(schedule, global_step)


def natural_exp_decay(
    learning_rate: Any,
    global_step: Any,
    decay_steps: Any,
    decay_rate: Any,
    staircase: bool = False,
    name: str | None = None,
) -> tf.Tensor | Callable[[], tf.Tensor]:
    """Decay ``learning_rate`` by ``exp(-decay_rate)`` per ``decay_steps`` steps.

    Formula: ``learning_rate * exp(-decay_rate) ^ (global_step / decay_steps)``, the rate
    ``exp(-decay_rate)`` computed first (in ``decay_rate``'s own dtype, float32 for a Python
    number) and the exponent floored with ``staircase``; i.e. ``exponential_decay`` with
    ``decay_rate = exp(-decay_rate)`` (so its name scope is ``ExponentialDecay``).

    Args:
      learning_rate: the initial learning rate (a scalar float ``Tensor`` or Python number).
      global_step: the step (a scalar ``Tensor``/``Variable``); must not be None.
      decay_steps: the number of steps per decay period (positive).
      decay_rate: the decay rate.
      staircase: if True, decay the learning rate at discrete intervals.
      name: the name scope; defaults to ``ExponentialDecay``.

    Returns:
      A scalar ``Tensor`` of ``learning_rate``'s dtype; a zero-argument callable returning it
      when executing eagerly.

    Raises:
      ValueError: if ``global_step`` is None (in eager mode, when the callable is called).

    Differences from TF1: a None ``global_step`` gives a ValueError that names it.
    """
    natural_exp_rate = tf.math.exp(tf.math.negative(decay_rate))
    return _exponential_decay(
        learning_rate,
        global_step,
        decay_steps,
        natural_exp_rate,
        staircase,
        name,
        "natural_exp_decay",
    )


def inverse_time_decay(
    learning_rate: Any,
    global_step: Any,
    decay_steps: Any,
    decay_rate: Any,
    staircase: bool = False,
    name: str | None = None,
) -> tf.Tensor | Callable[[], tf.Tensor]:
    """Decay ``learning_rate`` as the inverse of time.

    Formula: ``learning_rate / (1 + decay_rate * global_step / decay_steps)``; with
    ``staircase`` the quotient ``global_step / decay_steps`` is floored.

    Args:
      learning_rate: the initial learning rate (a scalar float ``Tensor`` or Python number).
      global_step: the step (a scalar ``Tensor``/``Variable``); must not be None.
      decay_steps: how often to apply the decay.
      decay_rate: the decay rate.
      staircase: if True, decay the learning rate at discrete intervals.
      name: the name scope; defaults to ``InverseTimeDecay``.

    Returns:
      A scalar ``Tensor`` of ``learning_rate``'s dtype; a zero-argument callable returning it
      when executing eagerly.

    Raises:
      ValueError: if ``global_step`` is None (in eager mode, when the callable is called).

    Differences from TF1: a None ``global_step`` gives a ValueError that names it.
    """

    def schedule(step: Any) -> tf.Tensor:
        _require_step(step, "inverse_time_decay")
        with tf.name_scope(name or "InverseTimeDecay") as scope:
            initial_learning_rate = tf.convert_to_tensor(
                learning_rate, name="initial_learning_rate"
            )
            dtype = initial_learning_rate.dtype
            decay_steps_t = tf.cast(decay_steps, dtype)
            decay_rate_t = tf.cast(decay_rate, dtype)

            global_step_recomp = tf.cast(step, dtype)
            p = global_step_recomp / decay_steps_t
            if staircase:
                p = tf.math.floor(p)
            const = tf.cast(tf.constant(1), dtype)
            denom = tf.math.add(const, tf.multiply(decay_rate_t, p))
            return tf.math.divide(initial_learning_rate, denom, name=scope)

    return _evaluate(schedule, global_step)


def cosine_decay(
    learning_rate: Any,
    global_step: Any,
    decay_steps: Any,
    alpha: Any = 0.0,
    name: str | None = None,
) -> tf.Tensor | Callable[[], tf.Tensor]:
    """Cosine-decay ``learning_rate`` over ``decay_steps`` (Loshchilov & Hutter, SGDR).

    Formula: with ``s = min(global_step, decay_steps)``,
    ``learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha)``.

    Args:
      learning_rate: the initial learning rate (a scalar float ``Tensor`` or Python number).
      global_step: the step (a scalar ``Tensor``/``Variable``); must not be None.
      decay_steps: the number of steps to decay over.
      alpha: the minimum learning rate as a fraction of ``learning_rate``.
      name: the name scope; defaults to ``CosineDecay``.

    Returns:
      A scalar ``Tensor`` of ``learning_rate``'s dtype; a zero-argument callable returning it
      when executing eagerly.

    Raises:
      ValueError: if ``global_step`` is None (in eager mode, when the callable is called).

    Differences from TF1: a non-float32 ``learning_rate`` works (TF1 multiplies by a float32
    ``pi`` and raises); a None ``global_step`` gives a ValueError that names it.
    """

    def schedule(step: Any) -> tf.Tensor:
        _require_step(step, "cosine_decay")
        with tf.name_scope(name or "CosineDecay"):
            initial_learning_rate = tf.convert_to_tensor(
                learning_rate, name="initial_learning_rate"
            )
            dtype = initial_learning_rate.dtype
            decay_steps_t = tf.cast(decay_steps, dtype)

            global_step_recomp = tf.cast(step, dtype)
            global_step_recomp = tf.math.minimum(global_step_recomp, decay_steps_t)
            completed_fraction = global_step_recomp / decay_steps_t
            cosine_decayed = 0.5 * (1.0 + tf.math.cos(_pi(dtype) * completed_fraction))

            decayed = (1 - alpha) * cosine_decayed + alpha
            return tf.multiply(initial_learning_rate, decayed)

    return _evaluate(schedule, global_step)


def cosine_decay_restarts(
    learning_rate: Any,
    global_step: Any,
    first_decay_steps: Any,
    t_mul: Any = 2.0,
    m_mul: Any = 1.0,
    alpha: Any = 0.0,
    name: str | None = None,
) -> tf.Tensor | Callable[[], tf.Tensor]:
    """Cosine decay with warm restarts (SGDR).

    Formula: ``f = global_step / first_decay_steps``; if ``t_mul == 1``: ``i = floor(f)``,
    ``f -= i``; else ``i = floor(log(1 - f * (1 - t_mul)) / log(t_mul))``,
    ``f = (f - (1 - t_mul^i) / (1 - t_mul)) / t_mul^i``; result
    ``learning_rate * ((1 - alpha) * 0.5 * m_mul^i * (1 + cos(pi * f)) + alpha)``.

    Args:
      learning_rate: the initial learning rate (a scalar float ``Tensor`` or Python number).
      global_step: the step (a scalar ``Tensor``/``Variable``); must not be None.
      first_decay_steps: the number of steps in the first decay period.
      t_mul: the factor by which each period is longer than the previous one.
      m_mul: the factor by which each period's initial learning rate is scaled.
      alpha: the minimum learning rate as a fraction of ``learning_rate``.
      name: the name scope; defaults to ``SGDRDecay``.

    Returns:
      A scalar ``Tensor`` of ``learning_rate``'s dtype; a zero-argument callable returning it
      when executing eagerly.

    Raises:
      ValueError: if ``global_step`` is None (in eager mode, when the callable is called).

    Differences from TF1: a non-float32 ``learning_rate`` works (TF1 multiplies by a float32
    ``pi`` and raises); a None ``global_step`` gives a ValueError that names it.
    """

    def schedule(step: Any) -> tf.Tensor:
        _require_step(step, "cosine_decay_restarts")
        with tf.name_scope(name or "SGDRDecay") as scope:
            initial_learning_rate = tf.convert_to_tensor(
                learning_rate, name="initial_learning_rate"
            )
            dtype = initial_learning_rate.dtype
            first_decay_steps_t = tf.cast(first_decay_steps, dtype)
            alpha_t = tf.cast(alpha, dtype)
            t_mul_t = tf.cast(t_mul, dtype)
            m_mul_t = tf.cast(m_mul, dtype)

            global_step_recomp = tf.cast(step, dtype)
            completed_fraction = global_step_recomp / first_decay_steps_t

            def compute_step(completed_fraction: tf.Tensor, geometric: bool = False):
                if geometric:
                    i_restart = tf.math.floor(
                        tf.math.log(1.0 - completed_fraction * (1.0 - t_mul_t))
                        / tf.math.log(t_mul_t)
                    )
                    sum_r = (1.0 - t_mul_t**i_restart) / (1.0 - t_mul_t)
                    completed_fraction = (completed_fraction - sum_r) / t_mul_t**i_restart
                else:
                    i_restart = tf.math.floor(completed_fraction)
                    completed_fraction -= i_restart
                return i_restart, completed_fraction

            i_restart, completed_fraction = tf.cond(
                tf.math.equal(t_mul_t, 1.0),
                lambda: compute_step(completed_fraction, geometric=False),
                lambda: compute_step(completed_fraction, geometric=True),
            )

            m_fac = m_mul_t**i_restart
            cosine_decayed = 0.5 * m_fac * (1.0 + tf.math.cos(_pi(dtype) * completed_fraction))
            decayed = (1 - alpha_t) * cosine_decayed + alpha_t
            return tf.multiply(initial_learning_rate, decayed, name=scope)

    return _evaluate(schedule, global_step)


def linear_cosine_decay(
    learning_rate: Any,
    global_step: Any,
    decay_steps: Any,
    num_periods: Any = 0.5,
    alpha: Any = 0.0,
    beta: Any = 0.001,
    name: str | None = None,
) -> tf.Tensor | Callable[[], tf.Tensor]:
    """Linear-cosine decay of ``learning_rate`` (Bello et al., Neural Optimizer Search).

    Formula: with ``s = min(global_step, decay_steps)``,
    ``linear = (decay_steps - s) / decay_steps``,
    ``cosine = 0.5 * (1 + cos(pi * 2 * num_periods * s / decay_steps))``, result
    ``learning_rate * ((alpha + linear) * cosine + beta)``.

    Args:
      learning_rate: the initial learning rate (a scalar float ``Tensor`` or Python number).
      global_step: the step (a scalar ``Tensor``/``Variable``); must not be None.
      decay_steps: the number of steps to decay over.
      num_periods: the number of periods in the cosine part of the decay.
      alpha: see the formula.
      beta: see the formula.
      name: the name scope; defaults to ``LinearCosineDecay``.

    Returns:
      A scalar ``Tensor`` of ``learning_rate``'s dtype; a zero-argument callable returning it
      when executing eagerly.

    Raises:
      ValueError: if ``global_step`` is None (in eager mode, when the callable is called).

    Differences from TF1: a non-float32 ``learning_rate`` works (TF1 multiplies by a float32
    ``pi`` and raises); a None ``global_step`` gives a ValueError that names it.
    """

    def schedule(step: Any) -> tf.Tensor:
        _require_step(step, "linear_cosine_decay")
        with tf.name_scope(name or "LinearCosineDecay") as scope:
            initial_learning_rate = tf.convert_to_tensor(
                learning_rate, name="initial_learning_rate"
            )
            dtype = initial_learning_rate.dtype
            decay_steps_t = tf.cast(decay_steps, dtype)
            num_periods_t = tf.cast(num_periods, dtype)
            alpha_t = tf.cast(alpha, dtype)
            beta_t = tf.cast(beta, dtype)

            global_step_recomp = tf.cast(step, dtype)
            global_step_recomp = tf.math.minimum(global_step_recomp, decay_steps_t)
            linear_decayed = (decay_steps_t - global_step_recomp) / decay_steps_t
            completed_fraction = global_step_recomp / decay_steps_t
            fraction = 2.0 * num_periods_t * completed_fraction
            cosine_decayed = 0.5 * (1.0 + tf.math.cos(_pi(dtype) * fraction))

            linear_cosine_decayed = (alpha_t + linear_decayed) * cosine_decayed + beta_t
            return tf.multiply(initial_learning_rate, linear_cosine_decayed, name=scope)

    return _evaluate(schedule, global_step)


def noisy_linear_cosine_decay(
    learning_rate: Any,
    global_step: Any,
    decay_steps: Any,
    initial_variance: Any = 1.0,
    variance_decay: Any = 0.55,
    num_periods: Any = 0.5,
    alpha: Any = 0.0,
    beta: Any = 0.001,
    name: str | None = None,
) -> tf.Tensor | Callable[[], tf.Tensor]:
    """Linear-cosine decay of ``learning_rate`` with Gaussian noise on the linear part.

    Formula: as ``linear_cosine_decay`` with ``linear += N(0, std)``,
    ``std = sqrt(initial_variance / (1 + s) ^ variance_decay)``, ``s = min(global_step,
    decay_steps)``; the noise is drawn anew on every evaluation (``tf.random.normal`` with no
    op seed, so a graph-level seed makes it reproducible).

    Args:
      learning_rate: the initial learning rate (a scalar float ``Tensor`` or Python number).
      global_step: the step (a scalar ``Tensor``/``Variable``); must not be None.
      decay_steps: the number of steps to decay over.
      initial_variance: the initial variance of the noise.
      variance_decay: the decay of the noise's variance.
      num_periods: the number of periods in the cosine part of the decay.
      alpha: see the formula.
      beta: see the formula.
      name: the name scope; defaults to ``NoisyLinearCosineDecay``.

    Returns:
      A scalar ``Tensor`` of ``learning_rate``'s dtype; a zero-argument callable returning it
      when executing eagerly.

    Raises:
      ValueError: if ``global_step`` is None (in eager mode, when the callable is called).

    Differences from TF1: a non-float32 ``learning_rate`` works (TF1 draws float32 noise with
    a non-float32 stddev and multiplies by a float32 ``pi``, and raises); a None
    ``global_step`` gives a ValueError that names it.
    """

    def schedule(step: Any) -> tf.Tensor:
        _require_step(step, "noisy_linear_cosine_decay")
        with tf.name_scope(name or "NoisyLinearCosineDecay") as scope:
            initial_learning_rate = tf.convert_to_tensor(
                learning_rate, name="initial_learning_rate"
            )
            dtype = initial_learning_rate.dtype
            decay_steps_t = tf.cast(decay_steps, dtype)
            initial_variance_t = tf.cast(initial_variance, dtype)
            variance_decay_t = tf.cast(variance_decay, dtype)
            num_periods_t = tf.cast(num_periods, dtype)
            alpha_t = tf.cast(alpha, dtype)
            beta_t = tf.cast(beta, dtype)

            global_step_recomp = tf.cast(step, dtype)
            global_step_recomp = tf.math.minimum(global_step_recomp, decay_steps_t)
            linear_decayed = (decay_steps_t - global_step_recomp) / decay_steps_t
            variance = initial_variance_t / (tf.pow(1.0 + global_step_recomp, variance_decay_t))
            std = tf.math.sqrt(variance)
            noisy_linear_decayed = linear_decayed + tf.random.normal(
                linear_decayed.shape, stddev=std, dtype=dtype
            )

            completed_fraction = global_step_recomp / decay_steps_t
            fraction = 2.0 * num_periods_t * completed_fraction
            cosine_decayed = 0.5 * (1.0 + tf.math.cos(_pi(dtype) * fraction))
            noisy_linear_cosine_decayed = (alpha_t + noisy_linear_decayed) * cosine_decayed + beta_t

            return tf.multiply(initial_learning_rate, noisy_linear_cosine_decayed, name=scope)

    return _evaluate(schedule, global_step)
