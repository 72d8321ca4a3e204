"""TF1's ``AdamOptimizer``."""

from __future__ import annotations

import tensorflow as tf

from tfv1compat._tf import legacy_graph
from tfv1compat.optimizers import base, kernels, slots


class AdamOptimizer(base.Optimizer):
    """Adam (Kingma & Ba), with TF1's "epsilon-hat" and float32 running beta powers.

    Update rule at step t (kernel ``ApplyAdam``)::

        lr_t = lr * sqrt(1 - beta2_power) / (1 - beta1_power)
        m = m + (g - m) * (1 - beta1);  v = v + (g * g - v) * (1 - beta2)
        var -= lr_t * m / (sqrt(v) + epsilon)

    ``beta1_power``/``beta2_power`` are non-slot variables holding ``beta^t`` (float32 for Python
    betas, also for float64 models), multiplied by the betas in ``_finish`` after every variable
    is updated. Sparse gradients take TF1's composite path: it decays every row of ``m`` and
    ``v`` and moves every row of the variable.

    Args: ``learning_rate``, ``beta1``, ``beta2``, ``epsilon`` (floats, Tensors or zero-argument
    callables), ``use_locking``, ``name`` (slots ``<var>/Adam``, ``<var>/Adam_1``; op scope),
    ``use_own_namescope_for_non_slot_vars`` (``Adam/beta1_power`` instead of ``beta1_power``).

    Example: ``tfv1compat.train.AdamOptimizer(1e-3).minimize(loss_fn, global_step=step)``.

    Differences from TF1: none.
    """

    _HYPERPARAMETERS = (
        base.Hyperparameter("learning_rate", "lr", attribute="_lr", tensor="_lr_t"),
        base.Hyperparameter("beta1", "beta1", tensor="_beta1_t"),
        base.Hyperparameter("beta2", "beta2", tensor="_beta2_t"),
        base.Hyperparameter("epsilon", "epsilon", tensor="_epsilon_t"),
    )

    def __init__(
        self,
        learning_rate: base.HyperparameterValue = 0.001,
        beta1: base.HyperparameterValue = 0.9,
        beta2: base.HyperparameterValue = 0.999,
        epsilon: base.HyperparameterValue = 1e-08,
        use_locking: bool = False,
        name: str = "Adam",
        use_own_namescope_for_non_slot_vars: bool = False,
    ) -> None:
        super().__init__(use_locking, name, use_own_namescope_for_non_slot_vars)
        self._lr = learning_rate
        self._beta1 = beta1
        self._beta2 = beta2
        self._epsilon = epsilon

    def _get_beta_accumulators(self):
        graph = slots.current_graph_key()
        return tuple(self._get_non_slot_variable(name, graph) for name in _BETA_POWERS)

    def _create_slots(self, var_list):
        first_var = min(var_list, key=lambda x: x.name)
        for name, initial_value in zip(_BETA_POWERS, (self._beta1, self._beta2)):
            self._create_non_slot_variable(initial_value, name, colocate_with=first_var)
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name)

    def _resource_apply_dense(self, grad, var):
        dtype = grad.dtype.base_dtype
        beta1_power, beta2_power = self._get_beta_accumulators()
        return kernels.training_op(
            "ApplyAdam",
            var=var,
            m=self.get_slot(var, "m"),
            v=self.get_slot(var, "v"),
            beta1_power=tf.cast(beta1_power, dtype),
            beta2_power=tf.cast(beta2_power, dtype),
            **self._kernel_hyperparameters(dtype),
            grad=grad,
            use_locking=self._use_locking,
        )

    def _resource_apply_sparse(self, grad, var, indices):
        return self._apply_sparse_shared(grad, var, indices, self._resource_scatter_add)

    def _resource_scatter_add(self, x, i, v):
        if legacy_graph.is_ref_variable(x):
            # TF1's ref path (``_apply_sparse``) uses ScatterAdd's ref output directly.
            return kernels.scatter_add(x, i, v, use_locking=self._use_locking)
        # TF1 reads the slot once after the scatter; every later use shares that read.
        with tf.control_dependencies([kernels.scatter_add(x, i, v)]):
            return x.value()

    def _apply_sparse_shared(self, grad, var, indices, scatter_add):
        # TF1 has no fused sparse Adam kernel; this is its composite, op for op.
        dtype = var.dtype.base_dtype
        beta1_power, beta2_power = (tf.cast(p, dtype) for p in self._get_beta_accumulators())
        hyper = self._kernel_hyperparameters(dtype)
        beta1_t, beta2_t = hyper["beta1"], hyper["beta2"]
        lr = hyper["lr"] * tf.sqrt(1 - beta2_power) / (1 - beta1_power)
        m, v, locking = self.get_slot(var, "m"), self.get_slot(var, "v"), self._use_locking
        m_t = kernels.decayed_scatter_add(
            m, beta1_t, grad * (1 - beta1_t), indices, scatter_add, locking
        )
        v_t = kernels.decayed_scatter_add(
            v, beta2_t, (grad * grad) * (1 - beta2_t), indices, scatter_add, locking
        )
        v_sqrt = tf.sqrt(v_t)
        update = lr * m_t / (v_sqrt + hyper["epsilon"])
        var_update = var.assign_sub(update, use_locking=self._use_locking)
        return tf.group(*[var_update, m_t, v_t])

    def _finish(self, update_ops, name_scope):
        with tf.control_dependencies(update_ops):
            beta1_power, beta2_power = self._get_beta_accumulators()
            with legacy_graph.colocate_with(beta1_power):
                update_powers = [
                    power.assign(power * beta, use_locking=self._use_locking)
                    for power, beta in ((beta1_power, self._beta1_t), (beta2_power, self._beta2_t))
                ]
        return tf.group(*update_ops + update_powers, name=name_scope)


_BETA_POWERS = ("beta1_power", "beta2_power")
