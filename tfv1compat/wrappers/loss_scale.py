"""TF1's loss scales (``tf.compat.v1.mixed_precision``): ``LossScale``, ``FixedLossScale``,
``DynamicLossScale``.

Same constructors, update rule, variable names (``current_loss_scale``, ``good_steps``), dtypes,
aggregation and checkpoint keys as TF1. The weights are non-slot variables of a
``slots.NonSlotStore`` (per graph, checkpointed by name). TF1's own loss-scale objects are
accepted wherever these are (``get``).
"""

from __future__ import annotations

import abc

import tensorflow as tf

from tfv1compat._tf import legacy_graph
from tfv1compat.optimizers import slots


class LossScale(slots.NonSlotStore, metaclass=abc.ABCMeta):
    """Base class of TF1's loss scales (``tf.compat.v1.mixed_precision.LossScale``).

    Calling an instance returns the current loss scale as a scalar float32 ``Tensor``;
    ``update(grads)`` adjusts it from the step's (unscaled) gradients and returns
    ``(update_op, should_apply_gradients)``. Subclasses create their state with
    ``_add_weight``; the weights are checkpoint children named after the variable.

    Differences from TF1: none.
    """

    @property
    def _weights(self):
        """TF1's name for the store: ``(name, graph or None when eager) -> variable``."""
        return self._non_slot_dict

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
        graph = slots.current_graph_key()
        if self._get_non_slot_variable(name, graph) is not None:
            raise RuntimeError(f"Duplicate variables detected. {(name, graph)}")
        return self._add_non_slot(name, graph, variable)


class FixedLossScale(LossScale):
    """A loss scale that never changes (``tf.compat.v1.mixed_precision.FixedLossScale``).

    Args:
      loss_scale_value: A Python int or float, at least 1.

    Raises:
      ValueError: ``loss_scale_value`` is not an int/float, or is less than 1.

    Differences from TF1: no deprecation warning.
    """

    def __init__(self, loss_scale_value: float) -> None:
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

    def __init__(
        self,
        initial_loss_scale: float = 2**15,
        increment_period: int = 2000,
        multiplier: float = 2.0,
    ) -> None:
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


def is_dynamic(loss_scale) -> bool:
    return isinstance(loss_scale, DynamicLossScale) or legacy_graph.is_v1_dynamic_loss_scale(
        loss_scale
    )
