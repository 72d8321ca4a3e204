"""TF1's ``FtrlOptimizer``."""

from __future__ import annotations

import tensorflow as tf

from tfv1compat.optimizers import base, kernels, validation


class FtrlOptimizer(base.Optimizer):
    """FTRL-Proximal (McMahan et al.), with TF1's l2 shrinkage (FtrlV2) and ``beta``.

    Update rule (kernel ``ApplyFtrl``, or ``ApplyFtrlV2`` when ``l2_shrinkage > 0``), with
    ``p = learning_rate_power``, ``l2' = l2 + beta / (2 * lr)`` (computed in float32 for Python
    inputs) and ``s = l2_shrinkage``::

        g_s = g + 2 * s * var
        n_new = n + g^2                         # the accumulator uses g, not g_s
        z += g_s - (n_new^(-p) - n^(-p)) / lr * var
        var = (|z| > l1) ? (sign(z) * l1 - z) / (n_new^(-p) / lr + 2 * l2') : 0
        n = n_new

    Args: ``learning_rate`` (float or ``Tensor``; no callables, as in TF1),
    ``learning_rate_power`` <= 0 (-0.5 takes a sqrt fast path), ``initial_accumulator_value``,
    ``l1_``/``l2_``/``l2_shrinkage_regularization_strength`` (all >= 0; shrinkage selects
    FtrlV2), ``beta`` (None means 0.0), ``use_locking``, ``name`` (the slots' suffix unless
    ``accum_name``/``linear_name`` are given).

    Raises:
      ValueError: For a negative accumulator value or strength, or a positive power.

    Example: ``tfv1compat.train.FtrlOptimizer(0.1, l1_regularization_strength=0.01)``.

    Differences from TF1: none.
    """

    _HYPERPARAMETERS = tuple(
        base.Hyperparameter(tensor_name, kernel_input, accepts_callable=False, compute=compute)
        for tensor_name, kernel_input, compute in (
            ("learning_rate", "lr", None),
            ("l1_regularization_strength", "l1", None),
            ("adjusted_l2_regularization_strength", "l2", lambda opt: opt._adjusted_l2()),
            ("beta", None, None),
            ("l2_shrinkage_regularization_strength", "l2_shrinkage", None),
            ("learning_rate_power", "lr_power", None),
        )
    )

    def __init__(
        self,
        learning_rate: float | tf.Tensor,
        learning_rate_power: float = -0.5,
        initial_accumulator_value: float = 0.1,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        use_locking: bool = False,
        name: str = "Ftrl",
        accum_name: str | None = None,
        linear_name: str | None = None,
        l2_shrinkage_regularization_strength: float = 0.0,
        beta: float | None = None,
    ) -> None:
        super().__init__(use_locking, name)
        validation.check_ftrl_arguments(
            initial_accumulator_value,
            learning_rate_power,
            l1_regularization_strength,
            l2_regularization_strength,
            l2_shrinkage_regularization_strength,
        )
        self._learning_rate = learning_rate
        self._learning_rate_power = learning_rate_power
        self._initial_accumulator_value = initial_accumulator_value
        self._l1_regularization_strength = l1_regularization_strength
        self._l2_regularization_strength = l2_regularization_strength
        self._beta = 0.0 if beta is None else beta
        self._l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self._accum_name = accum_name
        self._linear_name = linear_name

    def _adjusted_l2(self):
        # TF1 computes this in float32 for Python inputs (tf.maximum makes a float32 tensor).
        return self._l2_regularization_strength + self._beta / (
            2.0 * tf.maximum(self._learning_rate, 1e-36)
        )

    def _create_slots(self, var_list):
        def _accum_initializer(shape, dtype=tf.float32, partition_info=None):
            del partition_info
            return tf.ones(shape=shape, dtype=dtype) * self._initial_accumulator_value

        for v in var_list:
            self._get_or_make_slot_with_initializer(
                v, _accum_initializer, v.shape, v.dtype, "accum", self._accum_name or self._name
            )
            self._zeros_slot(v, "linear", self._linear_name or self._name)

    def _apply(self, kernel, grad, var, dtype, **sparse):
        hyper = self._kernel_hyperparameters(dtype)
        # The kernel is chosen in Python when the graph is built, as in TF1.
        if self._l2_shrinkage_regularization_strength > 0.0:
            kernel += "V2"
        else:
            del hyper["l2_shrinkage"]
        return kernels.training_op(
            kernel,
            var=var,
            accum=self.get_slot(var, "accum"),
            linear=self.get_slot(var, "linear"),
            grad=grad,
            **sparse,
            **hyper,
            use_locking=self._use_locking,
        )

    def _resource_apply_dense(self, grad, var):
        return self._apply("ApplyFtrl", grad, var, var.dtype.base_dtype)

    def _resource_apply_sparse(self, grad, var, indices):
        return self._apply("SparseApplyFtrl", grad, var, grad.dtype.base_dtype, indices=indices)
