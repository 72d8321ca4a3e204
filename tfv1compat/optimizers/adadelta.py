"""TF1's ``AdadeltaOptimizer``."""

from __future__ import annotations

import tensorflow as tf

from tfv1compat.optimizers import base, kernels


class AdadeltaOptimizer(base.Optimizer):
    """Adadelta (Zeiler), with TF1's default ``learning_rate=0.001`` (the paper's is 1.0).

    Update rule (kernel ``ApplyAdadelta``)::

        accum = rho * accum + (1 - rho) * g^2
        update = sqrt(accum_update + epsilon) * rsqrt(accum + epsilon) * g
        var -= lr * update
        accum_update = rho * accum_update + (1 - rho) * update^2

    Args:
      learning_rate: A float, ``Tensor``, ``tf.Variable`` or zero-argument callable.
      rho: Decay rate (float, Tensor or callable).
      epsilon: Conditioning constant (float, Tensor or callable).
      use_locking: If True, use locks for update operations.
      name: Name for the slots (``<var>/Adadelta``, ``<var>/Adadelta_1``) and update ops.

    Example::

        opt = tfv1compat.train.AdadeltaOptimizer(1.0, rho=0.95)

    Differences from TF1: none.
    """

    def __init__(
        self, learning_rate=0.001, rho=0.95, epsilon=1e-08, use_locking=False, name="Adadelta"
    ):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._rho = rho
        self._epsilon = epsilon
        self._lr_t = None
        self._rho_t = None
        self._epsilon_t = None

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "accum", self._name)
            self._zeros_slot(v, "accum_update", self._name)

    def _prepare(self):
        self._lr_t = tf.convert_to_tensor(self._call_if_callable(self._lr), name="lr")
        self._rho_t = tf.convert_to_tensor(self._call_if_callable(self._rho), name="rho")
        self._epsilon_t = tf.convert_to_tensor(
            self._call_if_callable(self._epsilon), name="epsilon"
        )

    def _apply(self, kernel, grad, var, **sparse):
        dtype = grad.dtype.base_dtype
        return kernels.training_op(
            kernel,
            var=var,
            accum=self.get_slot(var, "accum"),
            accum_update=self.get_slot(var, "accum_update"),
            lr=tf.cast(self._lr_t, dtype),
            rho=tf.cast(self._rho_t, dtype),
            epsilon=tf.cast(self._epsilon_t, dtype),
            grad=grad,
            **sparse,
            use_locking=self._use_locking,
        )

    def _resource_apply_dense(self, grad, var):
        return self._apply("ApplyAdadelta", grad, var)

    def _resource_apply_sparse(self, grad, var, indices):
        return self._apply("SparseApplyAdadelta", grad, var, indices=indices)
