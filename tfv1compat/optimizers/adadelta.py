"""TF1's ``AdadeltaOptimizer``."""

from __future__ import annotations

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

    _HYPERPARAMETERS = (
        base.Hyperparameter("lr", "lr", tensor="_lr_t"),
        base.Hyperparameter("rho", "rho", tensor="_rho_t"),
        base.Hyperparameter("epsilon", "epsilon", tensor="_epsilon_t"),
    )

    def __init__(
        self,
        learning_rate: base.HyperparameterValue = 0.001,
        rho: base.HyperparameterValue = 0.95,
        epsilon: base.HyperparameterValue = 1e-08,
        use_locking: bool = False,
        name: str = "Adadelta",
    ) -> None:
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._rho = rho
        self._epsilon = epsilon

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "accum", self._name)
            self._zeros_slot(v, "accum_update", self._name)

    def _apply(self, kernel, grad, var, **sparse):
        return kernels.training_op(
            kernel,
            var=var,
            accum=self.get_slot(var, "accum"),
            accum_update=self.get_slot(var, "accum_update"),
            grad=grad,
            **sparse,
            **self._kernel_hyperparameters(grad.dtype.base_dtype),
            use_locking=self._use_locking,
        )

    def _resource_apply_dense(self, grad, var):
        return self._apply("ApplyAdadelta", grad, var)

    def _resource_apply_sparse(self, grad, var, indices):
        return self._apply("SparseApplyAdadelta", grad, var, indices=indices)
