"""TF1's ``MomentumOptimizer``."""

from __future__ import annotations

from tfv1compat.optimizers import base, kernels


class MomentumOptimizer(base.Optimizer):
    """Momentum, in TF1's form (not Keras's).

    Update rule (kernel ``ApplyMomentum``)::

        accum = accum * momentum + g
        var -= lr * accum                              # use_nesterov=False
        var -= lr * g + lr * momentum * accum          # use_nesterov=True (new accum)

    Sparse gradients update only the rows they name; other rows' accumulators stay frozen.

    Args:
      learning_rate: A float, ``Tensor``, ``tf.Variable`` or zero-argument callable.
      momentum: A float, ``Tensor`` or zero-argument callable.
      use_locking: If True, use locks for update operations.
      name: Name for the slot (``<var>/Momentum``) and the update ops.
      use_nesterov: If True, use TF1's Nesterov form above.

    Example::

        opt = tfv1compat.train.MomentumOptimizer(0.01, momentum=0.9, use_nesterov=True)

    Differences from TF1: none.
    """

    _HYPERPARAMETERS = (
        base.Hyperparameter("learning_rate", "lr"),
        base.Hyperparameter("momentum", "momentum"),
    )

    def __init__(
        self,
        learning_rate: base.HyperparameterValue,
        momentum: base.HyperparameterValue,
        use_locking: bool = False,
        name: str = "Momentum",
        use_nesterov: bool = False,
    ) -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _apply(self, kernel, grad, var, **sparse):
        return kernels.training_op(
            kernel,
            var=var,
            accum=self.get_slot(var, "momentum"),
            grad=grad,
            **sparse,
            **self._kernel_hyperparameters(grad.dtype.base_dtype),
            use_locking=self._use_locking,
            use_nesterov=self._use_nesterov,
        )

    def _resource_apply_dense(self, grad, var):
        return self._apply("ApplyMomentum", grad, var)

    def _resource_apply_sparse(self, grad, var, indices):
        return self._apply("SparseApplyMomentum", grad, var, indices=indices)
