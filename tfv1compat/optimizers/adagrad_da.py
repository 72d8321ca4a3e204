"""TF1's ``AdagradDAOptimizer``."""

from __future__ import annotations

import tensorflow as tf

from tfv1compat._tf import legacy_graph
from tfv1compat.optimizers import base, kernels, validation


class AdagradDAOptimizer(base.Optimizer):
    """Adagrad Dual Averaging; the variable is overwritten from its accumulators.

    Update rule (kernel ``ApplyAdagradDA``), with ``T = global_step + 1`` read in ``_prepare``::

        g_acc += g
        gg_acc += g * g
        var = -lr * shrink(g_acc, l1 * T) / (l2 * T * lr + sqrt(gg_acc))
        # shrink(a, t) = sign(a) * max(|a| - t, 0) when l1 > 0, else a

    ``global_step`` must be an int64 variable or tensor, and this optimizer never increments
    it: pass it to ``apply_gradients(global_step=...)``.

    Args:
      learning_rate: A float or ``Tensor`` (no callables, as in TF1).
      global_step: int64 step (required).
      initial_gradient_squared_accumulator_value: Must be positive.
      l1_regularization_strength: float >= 0.
      l2_regularization_strength: float >= 0.
      use_locking: If True, use locks for update operations.
      name: Name for the slots (``<var>/AdagradDA``, ``<var>/AdagradDA_1``) and update ops.

    Raises:
      ValueError: If ``initial_gradient_squared_accumulator_value`` is not positive.

    Example::

        step = tfv1compat.train.get_or_create_global_step()
        opt = tfv1compat.train.AdagradDAOptimizer(0.1, step)

    Differences from TF1: none.
    """

    _HYPERPARAMETERS = (base.Hyperparameter("learning_rate", "lr", accepts_callable=False),)

    def __init__(
        self,
        learning_rate: float | tf.Tensor,
        global_step: tf.Variable,
        initial_gradient_squared_accumulator_value: float = 0.1,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        use_locking: bool = False,
        name: str = "AdagradDA",
    ) -> None:
        validation.check_positive(
            "initial_gradient_squared_accumulator_value", initial_gradient_squared_accumulator_value
        )
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_gradient_squared_accumulator_value = (
            initial_gradient_squared_accumulator_value
        )
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength
        self._global_step = global_step
        self._global_step_on_worker = None

    def _create_slots(self, var_list):
        for v in var_list:
            with legacy_graph.colocate_with(v):
                g_val = tf.constant(0.0, shape=v.get_shape(), dtype=v.dtype.base_dtype)
                gg_val = tf.constant(
                    self._initial_gradient_squared_accumulator_value,
                    shape=v.get_shape(),
                    dtype=v.dtype.base_dtype,
                )
            self._get_or_make_slot(v, g_val, "gradient_accumulator", self._name)
            self._get_or_make_slot(v, gg_val, "gradient_squared_accumulator", self._name)

    def _prepare(self):
        super()._prepare()
        with legacy_graph.colocate_with(self._learning_rate_tensor):
            self._global_step_on_worker = tf.identity(self._global_step) + 1

    def _apply(self, kernel, grad, var, **sparse):
        dtype = grad.dtype.base_dtype
        with tf.device(var.device):
            global_step = tf.identity(self._global_step_on_worker)
        return kernels.training_op(
            kernel,
            var=var,
            gradient_accumulator=self.get_slot(var, "gradient_accumulator"),
            gradient_squared_accumulator=self.get_slot(var, "gradient_squared_accumulator"),
            grad=grad,
            **sparse,
            **self._kernel_hyperparameters(dtype),
            # TF1 casts the raw Python floats here; they are not _prepare tensors.
            l1=tf.cast(self._l1_regularization_strength, dtype),
            l2=tf.cast(self._l2_regularization_strength, dtype),
            global_step=global_step,
            use_locking=self._use_locking,
        )

    def _resource_apply_dense(self, grad, var):
        return self._apply("ApplyAdagradDA", grad, var)

    def _resource_apply_sparse(self, grad, var, indices):
        return self._apply("SparseApplyAdagradDA", grad, var, indices=indices)
