"""TF1's ``GradientDescentOptimizer``."""

from __future__ import annotations

import tensorflow as tf

from tfv1compat.optimizers import base, kernels


class GradientDescentOptimizer(base.Optimizer):
    """Plain gradient descent.

    Update rule (kernel ``ApplyGradientDescent``)::

        var -= lr * g

    Sparse gradients are not de-duplicated: ``ResourceScatterAdd(var, indices, -g * lr)`` sums
    duplicate rows itself.

    Args:
      learning_rate: A Python float, ``Tensor``, ``tf.Variable`` or zero-argument callable.
      use_locking: If True, use locks for update operations.
      name: Optional name prefix for the operations created when applying gradients.

    Example::

        opt = tfv1compat.train.GradientDescentOptimizer(0.1)
        opt.minimize(lambda: tf.reduce_sum(w * w), var_list=[w])

    Differences from TF1: none.
    """

    _HYPERPARAMETERS = (base.Hyperparameter("learning_rate", "alpha"),)

    def __init__(
        self,
        learning_rate: base.HyperparameterValue,
        use_locking: bool = False,
        name: str = "GradientDescent",
    ) -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate

    def _resource_apply_dense(self, grad, handle):
        return kernels.training_op(
            "ApplyGradientDescent",
            var=handle,
            delta=grad,
            use_locking=self._use_locking,
            **self._kernel_hyperparameters(grad.dtype.base_dtype),
        )

    def _resource_apply_sparse_duplicate_indices(self, grad, handle, indices):
        return kernels.scatter_add(
            handle, indices, -grad * tf.cast(self._learning_rate_tensor, grad.dtype.base_dtype)
        )

    def _apply_sparse_duplicate_indices(self, grad, var):
        # TF1's ref path subtracts lr * g (ScatterSub) rather than adding -g * lr: the same
        # numbers, since negation is exact.
        delta = tf.IndexedSlices(
            grad.values * tf.cast(self._learning_rate_tensor, var.dtype.base_dtype),
            grad.indices,
            grad.dense_shape,
        )
        return var.scatter_sub(delta, use_locking=self._use_locking)
