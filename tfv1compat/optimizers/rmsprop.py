"""TF1's ``RMSPropOptimizer``."""

from __future__ import annotations

import tensorflow as tf

from tfv1compat.optimizers import base, kernels


class RMSPropOptimizer(base.Optimizer):
    """RMSProp as TF1 computes it: ``rms`` starts at 1.0, epsilon inside the sqrt.

    Update rule (kernel ``ApplyRMSProp``, or ``ApplyCenteredRMSProp`` when centered)::

        ms += (g^2 - ms) * (1 - decay)
        mg += (g - mg) * (1 - decay)                   # centered only
        den = ms - mg^2 + epsilon  (centered)  or  ms + epsilon
        mom = momentum * mom + lr * g / sqrt(den)
        var -= mom

    The ``momentum`` slot is always created and used, even when ``momentum=0``. Sparse
    gradients update only the rows they name.

    Args:
      learning_rate: A float, ``Tensor``, ``tf.Variable`` or zero-argument callable.
      decay: Discounting factor for the history (float, Tensor or callable).
      momentum: Momentum (float, Tensor or callable).
      epsilon: Small value inside the sqrt (float, Tensor or callable).
      use_locking: If True, use locks for update operations (note: before ``centered``).
      centered: If True, normalize by the centered second moment.
      name: Name for the slots (``<var>/RMSProp``, ``_1``[, ``_2``]) and the update ops.

    Example::

        opt = tfv1compat.train.RMSPropOptimizer(0.001, decay=0.9, momentum=0.9, centered=True)

    Differences from TF1: none.
    """

    _HYPERPARAMETERS = (
        base.Hyperparameter("learning_rate", "lr"),
        base.Hyperparameter("decay", "rho"),
        base.Hyperparameter("momentum", "momentum"),
        base.Hyperparameter("epsilon", "epsilon"),
    )

    def __init__(
        self,
        learning_rate: base.HyperparameterValue,
        decay: base.HyperparameterValue = 0.9,
        momentum: base.HyperparameterValue = 0.0,
        epsilon: base.HyperparameterValue = 1e-10,
        use_locking: bool = False,
        centered: bool = False,
        name: str = "RMSProp",
    ) -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._decay = decay
        self._momentum = momentum
        self._epsilon = epsilon
        self._centered = centered

    def _create_slots(self, var_list):
        for v in var_list:
            if v.get_shape().is_fully_defined():
                init_rms = tf.ones_initializer()
            else:
                init_rms = tf.ones_like(v)
            self._get_or_make_slot_with_initializer(
                v, init_rms, v.get_shape(), v.dtype.base_dtype, "rms", self._name
            )
            if self._centered:
                self._zeros_slot(v, "mg", self._name)
            self._zeros_slot(v, "momentum", self._name)

    def _apply(self, kernel, grad, var, **sparse):
        slots = dict(ms=self.get_slot(var, "rms"), mom=self.get_slot(var, "momentum"))
        if self._centered:
            kernel = kernel.replace("RMSProp", "CenteredRMSProp")
            slots["mg"] = self.get_slot(var, "mg")
        return kernels.training_op(
            kernel,
            var=var,
            **slots,
            **self._kernel_hyperparameters(grad.dtype.base_dtype),
            grad=grad,
            **sparse,
            use_locking=self._use_locking,
        )

    def _resource_apply_dense(self, grad, var):
        return self._apply("ApplyRMSProp", grad, var)

    def _resource_apply_sparse(self, grad, var, indices):
        return self._apply("SparseApplyRMSProp", grad, var, indices=indices)
