"""TF1's ``ProximalAdagradOptimizer``."""

from __future__ import annotations

import tensorflow as tf

from tfv1compat._tf import legacy_graph
from tfv1compat.optimizers import base, kernels, validation


class ProximalAdagradOptimizer(base.Optimizer):
    """Adagrad followed by the l1/l2 proximal step.

    Update rule (kernel ``ApplyProximalAdagrad``)::

        accum += g^2
        a = lr * rsqrt(accum)
        prox = var - a * g
        var = sign(prox) * max(|prox| - a * l1, 0) / (1 + a * l2)     # l1 > 0
        var = prox / (1 + a * l2)                                      # otherwise

    Args:
      learning_rate: A float or ``Tensor`` (no callables, as in TF1).
      initial_accumulator_value: Must be positive.
      l1_regularization_strength: float >= 0.
      l2_regularization_strength: float >= 0.
      use_locking: If True, use locks for update operations.
      name: Name for the slot (``<var>/ProximalAdagrad``) and the update ops.

    Raises:
      ValueError: If ``initial_accumulator_value`` is not positive.

    Example::

        opt = tfv1compat.train.ProximalAdagradOptimizer(0.1, l1_regularization_strength=0.01)

    Differences from TF1: none. (As in TF1, the dense path does not cast hyperparameters.)
    """

    _HYPERPARAMETERS = base.proximal_hyperparameters(learning_rate_input="lr")

    def __init__(
        self,
        learning_rate: base.HyperparameterValue,
        initial_accumulator_value: float = 0.1,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        use_locking: bool = False,
        name: str = "ProximalAdagrad",
    ) -> None:
        validation.check_positive("initial_accumulator_value", initial_accumulator_value)
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength

    def _create_slots(self, var_list):
        for v in var_list:
            with legacy_graph.colocate_with(v):
                val = tf.constant(
                    self._initial_accumulator_value, shape=v.get_shape(), dtype=v.dtype.base_dtype
                )
            self._get_or_make_slot(v, val, "accumulator", self._name)

    def _apply(self, kernel, grad, var, dtype, **sparse):
        return kernels.training_op(
            kernel,
            var=var,
            accum=self.get_slot(var, "accumulator"),
            grad=grad,
            **sparse,
            **self._kernel_hyperparameters(dtype),
            use_locking=self._use_locking,
        )

    def _resource_apply_dense(self, grad, var):
        # TF1's dense path feeds the hyperparameters uncast (dtype=None).
        return self._apply("ApplyProximalAdagrad", grad, var, None)

    def _resource_apply_sparse(self, grad, var, indices):
        dtype = grad.dtype.base_dtype
        return self._apply("SparseApplyProximalAdagrad", grad, var, dtype, indices=indices)
