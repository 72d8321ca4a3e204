"""TF1's ``tf.compat.v1.train.experimental.MixedPrecisionLossScaleOptimizer``.

It wraps an optimizer, multiplies the loss by a loss scale (``loss_scale``) before
differentiating, divides the gradients by it again, and (with a dynamic scale) skips every step
whose gradients are not all finite.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from tfv1compat._tf import internals
from tfv1compat.optimizers.base import GradsAndVars, Loss, Optimizer
from tfv1compat.wrappers import base
from tfv1compat.wrappers.loss_scale import get, is_dynamic


class MixedPrecisionLossScaleOptimizer(base.OptimizerWrapper):
    """An optimizer that applies loss scaling (TF1's ``train.experimental`` class).

    Wraps ``opt`` (any tfv1compat optimizer)::

        grads = compute_gradients(loss * loss_scale) / loss_scale
        if loss scale is dynamic and not all(isfinite(grads)):
            skip the step (no variable, slot or global-step change); lower the scale
        else:
            opt.apply_gradients(grads, global_step)

    ``compute_gradients`` returns unscaled gradients. With a dynamic scale, ``apply_gradients``
    updates the scale (see ``DynamicLossScale``) and applies the gradients through
    ``opt.apply_gradients(..., name=<name>-wrapped)`` only when they are all finite, so a
    skipped step does not increment ``global_step`` either. ``variables()`` is ``opt``'s plus
    ``current_loss_scale`` and ``good_steps``; ``tf.train.Checkpoint`` writes TF1's keys
    (``<path>/base_optimizer/...``, ``<path>/loss_scale/current_loss_scale``, slots under
    ``<var>/.OPTIMIZER_SLOT/<path>/base_optimizer/<slot>``). As in TF1, ``get_slot`` and
    ``get_slot_names`` of the wrapper itself find nothing: ask ``opt``.

    Args:
      opt: The optimizer to wrap, a ``tfv1compat.train.Optimizer``.
      loss_scale: A number >= 1 (a fixed scale), ``'dynamic'`` (initial ``2 ** 15``, period
        2000, multiplier 2), or a loss-scale object: ``FixedLossScale``/``DynamicLossScale``
        from this module or TF1's ``tf.compat.v1.mixed_precision`` ones.

    Raises:
      ValueError: ``opt`` is not an optimizer; ``loss_scale`` is None, not understood, or
        below 1; ``apply_gradients`` called in a cross-replica context.

    Example::

        opt = MixedPrecisionLossScaleOptimizer(tfv1compat.train.AdamOptimizer(1e-3), "dynamic")
        opt.minimize(loss_fn, var_list=model.trainable_variables, global_step=step)

    Differences from TF1: float16, bfloat16 and float64 gradients work (TF1 multiplies them by
    a float32 reciprocal and fails; float32 gradients are unscaled by TF1's exact op); Keras 3
    variables work (through the wrapped tfv1compat optimizer); no deprecation warning.
    """

    def __init__(self, opt: Optimizer, loss_scale: float | str | Any) -> None:
        if not isinstance(opt, Optimizer):
            raise ValueError(
                '"opt" must be an instance of Optimizer, but got: %s (wrap a tfv1compat.train '
                "optimizer, e.g. tfv1compat.train.AdamOptimizer)" % type(opt)
            )
        super().__init__(opt, opt._use_locking, opt.get_name())
        self._loss_scale = get(loss_scale)
        if self._loss_scale is None:
            raise ValueError("loss_scale cannot be None")
        internals.track_trackable(self, self._optimizer, "base_optimizer")
        internals.track_trackable(self, self._loss_scale, "loss_scale")

    def _doing_dynamic_loss_scaling(self):
        return is_dynamic(self._loss_scale)

    def compute_gradients(
        self,
        loss: Loss,
        var_list: Sequence[Any] | None = None,
        gate_gradients: int = Optimizer.GATE_OP,
        aggregation_method: Any = None,
        colocate_gradients_with_ops: bool = False,
        grad_loss: tf.Tensor | None = None,
    ) -> list[tuple[Any, Any]]:
        """``opt.compute_gradients`` of the scaled loss, divided back by the loss scale.

        Returns:
          A list of ``(gradient, variable)`` pairs; gradients may be ``None``.
        """
        loss = self._scale_loss(loss)
        grads_and_vars = self._optimizer.compute_gradients(
            loss=loss,
            var_list=var_list,
            gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops,
            grad_loss=grad_loss,
        )
        grads = [g for g, _ in grads_and_vars]
        variables = [v for _, v in grads_and_vars]
        return list(zip(self._unscale_grads(grads), variables))

    def _scale_loss(self, loss):
        loss_scale = self._loss_scale()
        if callable(loss):

            def new_loss():
                loss_val = loss()
                return loss_val * tf.cast(loss_scale, loss_val.dtype)

            return new_loss
        return loss * tf.cast(loss_scale, loss.dtype)

    def _unscale_grads(self, grads):
        loss_scale = self._loss_scale()
        loss_scale_reciprocal = 1 / loss_scale
        return [None if g is None else self._scale_grad(g, loss_scale_reciprocal) for g in grads]

    def _scale_grad(self, grad, loss_scale_reciprocal):
        if isinstance(grad, tf.IndexedSlices):
            grad_vals = _times_reciprocal(grad.values, loss_scale_reciprocal)
            return tf.IndexedSlices(grad_vals, grad.indices, grad.dense_shape)
        return _times_reciprocal(grad, loss_scale_reciprocal)

    def apply_gradients(
        self,
        grads_and_vars: GradsAndVars,
        global_step: tf.Variable | None = None,
        name: str | None = None,
    ) -> tf.Operation | None:
        """Apply the gradients, or with a dynamic scale only when they are all finite.

        Returns:
          ``None`` when executing eagerly, else an ``Operation``.

        Raises:
          ValueError: Called in a cross-replica context.
        """
        if tf.distribute.in_cross_replica_context():
            raise ValueError("apply_gradients() must be called in a replica context.")
        if not self._doing_dynamic_loss_scaling():
            return self._optimizer.apply_gradients(grads_and_vars, global_step, name)
        replica_context = tf.distribute.get_replica_context()
        grads_and_vars = tuple(grads_and_vars)
        return replica_context.merge_call(
            self._distributed_apply, args=(grads_and_vars, global_step, name)
        )

    def _distributed_apply(self, distribution, grads_and_vars, global_step=None, name=None):
        """Cross-replica half of a dynamic step: update the scale, maybe apply (TF1's order)."""
        name = name if name is not None else self.get_name()
        grads = [g for g, _ in grads_and_vars]
        loss_scale_update_op, should_apply_grads = self._loss_scale.update(grads)

        def apply_fn():
            return self._apply_gradients(
                distribution, grads_and_vars, global_step, name + "-wrapped"
            )

        maybe_apply_op = internals.smart_cond(should_apply_grads, apply_fn, tf.no_op)
        return tf.group(maybe_apply_op, loss_scale_update_op, name=name)

    def _apply_gradients(self, distribution, grads_and_vars, global_step, name):
        """Apply unconditionally, from cross-replica context, in every replica."""
        update_ops = distribution.extended.call_for_each_replica(
            self._optimizer.apply_gradients, args=(grads_and_vars, global_step, name)
        )
        return distribution.group(update_ops)

    def variables(self):
        """The wrapped optimizer's variables, then the loss scale's (TF1's order)."""
        return self._optimizer.variables() + list(self._loss_scale._weights.values())


def _times_reciprocal(grad, loss_scale_reciprocal):
    """``grad * (1 / loss_scale)``; TF1's exact op for float32 gradients.

    TF1 multiplies by the float32 reciprocal directly, which fails for any other dtype. A
    narrower gradient (float16, bfloat16) is unscaled in float32 and rounded back once, so a
    non-power-of-two scale loses nothing to a rounded reciprocal; a float64 gradient is
    multiplied by the reciprocal widened to float64.
    """
    dtype = grad.dtype.base_dtype
    if dtype == loss_scale_reciprocal.dtype:
        return grad * loss_scale_reciprocal
    if dtype.size < loss_scale_reciprocal.dtype.size:
        return tf.cast(tf.cast(grad, loss_scale_reciprocal.dtype) * loss_scale_reciprocal, dtype)
    return grad * tf.cast(loss_scale_reciprocal, dtype)
