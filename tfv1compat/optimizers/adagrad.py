"""TF1's ``AdagradOptimizer``."""

from __future__ import annotations

import tensorflow as tf

from tfv1compat.optimizers import base, kernels


class AdagradOptimizer(base.Optimizer):
    """Adagrad without epsilon (TF1's ``ApplyAdagrad``, not ``ApplyAdagradV2``).

    Update rule::

        accum += g * g
        var -= lr * g * rsqrt(accum)

    Args:
      learning_rate: A float, ``Tensor``, ``tf.Variable`` or zero-argument callable.
      initial_accumulator_value: Starting value of the accumulators; must be positive.
      use_locking: If True, use locks for update operations.
      name: Name for the slot (``<var>/Adagrad``) and the update ops.

    Raises:
      ValueError: If ``initial_accumulator_value`` is not positive.

    Example::

        opt = tfv1compat.train.AdagradOptimizer(0.1, initial_accumulator_value=0.1)

    Differences from TF1: none.
    """

    def __init__(
        self, learning_rate, initial_accumulator_value=0.1, use_locking=False, name="Adagrad"
    ):
        if initial_accumulator_value <= 0.0:
            raise ValueError(
                "initial_accumulator_value must be positive: %s" % initial_accumulator_value
            )
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value
        self._learning_rate_tensor = None

    def _create_slots(self, var_list):
        for v in var_list:
            dtype = v.dtype.base_dtype
            if v.get_shape().is_fully_defined():
                init = tf.constant_initializer(self._initial_accumulator_value)
            else:
                init = self._init_constant_op(v, dtype)
            self._get_or_make_slot_with_initializer(
                v, init, v.get_shape(), dtype, "accumulator", self._name
            )

    def _init_constant_op(self, v, dtype):
        def init(*args, **kwargs):
            del args, kwargs  # the shape comes from the variable at run time
            return tf.cast(tf.fill(tf.shape(v), self._initial_accumulator_value), dtype)

        return init

    def _prepare(self):
        self._learning_rate_tensor = tf.convert_to_tensor(
            self._call_if_callable(self._learning_rate), name="learning_rate"
        )

    def _resource_apply_dense(self, grad, var):
        return kernels.training_op(
            "ApplyAdagrad",
            var=var,
            accum=self.get_slot(var, "accumulator"),
            lr=tf.cast(self._learning_rate_tensor, grad.dtype.base_dtype),
            grad=grad,
            use_locking=self._use_locking,
        )

    def _resource_apply_sparse(self, grad, var, indices):
        return kernels.training_op(
            "SparseApplyAdagrad",
            var=var,
            accum=self.get_slot(var, "accumulator"),
            lr=tf.cast(self._learning_rate_tensor, grad.dtype.base_dtype),
            grad=grad,
            indices=indices,
            use_locking=self._use_locking,
        )
