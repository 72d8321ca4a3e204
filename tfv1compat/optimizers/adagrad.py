"""TF1's ``AdagradOptimizer``."""

from __future__ import annotations

import tensorflow as tf

from tfv1compat.optimizers import base, kernels, validation


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

    _HYPERPARAMETERS = (base.Hyperparameter("learning_rate", "lr"),)

    def __init__(
        self,
        learning_rate: base.HyperparameterValue,
        initial_accumulator_value: float = 0.1,
        use_locking: bool = False,
        name: str = "Adagrad",
    ) -> None:
        validation.check_positive("initial_accumulator_value", initial_accumulator_value)
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value

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

    def _apply(self, kernel, grad, var, **sparse):
        return kernels.training_op(
            kernel,
            var=var,
            accum=self.get_slot(var, "accumulator"),
            grad=grad,
            **sparse,
            **self._kernel_hyperparameters(grad.dtype.base_dtype),
            use_locking=self._use_locking,
        )

    def _resource_apply_dense(self, grad, var):
        return self._apply("ApplyAdagrad", grad, var)

    def _resource_apply_sparse(self, grad, var, indices):
        return self._apply("SparseApplyAdagrad", grad, var, indices=indices)
