"""Independent NumPy models of the update rules of TF1's ten ``tf.train`` optimizers.

The models are written from TensorFlow itself, not from tfv1compat:

* which kernel each optimizer runs, and how it feeds it (hyperparameter dtypes, slot initial
  values, deduplication of sparse gradients, Adam's beta powers and composite sparse path), from
  the Python optimizers in ``tensorflow/python/training/{adam,ftrl,rmsprop,...}.py``;
* the kernel maths from the raw-op documentation (``tf.raw_ops.ResourceApplyFtrlV2.__doc__``
  etc.) and the CPU functors in ``tensorflow/core/kernels/training_ops.cc``.

Nothing here imports TensorFlow: a model is plain NumPy and can outlive ``tf.compat.v1.train``.

What TF1 feeds its kernels is reproduced exactly; the arithmetic itself runs in float64:

* **Hyperparameters** go through ``ops.convert_to_tensor`` in ``_prepare``: a Python float
  becomes a *float32* tensor, which the apply method then casts to the variable dtype. A float64
  variable trained with ``learning_rate=0.1`` therefore sees ``float64(float32(0.1))``. A NumPy
  scalar given as a hyperparameter stands for a tensor of its own dtype (``kernel_scalar``).
* **Slot initial values** are built by constant initializers directly in the variable dtype
  (``constant(0.1, dtype=float64)`` is the exact float64 0.1, no float32 detour).
* **Derived hyperparameters** are computed by TF in the hyperparameter dtype: Ftrl's
  ``l2 + beta / (2 * lr)`` in float32 for a Python-float lr, then cast. The dense Proximal*
  paths pass their hyperparameter tensors uncast, so TF1 needs them in the variable dtype.
* **Adam's beta powers** are float32 variables (their initial value is the Python float), cast to
  the variable dtype at use and multiplied by the float32 beta in ``_finish``, after every
  variable was updated.
* **Sparse gradients** (``IndexedSlices``) are deduplicated first (``unique`` +
  ``unsorted_segment_sum``) by every optimizer but GradientDescent, which scatter-adds the raw
  duplicates. The sparse kernels of Momentum, Adagrad, AdagradDA, Adadelta, Ftrl, Proximal*,
  RMSProp touch only the listed rows; Adam's sparse path decays *all* of ``m`` and ``v`` and
  moves every row of the variable.

Usage: ``model = build_model("AdamOptimizer", np.float32, 0.1, beta1=0.8)``, then
``state = model.initial_state({"w": w0})`` and ``state = model.apply_gradients(state, grads)``
with ``grads[name]`` a dense array or a ``Sparse(values, indices)``. Each model also exposes
``dense_step`` and ``sparse_step`` for a single variable.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np

# TF1's constructor arguments that name things or lock, and never change a number.
NON_NUMERIC_ARGUMENTS = frozenset(
    {"use_locking", "name", "accum_name", "linear_name", "use_own_namescope_for_non_slot_vars"}
)


def given_dtype(value: Any) -> np.dtype:
    """The dtype of the tensor TF1 makes of a hyperparameter (float32 for Python numbers)."""
    return value.dtype if isinstance(value, np.generic) else np.dtype(np.float32)


def kernel_scalar(value: Any, dtype) -> np.float64:
    """The hyperparameter a kernel for variables of ``dtype`` receives, as a float64.

    TF1 runs ``ops.convert_to_tensor(value)`` (a Python number becomes float32; a NumPy scalar,
    standing for a tensor here, keeps its dtype), then ``math_ops.cast(.., dtype)``.
    """
    return np.float64(np.asarray(value, given_dtype(value)).astype(dtype))


def slot_constant(value: float, dtype) -> np.float64:
    """A slot's initial constant: built directly in the variable dtype (no float32 detour)."""
    return np.float64(np.asarray(value, dtype))


@dataclasses.dataclass(frozen=True)
class Sparse:
    """A sparse gradient: rows ``values[i]`` for variable rows ``indices[i]`` (duplicates ok)."""

    values: np.ndarray
    indices: np.ndarray


def deduplicate(values: np.ndarray, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """TF1's ``_deduplicate_indexed_slices``: ``unique`` (order of first appearance) and the
    sum of the rows that share an index (``unsorted_segment_sum``)."""
    unique, first = np.unique(indices, return_index=True)
    unique = unique[np.argsort(first)]
    summed = np.zeros((len(unique),) + values.shape[1:], np.float64)
    for position, index in enumerate(unique):
        summed[position] = values[indices == index].sum(axis=0)
    return summed, unique


@dataclasses.dataclass
class State:
    """Everything one optimizer holds for its variables: float64 arrays, except ``non_slot``
    (Adam's beta powers), kept in the dtype TF1 stores them in."""

    variables: dict[str, np.ndarray]
    slots: dict[str, dict[str, np.ndarray]]  # variable name -> slot name -> value
    non_slot: dict[str, np.generic]  # Adam's beta powers, in their own dtype (float32)
    global_step: int = 0

    def copy(self) -> State:
        return State(
            {k: v.copy() for k, v in self.variables.items()},
            {k: {s: a.copy() for s, a in d.items()} for k, d in self.slots.items()},
            dict(self.non_slot),
            self.global_step,
        )


class OptimizerModel:
    """Base class: one TF1 optimizer's state layout and update rule.

    Subclasses define ``slot_names`` (in TF1's creation order), ``initial_slots`` and
    ``rule`` (the dense kernel, element-wise on float64 arrays). The default sparse path is
    TF1's: deduplicate, then run the same rule on the touched rows only.
    """

    tf1_name: ClassVar[str] = ""
    slot_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, dtype, learning_rate):
        self.dtype = np.dtype(dtype)
        self.learning_rate = learning_rate

    # ----------------------------------------------------------------- materialization

    def scalar(self, value: Any) -> np.float64:
        """``value`` as the kernel sees it (see :func:`kernel_scalar`)."""
        return kernel_scalar(value, self.dtype)

    @property
    def lr(self) -> np.float64:
        return self.scalar(self.learning_rate)

    def initial_slots(self, var: np.ndarray) -> dict[str, np.ndarray]:
        return {}

    def initial_non_slot(self) -> dict[str, np.generic]:
        return {}

    def initial_state(self, variables: dict[str, np.ndarray]) -> State:
        """The state right after slot creation, for variables given in their own dtype."""
        as64 = {name: np.asarray(v, np.float64) for name, v in variables.items()}
        return State(
            as64,
            {name: self.initial_slots(v) for name, v in as64.items()},
            self.initial_non_slot(),
        )

    # ----------------------------------------------------------------- update rules

    def rule(self, var, slots, grad, state: State):
        """The dense kernel: returns (new var, new slots). ``state`` gives the non-slot state
        and the global step as read before this apply."""
        raise NotImplementedError

    def dense_step(self, var, slots, grad, state: State):
        return self.rule(var, slots, np.asarray(grad, np.float64), state)

    def sparse_step(self, var, slots, values, indices, state: State):
        """Default TF1 sparse path: deduplicate, then update only the touched rows."""
        summed, rows = deduplicate(np.asarray(values, np.float64), np.asarray(indices))
        new_rows, new_row_slots = self.rule(
            var[rows], {k: v[rows] for k, v in slots.items()}, summed, state
        )
        var = var.copy()
        var[rows] = new_rows
        slots = {k: v.copy() for k, v in slots.items()}
        for name, value in new_row_slots.items():
            slots[name][rows] = value
        return var, slots

    def finish(self, state: State) -> dict[str, np.generic]:
        """TF1's ``_finish``, run after every variable's update: the new non-slot state."""
        return state.non_slot

    def apply_gradients(self, state: State, gradients: dict[str, Any]) -> State:
        """One ``apply_gradients(..., global_step=step)``: every variable (in the given order),
        then ``_finish``, then the global step increment."""
        before = state
        state = state.copy()
        for name, grad in gradients.items():
            var, slots = state.variables[name], state.slots[name]
            if isinstance(grad, Sparse):
                var, slots = self.sparse_step(var, slots, grad.values, grad.indices, before)
            else:
                var, slots = self.dense_step(var, slots, grad, before)
            state.variables[name], state.slots[name] = var, slots
        state.non_slot = self.finish(before)
        state.global_step += 1
        return state


# --------------------------------------------------------------------------- optimizers


class GradientDescentModel(OptimizerModel):
    """``var -= lr * g``; sparse: ``ResourceScatterAdd(var, indices, -g * lr)`` on the raw,
    *not* deduplicated rows (TF1 overrides ``_resource_apply_sparse_duplicate_indices``)."""

    tf1_name = "GradientDescentOptimizer"

    def rule(self, var, slots, grad, state):
        return var - self.lr * grad, slots

    def sparse_step(self, var, slots, values, indices, state):
        var = var.copy()
        np.add.at(var, np.asarray(indices), -np.asarray(values, np.float64) * self.lr)
        return var, slots


class MomentumModel(OptimizerModel):
    """``accum = accum * momentum + g``; ``var -= lr * accum``, or with Nesterov (TF1's form)
    ``var -= lr * g + lr * momentum * accum`` with the new accum."""

    tf1_name = "MomentumOptimizer"
    slot_names = ("momentum",)

    def __init__(self, dtype, learning_rate, momentum, use_nesterov=False):
        super().__init__(dtype, learning_rate)
        self.momentum = momentum
        self.use_nesterov = use_nesterov

    def initial_slots(self, var):
        return {"momentum": np.zeros_like(var)}

    def rule(self, var, slots, grad, state):
        lr, momentum = self.lr, self.scalar(self.momentum)
        accum = slots["momentum"] * momentum + grad
        if self.use_nesterov:
            var = var - (grad * lr + accum * momentum * lr)
        else:
            var = var - accum * lr
        return var, {"momentum": accum}


class AdagradModel(OptimizerModel):
    """``accum += g * g``; ``var -= lr * g / sqrt(accum)`` (no epsilon)."""

    tf1_name = "AdagradOptimizer"
    slot_names = ("accumulator",)

    def __init__(self, dtype, learning_rate, initial_accumulator_value=0.1):
        super().__init__(dtype, learning_rate)
        self.initial_accumulator_value = initial_accumulator_value

    def initial_slots(self, var):
        value = slot_constant(self.initial_accumulator_value, self.dtype)
        return {"accumulator": np.full_like(var, value)}

    def rule(self, var, slots, grad, state):
        accum = slots["accumulator"] + grad * grad
        return var - grad * self.lr / np.sqrt(accum), {"accumulator": accum}


class AdagradDAModel(OptimizerModel):
    """Dual averaging; the variable is *overwritten* from the accumulators::

        g_acc += g;  gg_acc += g * g;  T = global_step + 1  (read before this apply)
        var = -lr * (sign(g_acc) * max(|g_acc| - l1 * T, 0) if l1 > 0 else g_acc)
              / (l2 * T * lr + sqrt(gg_acc))

    ``T`` is ``identity(global_step) + 1`` from ``_prepare``; l1/l2 are Python floats passed to
    ``math_ops.cast``, so they go through float32 like the learning rate.
    """

    tf1_name = "AdagradDAOptimizer"
    slot_names = ("gradient_accumulator", "gradient_squared_accumulator")

    def __init__(
        self,
        dtype,
        learning_rate,
        initial_gradient_squared_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
    ):
        super().__init__(dtype, learning_rate)
        self.initial_value = initial_gradient_squared_accumulator_value
        self.l1 = l1_regularization_strength
        self.l2 = l2_regularization_strength

    def initial_slots(self, var):
        return {
            "gradient_accumulator": np.zeros_like(var),
            "gradient_squared_accumulator": np.full_like(
                var, slot_constant(self.initial_value, self.dtype)
            ),
        }

    def step_count(self, state: State) -> float:
        """The kernel's ``global_step`` input: TF1 passes ``global_step + 1``."""
        return float(state.global_step + 1)

    def rule(self, var, slots, grad, state):
        lr, l1, l2 = self.lr, self.scalar(self.l1), self.scalar(self.l2)
        t = self.step_count(state)
        g_acc = slots["gradient_accumulator"] + grad
        gg_acc = slots["gradient_squared_accumulator"] + grad * grad
        if l1 > 0:
            numerator = np.sign(g_acc) * np.maximum(np.abs(g_acc) - l1 * t, 0.0)
        else:
            numerator = g_acc
        var = -lr * numerator / (l2 * t * lr + np.sqrt(gg_acc))
        return var, {"gradient_accumulator": g_acc, "gradient_squared_accumulator": gg_acc}


class AdadeltaModel(OptimizerModel):
    """``accum = rho*accum + (1-rho)*g^2``;
    ``update = sqrt(accum_update + eps) / sqrt(accum + eps) * g``; ``var -= lr * update``;
    ``accum_update = rho*accum_update + (1-rho)*update^2`` (old accum_update in ``update``).

    In float16 the default epsilon (1e-8) casts to 0: ``accum_update`` stays 0 and the variable
    never moves, in TF1 as in the model."""

    tf1_name = "AdadeltaOptimizer"
    slot_names = ("accum", "accum_update")

    def __init__(self, dtype, learning_rate=0.001, rho=0.95, epsilon=1e-08):
        super().__init__(dtype, learning_rate)
        self.rho = rho
        self.epsilon = epsilon

    def initial_slots(self, var):
        return {"accum": np.zeros_like(var), "accum_update": np.zeros_like(var)}

    def rule(self, var, slots, grad, state):
        lr, rho, eps = self.lr, self.scalar(self.rho), self.scalar(self.epsilon)
        accum = rho * slots["accum"] + (1 - rho) * grad * grad
        update = np.sqrt(slots["accum_update"] + eps) / np.sqrt(accum + eps) * grad
        accum_update = rho * slots["accum_update"] + (1 - rho) * update * update
        return var - lr * update, {"accum": accum, "accum_update": accum_update}


class AdamModel(OptimizerModel):
    """Adam with TF1's epsilon-hat and float32 running beta powers::

        alpha = lr * sqrt(1 - beta2_power) / (1 - beta1_power)
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2
        var -= alpha * m / (sqrt(v) + epsilon)
        after all variables: beta1_power *= beta1; beta2_power *= beta2   (float32)

    The sparse path has no fused kernel: ``m = m * beta1`` on *all* rows, then a scatter-add of
    ``g * (1 - beta1)`` on the (deduplicated) touched rows; the same for ``v``; then every row
    of ``var`` moves.

    In float16 the default epsilon (float32 1e-8) casts to 0, so wherever ``m`` and ``v`` are
    still 0 (rows no sparse gradient touched yet, zero dense gradients) TF1 computes 0 / 0 =
    NaN; the model does the same.
    """

    tf1_name = "AdamOptimizer"
    slot_names = ("m", "v")

    def __init__(self, dtype, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08):
        super().__init__(dtype, learning_rate)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon

    def initial_slots(self, var):
        return {"m": np.zeros_like(var), "v": np.zeros_like(var)}

    def initial_non_slot(self):
        # VariableV1(initial_value=beta): for a Python float a float32 variable, whatever the
        # dtype of the model variables.
        return {
            "beta1_power": np.asarray(self.beta1, given_dtype(self.beta1))[()],
            "beta2_power": np.asarray(self.beta2, given_dtype(self.beta2))[()],
        }

    def step_size(self, state: State) -> np.float64:
        """``lr * sqrt(1 - beta2_power) / (1 - beta1_power)``, powers cast to the var dtype."""
        b1p = self.scalar(state.non_slot["beta1_power"])
        b2p = self.scalar(state.non_slot["beta2_power"])
        return self.lr * np.sqrt(1 - b2p) / (1 - b1p)

    def rule(self, var, slots, grad, state):
        beta1, beta2 = self.scalar(self.beta1), self.scalar(self.beta2)
        m = slots["m"] + (grad - slots["m"]) * (1 - beta1)
        v = slots["v"] + (grad * grad - slots["v"]) * (1 - beta2)
        with np.errstate(invalid="ignore"):  # float16: 0 / 0, as in TF1 (see above)
            var = var - self.step_size(state) * m / (np.sqrt(v) + self.scalar(self.epsilon))
        return var, {"m": m, "v": v}

    def sparse_step(self, var, slots, values, indices, state):
        beta1, beta2 = self.scalar(self.beta1), self.scalar(self.beta2)
        summed, rows = deduplicate(np.asarray(values, np.float64), np.asarray(indices))
        m = slots["m"] * beta1
        m[rows] += summed * (1 - beta1)
        v = slots["v"] * beta2
        v[rows] += summed * summed * (1 - beta2)
        with np.errstate(invalid="ignore"):  # float16: 0 / 0, as in TF1 (see above)
            var = var - self.step_size(state) * m / (np.sqrt(v) + self.scalar(self.epsilon))
        return var, {"m": m, "v": v}

    def finish(self, state):
        # beta_power.assign(beta_power * beta_t): one product in the variable's own dtype
        # (float32 for Python-float betas), rounded like TF's.
        powers = {}
        for name, beta in (("beta1_power", self.beta1), ("beta2_power", self.beta2)):
            power = state.non_slot[name]
            powers[name] = (power * np.asarray(beta, power.dtype)).astype(power.dtype)[()]
        return powers


class FtrlModel(OptimizerModel):
    """FTRL-proximal (``ApplyFtrl``; ``ApplyFtrlV2`` when ``l2_shrinkage > 0``)::

        g_s = g + 2 * l2_shrinkage * var          (V2 only; the accumulator still uses g)
        accum_new = accum + g^2
        linear += g_s - (accum_new^(-p) - accum^(-p)) / lr * var     (p = learning_rate_power;
                                                                      sqrt when p == -0.5)
        quadratic = accum_new^(-p) / lr + 2 * l2
        var = (sign(linear) * l1 - linear) / quadratic  if |linear| > l1  else 0
        accum = accum_new

    ``l2`` is TF1's ``adjusted_l2 = l2 + beta / (2 * max(lr, 1e-36))``, computed in the dtype of
    the learning-rate tensor (float32 for a Python float) before the cast to the var dtype.
    """

    tf1_name = "FtrlOptimizer"
    slot_names = ("accum", "linear")

    def __init__(
        self,
        dtype,
        learning_rate,
        learning_rate_power=-0.5,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        l2_shrinkage_regularization_strength=0.0,
        beta=None,
    ):
        super().__init__(dtype, learning_rate)
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1 = l1_regularization_strength
        self.l2 = l2_regularization_strength
        self.l2_shrinkage = l2_shrinkage_regularization_strength
        self.beta = 0.0 if beta is None else beta

    def initial_slots(self, var):
        value = slot_constant(self.initial_accumulator_value, self.dtype)
        return {"accum": np.full_like(var, value), "linear": np.zeros_like(var)}

    def adjusted_l2(self) -> np.float64:
        """``l2 + beta / (2. * maximum(lr, 1e-36))``, evaluated by TF in the lr's dtype."""
        work = given_dtype(self.learning_rate).type
        lr = work(self.learning_rate)
        value = work(self.l2) + work(self.beta) / (work(2.0) * np.maximum(lr, work(1e-36)))
        return kernel_scalar(work(value), self.dtype)

    def uses_v2(self) -> bool:
        """TF1 picks the kernel with a Python comparison at build time."""
        return self.l2_shrinkage > 0.0

    def shrunk_gradient(self, var, grad):
        if not self.uses_v2():
            return grad
        return grad + 2 * self.scalar(self.l2_shrinkage) * var

    def accumulated_gradient(self, var, grad):
        """What enters the accumulator: the plain gradient, also with l2 shrinkage."""
        return grad

    def rule(self, var, slots, grad, state):
        lr, l1, l2 = self.lr, self.scalar(self.l1), self.adjusted_l2()
        power = self.scalar(self.learning_rate_power)
        accum = slots["accum"]
        acc_grad = self.accumulated_gradient(var, grad)
        accum_new = accum + acc_grad * acc_grad
        if power == -0.5:  # the kernels' sqrt fast path
            new_root, old_root = np.sqrt(accum_new), np.sqrt(accum)
        else:
            new_root, old_root = np.power(accum_new, -power), np.power(accum, -power)
        linear = (
            slots["linear"] + self.shrunk_gradient(var, grad) - (new_root - old_root) / lr * var
        )
        quadratic = new_root / lr + 2 * l2
        var = np.where(np.abs(linear) > l1, (np.sign(linear) * l1 - linear) / quadratic, 0.0)
        return var, {"accum": accum_new, "linear": linear}


class ProximalGradientDescentModel(OptimizerModel):
    """FOBOS: ``prox = var - lr * g``;
    ``var = sign(prox) * max(|prox| - lr * l1, 0) / (1 + lr * l2)`` (``prox / (1 + lr * l2)``
    when l1 == 0). The dense path feeds the hyperparameter tensors uncast (see
    :meth:`check_dense_dtypes`)."""

    tf1_name = "ProximalGradientDescentOptimizer"

    def __init__(
        self, dtype, learning_rate, l1_regularization_strength=0.0, l2_regularization_strength=0.0
    ):
        super().__init__(dtype, learning_rate)
        self.l1 = l1_regularization_strength
        self.l2 = l2_regularization_strength

    def check_dense_dtypes(self):
        """TF1's dense Proximal* paths pass the hyperparameter tensors without a cast: a
        hyperparameter of another dtype than the variable makes TF's kernel fail."""
        for value in (self.learning_rate, self.l1, self.l2):
            if given_dtype(value) != self.dtype:
                raise TypeError(
                    f"TF1 feeds {self.tf1_name}'s dense kernel a {given_dtype(value)} "
                    f"hyperparameter for a {self.dtype} variable and fails"
                )

    def dense_step(self, var, slots, grad, state):
        self.check_dense_dtypes()
        return super().dense_step(var, slots, grad, state)

    @staticmethod
    def proximal(prox, step, l1, l2):
        """The FOBOS shrinkage the kernels apply to ``prox`` for a (per-element) step size."""
        if l1 > 0:
            return np.sign(prox) * np.maximum(np.abs(prox) - step * l1, 0.0) / (1 + l2 * step)
        return prox / (1 + l2 * step)

    def rule(self, var, slots, grad, state):
        lr = self.lr
        prox = var - lr * grad
        return self.proximal(prox, lr, self.scalar(self.l1), self.scalar(self.l2)), slots


class ProximalAdagradModel(ProximalGradientDescentModel):
    """``accum += g^2``; ``step = lr / sqrt(accum)`` (the Adagrad rate, also in the proximal
    part); ``prox = var - step * g``; ``var = sign(prox) * max(|prox| - step * l1, 0) /
    (1 + step * l2)``."""

    tf1_name = "ProximalAdagradOptimizer"
    slot_names = ("accumulator",)

    def __init__(
        self,
        dtype,
        learning_rate,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
    ):
        super().__init__(
            dtype, learning_rate, l1_regularization_strength, l2_regularization_strength
        )
        self.initial_accumulator_value = initial_accumulator_value

    def initial_slots(self, var):
        value = slot_constant(self.initial_accumulator_value, self.dtype)
        return {"accumulator": np.full_like(var, value)}

    def proximal_step(self, accum):
        """The step size of the proximal part: the adaptive ``lr / sqrt(accum)``."""
        return self.lr / np.sqrt(accum)

    def rule(self, var, slots, grad, state):
        accum = slots["accumulator"] + grad * grad
        step = self.lr / np.sqrt(accum)
        prox = var - step * grad
        l1, l2 = self.scalar(self.l1), self.scalar(self.l2)
        var = self.proximal(prox, self.proximal_step(accum), l1, l2)
        return var, {"accumulator": accum}


class RMSPropModel(OptimizerModel):
    """``ms += (g^2 - ms) * (1 - decay)``; centered: ``mg += (g - mg) * (1 - decay)`` and
    ``denom = ms - mg^2 + eps``, else ``denom = ms + eps``;
    ``mom = mom * momentum + lr * g / sqrt(denom)``; ``var -= mom``. ``rms`` starts at 1.0,
    ``mg`` and ``momentum`` at 0; the momentum slot is used even when momentum == 0."""

    tf1_name = "RMSPropOptimizer"

    def __init__(
        self, dtype, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10, centered=False
    ):
        super().__init__(dtype, learning_rate)
        self.decay = decay
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    @property
    def slot_names(self):  # creation order: rms, [mg], momentum
        return ("rms", "mg", "momentum") if self.centered else ("rms", "momentum")

    def initial_slots(self, var):
        slots = {"rms": np.ones_like(var), "momentum": np.zeros_like(var)}
        if self.centered:
            slots["mg"] = np.zeros_like(var)
        return slots

    def rule(self, var, slots, grad, state):
        lr, decay = self.lr, self.scalar(self.decay)
        momentum, eps = self.scalar(self.momentum), self.scalar(self.epsilon)
        new = {"rms": slots["rms"] + (grad * grad - slots["rms"]) * (1 - decay)}
        if self.centered:
            new["mg"] = slots["mg"] + (grad - slots["mg"]) * (1 - decay)
            denominator = new["rms"] - new["mg"] * new["mg"] + eps
        else:
            denominator = new["rms"] + eps
        new["momentum"] = slots["momentum"] * momentum + lr * grad / np.sqrt(denominator)
        return var - new["momentum"], new


MODELS: dict[str, type[OptimizerModel]] = {
    cls.tf1_name: cls
    for cls in (
        GradientDescentModel,
        MomentumModel,
        AdagradModel,
        AdagradDAModel,
        AdadeltaModel,
        AdamModel,
        FtrlModel,
        ProximalGradientDescentModel,
        ProximalAdagradModel,
        RMSPropModel,
    )
}


def build_model(
    name: str, dtype, learning_rate, model_class: type[OptimizerModel] | None = None, **kwargs
) -> OptimizerModel:
    """The model of TF1 optimizer ``name`` (``"AdamOptimizer"``) for variables of ``dtype``,
    from the same constructor arguments as TF1's (naming and locking arguments are ignored;
    AdagradDA's ``global_step`` comes from the state instead). ``model_class`` substitutes
    another (e.g. deliberately wrong) model class."""
    numeric = {k: v for k, v in kwargs.items() if k not in NON_NUMERIC_ARGUMENTS}
    cls = model_class or MODELS[name]
    return cls(dtype, learning_rate, **numeric)
