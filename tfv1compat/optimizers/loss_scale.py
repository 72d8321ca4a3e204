"""TF1's loss scaling: ``MixedPrecisionLossScaleOptimizer`` and its fixed and dynamic scales.

``tf.compat.v1.train.experimental.MixedPrecisionLossScaleOptimizer`` wraps an optimizer, multiplies
the loss by a loss scale before differentiating, divides the gradients by it again, and (with a
dynamic scale) skips every step whose gradients are not all finite. The loss-scale classes are
TF1's ``tf.compat.v1.mixed_precision.{LossScale, FixedLossScale, DynamicLossScale}``: same
constructors, update rule, variable names (``current_loss_scale``, ``good_steps``), dtypes,
aggregation and checkpoint keys. TF1's own loss-scale objects are accepted too.
"""

from __future__ import annotations

import abc

import tensorflow as tf

from tfv1compat import legacy_graph
from tfv1compat.optimizers import base
from tfv1compat.optimizers.base import _CHECKPOINT, Optimizer


def _weights_graph_key():
    """The graph that owns loss-scale weights made now: None when eager (also in tf.function)."""
    with tf.init_scope():
        if tf.executing_eagerly():
            return None
        return legacy_graph.default_graph()


class LossScale(base.Trackable, metaclass=abc.ABCMeta):
    """Base class of TF1's loss scales (``tf.compat.v1.mixed_precision.LossScale``).

    Calling an instance returns the current loss scale as a scalar float32 ``Tensor``;
    ``update(grads)`` adjusts it from the step's (unscaled) gradients and returns
    ``(update_op, should_apply_gradients)``. Subclasses create their state with
    ``_add_weight``; the weights are checkpoint children named after the variable.

    Differences from TF1: none.
    """

    def __init__(self):
        # (name, graph or None when eager) -> variable, as TF1's ``_weights``.
        self._weights = {}

    @abc.abstractmethod
    def __call__(self):
        """The current loss scale as a scalar float32 ``Tensor``."""

    @abc.abstractmethod
    def update(self, grads):
        """Adjust the scale from ``grads``; returns ``(update_op, should_apply_gradients)``."""

    @abc.abstractmethod
    def get_config(self):
        """The constructor arguments of this loss scale."""

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def _add_weight(self, name, initial_value, dtype=None):
        """A non-trainable, never-aggregated resource variable owned by this loss scale."""
        variable = tf.Variable(
            initial_value=initial_value,
            name=name,
            dtype=dtype,
            trainable=False,
            synchronization=tf.VariableSynchronization.AUTO,
            # Each replica updates its own copy with the same all-reduced decision.
            aggregation=tf.VariableAggregation.NONE,
        )
        key = (name, _weights_graph_key())
        if self._weights.get(key, None) is not None:
            raise RuntimeError(f"Duplicate variables detected. {key}")
        self._weights[key] = variable
        self._handle_deferred_dependencies(name=name, trackable=variable)
        return variable

    def _trackable_children(self, save_type=_CHECKPOINT, **kwargs):
        """The weights of the current graph, by name (``current_loss_scale``, ``good_steps``)."""
        graph_key = _weights_graph_key()
        weights = {}
        for (name, g), v in sorted(self._weights.items(), key=lambda item: item[0][0]):
            if g is graph_key:
                weights[name] = v
        weights.update(super()._trackable_children(save_type, **kwargs))
        return weights

    def _lookup_dependency(self, name, cached_dependencies=None):
        unconditional = super()._lookup_dependency(name, cached_dependencies)
        if unconditional is not None:
            return unconditional
        return self._weights.get((name, _weights_graph_key()), None)


class FixedLossScale(LossScale):
    """A loss scale that never changes (``tf.compat.v1.mixed_precision.FixedLossScale``).

    Args:
      loss_scale_value: A Python int or float, at least 1.

    Raises:
      ValueError: ``loss_scale_value`` is not an int/float, or is less than 1.

    Differences from TF1: no deprecation warning.
    """

    def __init__(self, loss_scale_value):
        super().__init__()
        if not isinstance(loss_scale_value, (int, float)):
            raise ValueError("loss_scale_value must be a Python int or float.")
        if loss_scale_value < 1:
            raise ValueError("loss_scale_value must be at least 1.")
        # Kept as a Python float, so no tensor is made on the wrong device or graph.
        self._loss_scale_value = float(loss_scale_value)

    def __call__(self):
        return tf.convert_to_tensor(self._loss_scale_value)

    def update(self, grads):
        del grads
        return tf.no_op(), True

    def __repr__(self):
        return "FixedLossScale(%s)" % self._loss_scale_value

    def get_config(self):
        return {"loss_scale_value": self._loss_scale_value}


def _is_all_finite(grads):
    """A scalar bool ``Tensor``: every value of every non-None gradient is finite."""

    def raw_values(g):
        return g.values if isinstance(g, tf.IndexedSlices) else g

    is_finite_per_grad = [
        tf.reduce_all(tf.math.is_finite(raw_values(g))) for g in grads if g is not None
    ]
    return tf.reduce_all(is_finite_per_grad)


def _op_in_graph_mode(tensor):
    """The tensor's op in a graph; the tensor itself when eager (no ops there)."""
    if tf.executing_eagerly():
        return tensor
    return tensor.op


def _assign_if_finite(var, value):
    return tf.cond(tf.math.is_finite(value), lambda: _op_in_graph_mode(var.assign(value)), tf.no_op)


class DynamicLossScale(LossScale):
    """A loss scale that adapts to overflow (``tf.compat.v1.mixed_precision.DynamicLossScale``).

    Update rule, once per step (``update(grads)``)::

        if all gradients are finite:
            if good_steps + 1 >= increment_period:
                current_loss_scale *= multiplier   # only if the product is finite
                good_steps = 0
            else:
                good_steps += 1
        else:                                      # the step's gradients are not applied
            current_loss_scale = max(current_loss_scale / multiplier, 1)
            good_steps = 0

    State: ``current_loss_scale`` (float32) and ``good_steps`` (int64), resource variables with
    ``aggregation=NONE``, checkpointed under those names. Under a ``tf.distribute`` strategy the
    step counts as finite only if it is finite on every replica.

    Args:
      initial_loss_scale: The first loss scale (default ``2 ** 15``).
      increment_period: Finite steps in a row after which the scale is multiplied.
      multiplier: Factor to raise the scale by (and lower it by on a non-finite step).

    Example::

        scale = DynamicLossScale(initial_loss_scale=2 ** 10, increment_period=100)
        opt = MixedPrecisionLossScaleOptimizer(tfv1compat.train.AdamOptimizer(), scale)

    Differences from TF1: no deprecation warning.
    """

    def __init__(self, initial_loss_scale=2**15, increment_period=2000, multiplier=2.0):
        super().__init__()
        self._initial_loss_scale = float(initial_loss_scale)
        self._increment_period = int(increment_period)
        self._multiplier = float(multiplier)
        self._current_loss_scale = self._add_weight(
            name="current_loss_scale", dtype=tf.float32, initial_value=self._initial_loss_scale
        )
        # Finite steps in a row since the last non-finite step or change of the scale.
        self._num_good_steps = self._add_weight(name="good_steps", dtype=tf.int64, initial_value=0)

    @property
    def initial_loss_scale(self):
        return self._initial_loss_scale

    @property
    def increment_period(self):
        return self._increment_period

    @property
    def multiplier(self):
        return self._multiplier

    def __call__(self):
        return tf.convert_to_tensor(self._current_loss_scale)

    def update(self, grads):
        """Adjust the scale from the step's gradients (see the class docstring).

        Returns:
          ``(update_op, should_apply_gradients)``: ``update_op`` is ``None`` when eager (the
          update has run); ``should_apply_gradients`` is a scalar bool ``Tensor``.
        """
        grads = tf.nest.flatten(grads)
        if tf.distribute.has_strategy():
            distribution = tf.distribute.get_strategy()

            def get_is_finite(grads):
                # Booleans cannot be reduced across replicas: count the finite replicas.
                return tf.cast(_is_all_finite(grads), tf.float32)

            is_finite_float = distribution.extended.call_for_each_replica(
                get_is_finite, args=(grads,)
            )
            reduced_is_finite_float = distribution.reduce(
                tf.distribute.ReduceOp.SUM, is_finite_float, axis=None
            )
            is_finite = tf.equal(reduced_is_finite_float, distribution.num_replicas_in_sync)
        else:
            is_finite = _is_all_finite(grads)

        def update_if_finite_grads():
            def incr_loss_scale():
                new_loss_scale = self._current_loss_scale * self._multiplier
                return tf.group(
                    _assign_if_finite(self._current_loss_scale, new_loss_scale),
                    self._num_good_steps.assign(0),
                )

            return tf.cond(
                self._num_good_steps + 1 >= self._increment_period,
                incr_loss_scale,
                lambda: _op_in_graph_mode(self._num_good_steps.assign_add(1)),
            )

        def update_if_not_finite_grads():
            new_loss_scale = tf.maximum(self._current_loss_scale / self._multiplier, 1)
            return tf.group(
                self._num_good_steps.assign(0), self._current_loss_scale.assign(new_loss_scale)
            )

        update_op = tf.cond(is_finite, update_if_finite_grads, update_if_not_finite_grads)
        return update_op, is_finite

    def __repr__(self):
        if tf.executing_eagerly():
            return (
                "DynamicLossScale(current_loss_scale=%s, num_good_steps=%s, "
                "initial_loss_scale=%s, increment_period=%s, multiplier=%s)"
                % (
                    self._current_loss_scale.numpy(),
                    self._num_good_steps.numpy(),
                    self.initial_loss_scale,
                    self.increment_period,
                    self.multiplier,
                )
            )
        return "DynamicLossScale(initial_loss_scale=%s, increment_period=%s, multiplier=%s)" % (
            self.initial_loss_scale,
            self.increment_period,
            self.multiplier,
        )

    def get_config(self):
        return {
            "initial_loss_scale": self.initial_loss_scale,
            "increment_period": self.increment_period,
            "multiplier": self.multiplier,
        }


def get(identifier):
    """A loss scale from a number (fixed), ``'dynamic'``, or a loss-scale object (as is).

    TF1's ``tf.compat.v1.mixed_precision`` loss-scale objects are accepted unchanged.
    ``None`` gives ``None``.

    Raises:
      ValueError: Anything else, or a number less than 1.
    """
    if isinstance(identifier, (int, float)):
        return FixedLossScale(identifier)
    if identifier == "dynamic":
        return DynamicLossScale()
    if isinstance(identifier, LossScale) or legacy_graph.is_v1_loss_scale(identifier):
        return identifier
    if identifier is None:
        return None
    raise ValueError("Could not interpret loss scale identifier: %s" % identifier)


def _is_dynamic(loss_scale) -> bool:
    return isinstance(loss_scale, DynamicLossScale) or legacy_graph.is_v1_dynamic_loss_scale(
        loss_scale
    )


class MixedPrecisionLossScaleOptimizer(Optimizer):
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

    def __init__(self, opt, loss_scale):
        if not isinstance(opt, Optimizer):
            raise ValueError(
                '"opt" must be an instance of Optimizer, but got: %s (wrap a tfv1compat.train '
                "optimizer, e.g. tfv1compat.train.AdamOptimizer)" % type(opt)
            )
        self._optimizer = opt
        use_locking = opt._use_locking
        name = opt.get_name()
        super().__init__(use_locking, name)
        self._loss_scale = get(loss_scale)
        if self._loss_scale is None:
            raise ValueError("loss_scale cannot be None")
        self._track_trackable(self._optimizer, "base_optimizer")
        self._track_trackable(self._loss_scale, "loss_scale")

    def _doing_dynamic_loss_scaling(self):
        return _is_dynamic(self._loss_scale)

    def compute_gradients(
        self,
        loss,
        var_list=None,
        gate_gradients=Optimizer.GATE_OP,
        aggregation_method=None,
        colocate_gradients_with_ops=False,
        grad_loss=None,
    ):
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

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
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

        maybe_apply_op = tf.__internal__.smart_cond.smart_cond(
            should_apply_grads, apply_fn, tf.no_op
        )
        return tf.group(maybe_apply_op, loss_scale_update_op, name=name)

    def _apply_gradients(self, distribution, grads_and_vars, global_step, name):
        """Apply unconditionally, from cross-replica context, in every replica."""
        update_ops = distribution.extended.call_for_each_replica(
            self._optimizer.apply_gradients, args=(grads_and_vars, global_step, name)
        )
        return distribution.group(update_ops)

    def _apply_sparse(self, grad, var):
        """This function should never be called."""
        raise RuntimeError("This function should never be called")

    def _apply_dense(self, grad, var):
        """This function should never be called."""
        raise RuntimeError("This function should never be called")

    def _resource_apply_sparse(self, grad, handle, indices):
        """This function should never be called."""
        raise RuntimeError("This function should never be called")

    def _resource_apply_dense(self, grad, handle):
        """This function should never be called."""
        raise RuntimeError("This function should never be called")

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
