"""The table every optimizer property test iterates over.

One row per TF1 optimizer: how to build it (with the oracle's identical constructor), the
configurations worth covering (every option TF1 has), its slot names, and its capabilities.
``tf.compat.v1.train`` is the oracle throughout; nothing here holds an expected number.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, Callable

import oracle as oracle_switch
import tensorflow as tf

from tfv1compat import surface
from tfv1compat import train as ours

oracle = tf.compat.v1.train


@dataclasses.dataclass(frozen=True)
class OptimizerSpec:
    """How to build and what to expect of one TF1 optimizer class."""

    name: str
    # config id -> constructor kwargs (without learning_rate); every TF1 option appears somewhere
    configs: dict[str, dict[str, Any]]
    # accepts zero-argument callables for its hyperparameters (TF1 section 1.12)
    callable_hyperparameters: bool = True
    # dense path casts Python-float hyperparameters to the variable dtype (Proximal* do not)
    dense_casts_hyperparameters: bool = True
    # the constructor needs an int64 global step (AdagradDA)
    needs_global_step: bool = False
    # constructor arguments that TF1 rejects: (kwargs, exception type, message regex)
    constructor_errors: tuple[tuple[dict[str, Any], type, str], ...] = ()
    learning_rate: float = 0.1
    # dtypes TF1 supports for this optimizer's kernels on CPU
    dtypes: tuple[tf.DType, ...] = (tf.float16, tf.float32, tf.float64)

    @property
    def ours(self) -> type:
        return getattr(ours, self.name)

    @property
    def oracle(self) -> type:
        return getattr(oracle, self.name)

    @property
    def info(self) -> surface.OptimizerInfo:
        """The optimizer's row in tfv1compat's registry (slot names, default name, ...)."""
        return surface.OPTIMIZERS_BY_NAME[self.name]

    def slots_for(self, config_id: str) -> tuple[str, ...]:
        """The slot names (sorted) this config creates, from the registry."""
        return tuple(sorted(self.info.slots_for(self.configs[config_id])))

    def build(self, module, config_id: str, learning_rate=None, global_step=None, **overrides):
        """An optimizer of this row from ``module`` (``tfv1compat.train`` or the oracle)."""
        kwargs = dict(self.configs[config_id])
        kwargs.update(overrides)
        lr = self.learning_rate if learning_rate is None else learning_rate
        cls = getattr(module, self.name)
        if self.needs_global_step:
            return cls(lr, global_step, **kwargs)
        return cls(lr, **kwargs)


SPECS: tuple[OptimizerSpec, ...] = (
    OptimizerSpec(
        name="GradientDescentOptimizer",
        configs={"default": {}, "locking": {"use_locking": True}},
    ),
    OptimizerSpec(
        name="MomentumOptimizer",
        configs={
            "default": {"momentum": 0.9},
            "nesterov": {"momentum": 0.9, "use_nesterov": True},
        },
    ),
    OptimizerSpec(
        name="AdagradOptimizer",
        configs={"default": {}, "initial_accumulator": {"initial_accumulator_value": 0.5}},
        constructor_errors=(
            (
                {"initial_accumulator_value": 0.0},
                ValueError,
                r"initial_accumulator_value must be positive: 0\.0",
            ),
            (
                {"initial_accumulator_value": -1.0},
                ValueError,
                r"initial_accumulator_value must be positive: -1\.0",
            ),
        ),
    ),
    OptimizerSpec(
        name="AdagradDAOptimizer",
        configs={
            "default": {},
            "l1_l2": {
                "initial_gradient_squared_accumulator_value": 0.2,
                "l1_regularization_strength": 0.01,
                "l2_regularization_strength": 0.02,
            },
        },
        callable_hyperparameters=False,
        needs_global_step=True,
        # TF registers no float16 CPU kernel for (Sparse)ApplyAdagradDA.
        dtypes=(tf.float32, tf.float64),
        constructor_errors=(
            (
                {"initial_gradient_squared_accumulator_value": 0.0},
                ValueError,
                r"initial_gradient_squared_accumulator_value must be positive: 0\.0",
            ),
        ),
    ),
    OptimizerSpec(
        name="AdadeltaOptimizer",
        configs={"default": {}, "rho_epsilon": {"rho": 0.9, "epsilon": 1e-6}},
        learning_rate=1.0,
    ),
    OptimizerSpec(
        name="AdamOptimizer",
        configs={
            "default": {},
            "betas": {"beta1": 0.8, "beta2": 0.99, "epsilon": 1e-4},
            "own_namescope": {"use_own_namescope_for_non_slot_vars": True},
        },
    ),
    OptimizerSpec(
        name="FtrlOptimizer",
        configs={
            "default": {},
            "l1_l2": {"l1_regularization_strength": 0.001, "l2_regularization_strength": 0.01},
            "shrinkage_v2": {
                "l1_regularization_strength": 0.001,
                "l2_regularization_strength": 0.01,
                "l2_shrinkage_regularization_strength": 0.05,
            },
            "beta": {"beta": 0.5, "l2_regularization_strength": 0.01},
            "power_zero": {"learning_rate_power": 0.0, "initial_accumulator_value": 0.0},
            "power_half": {"learning_rate_power": -0.5},
            "power_other": {"learning_rate_power": -0.3},
            "names": {"accum_name": "acc", "linear_name": "lin"},
        },
        callable_hyperparameters=False,
        constructor_errors=(
            (
                {"initial_accumulator_value": -1.0},
                ValueError,
                r"initial_accumulator_value -1\.000000 needs to be positive or zero",
            ),
            (
                {"learning_rate_power": 0.5},
                ValueError,
                r"learning_rate_power 0\.500000 needs to be negative or zero",
            ),
            (
                {"l1_regularization_strength": -0.5},
                ValueError,
                r"l1_regularization_strength -0\.500000 needs to be positive or zero",
            ),
            (
                {"l2_regularization_strength": -0.5},
                ValueError,
                r"l2_regularization_strength -0\.500000 needs to be positive or zero",
            ),
            (
                {"l2_shrinkage_regularization_strength": -0.5},
                ValueError,
                r"l2_shrinkage_regularization_strength -0\.500000 needs to be positive or zero",
            ),
        ),
    ),
    OptimizerSpec(
        name="ProximalGradientDescentOptimizer",
        configs={
            "default": {},
            "l1_l2": {"l1_regularization_strength": 0.01, "l2_regularization_strength": 0.02},
        },
        callable_hyperparameters=False,
        dense_casts_hyperparameters=False,
        # TF registers no float16 CPU kernel for its (Sparse)ApplyProximal* kernels.
        dtypes=(tf.float32, tf.float64),
    ),
    OptimizerSpec(
        name="ProximalAdagradOptimizer",
        configs={
            "default": {},
            "l1_l2": {
                "initial_accumulator_value": 0.2,
                "l1_regularization_strength": 0.01,
                "l2_regularization_strength": 0.02,
            },
        },
        callable_hyperparameters=False,
        dense_casts_hyperparameters=False,
        # TF registers no float16 CPU kernel for its (Sparse)ApplyProximal* kernels.
        dtypes=(tf.float32, tf.float64),
        constructor_errors=(
            (
                {"initial_accumulator_value": -1},
                ValueError,
                r"initial_accumulator_value must be positive: -1",
            ),
        ),
    ),
    OptimizerSpec(
        name="RMSPropOptimizer",
        configs={
            "default": {},
            "momentum": {"momentum": 0.9},
            "centered": {"centered": True},
            "centered_momentum": {"centered": True, "momentum": 0.5, "decay": 0.8, "epsilon": 1e-6},
        },
        learning_rate=0.01,
    ),
)

SPECS_BY_NAME = {spec.name: spec for spec in SPECS}


def oracle_lacks(name: str, kwargs: dict[str, Any]) -> str | None:
    """Why the installed oracle cannot build ``name(**kwargs)``, or None when it can.

    TF1's classes gained arguments in later TFs (``AdamOptimizer``'s
    ``use_own_namescope_for_non_slot_vars`` arrived in TF 2.19); tfv1compat takes them on
    every TF, but there is nothing to compare them with on an older one."""
    if oracle_switch.hidden():
        return None
    missing = sorted(set(kwargs) - set(inspect.signature(getattr(oracle, name)).parameters))
    if not missing:
        return None
    return "tf.compat.v1.train.%s of TF %s takes no %s (a later TF1 argument)" % (
        name,
        tf.__version__,
        ", ".join(missing),
    )


def spec_configs() -> list[tuple[OptimizerSpec, str]]:
    """Every (spec, config id) pair: the axis most parity tests run over."""
    return [(spec, config_id) for spec in SPECS for config_id in spec.configs]


def spec_config_id(value) -> str:
    """pytest ids: ``AdamOptimizer-betas``."""
    if isinstance(value, OptimizerSpec):
        return value.name
    return str(value)


def learning_rate_forms(value: float) -> dict[str, Callable[[], Any]]:
    """Factories for the learning-rate forms TF1 accepts (fresh objects per call)."""
    return {
        "float": lambda: value,
        "tensor": lambda: tf.constant(value),
        "variable": lambda: tf.Variable(value, trainable=False),
        "callable": lambda: lambda: value,
    }
