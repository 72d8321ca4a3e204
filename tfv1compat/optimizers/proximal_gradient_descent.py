"""TF1's ``ProximalGradientDescentOptimizer``."""

from __future__ import annotations

from tfv1compat.optimizers import base, kernels


class ProximalGradientDescentOptimizer(base.Optimizer):
    """Gradient descent followed by the l1/l2 proximal step (FOBOS).

    Update rule (kernel ``ApplyProximalGradientDescent``)::

        prox = var - lr * g
        var = sign(prox) * max(|prox| - lr * l1, 0) / (1 + lr * l2)   # l1 > 0
        var = prox / (1 + lr * l2)                                    # otherwise

    Args:
      learning_rate: A float or ``Tensor`` (no callables, as in TF1).
      l1_regularization_strength: float >= 0.
      l2_regularization_strength: float >= 0.
      use_locking: If True, use locks for update operations.
      name: Name for the update ops.

    Example::

        opt = tfv1compat.train.ProximalGradientDescentOptimizer(0.1, 0.001, 0.001)

    Differences from TF1: none. (As in TF1, the dense path does not cast hyperparameters, so
    float64 variables need float64 tensor hyperparameters; the sparse path casts.)
    """

    _HYPERPARAMETERS = base.proximal_hyperparameters(learning_rate_input="alpha")

    def __init__(
        self,
        learning_rate: base.HyperparameterValue,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        use_locking: bool = False,
        name: str = "ProximalGradientDescent",
    ) -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength

    def _resource_apply_dense(self, grad, var):
        # TF1's dense path feeds the hyperparameters uncast (dtype=None).
        return kernels.training_op(
            "ApplyProximalGradientDescent",
            var=var,
            delta=grad,
            **self._kernel_hyperparameters(None),
            use_locking=self._use_locking,
        )

    def _resource_apply_sparse(self, grad, var, indices):
        return kernels.training_op(
            "SparseApplyProximalGradientDescent",
            var=var,
            grad=grad,
            indices=indices,
            **self._kernel_hyperparameters(grad.dtype.base_dtype),
            use_locking=self._use_locking,
        )
