"""The compatibility surface as data: every ``tf.compat.v1.train`` name tfv1compat provides,
and the optimizer registry.

``TRAIN``: one row per name, where it lives and how completely it matches TF1.
``tfv1compat.train`` re-exports exactly these names (a test keeps them equal); ``install()`` and
the migration scanner read this table too. ``OPTIMIZERS``: per TF1 optimizer its default name,
slots, demonstration arguments, global-step need and Keras 3 counterpart; the demo,
``convert-checkpoint``, the benchmarks and the tests read it and keep no list of their own.
This module is data: it imports no TensorFlow.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any


@dataclasses.dataclass(frozen=True)
class Name:
    """One name of ``tf.compat.v1.train`` that tfv1compat implements."""

    name: str
    module: str
    coverage: str = "full"  # "full", or "partial" with a caveat
    caveat: str = ""
    # Whether install() may also put it on TF2's ``tf.train``. False where TF2 has its own,
    # different object under the same name (``tf.train.Checkpoint``: TF2's root-object API).
    on_tf2_train: bool = True


@dataclasses.dataclass(frozen=True)
class KerasCounterpart:
    """The Keras 3 optimizer that does an optimizer's job, and how their state corresponds."""

    class_name: str  # in keras.optimizers
    slots: Mapping[str, str]  # TF1 slot -> Keras optimizer-variable name suffix
    # Keras constructor arguments equivalent to the optimizer's ``arguments`` (benchmarks)
    arguments: Mapping[str, Any]


@dataclasses.dataclass(frozen=True)
class OptimizerInfo:
    """One TF1 optimizer: the facts the demo, ``convert-checkpoint``, benchmarks and tests use."""

    class_name: str
    module: str  # under tfv1compat.optimizers
    default_name: str  # TF1's ``name=`` default: the suffix of its slot variables' names
    slot_names: tuple[str, ...]  # in TF1's creation order, optional ones included
    # constructor arguments worth demonstrating; learning_rate first (AdagradDA's global step
    # is passed positionally after it, see ``needs_global_step``)
    arguments: Mapping[str, Any]
    # slot -> the boolean constructor argument that creates it (RMSProp's "mg": "centered")
    optional_slots: Mapping[str, str] = dataclasses.field(default_factory=dict)
    non_slot_names: tuple[str, ...] = ()
    needs_global_step: bool = False
    keras: KerasCounterpart | None = None

    def slots_for(self, arguments: Mapping[str, Any]) -> tuple[str, ...]:
        """The slots created with these constructor arguments, in creation order."""
        return tuple(
            name
            for name in self.slot_names
            if name not in self.optional_slots or arguments.get(self.optional_slots[name])
        )


OPTIMIZERS: tuple[OptimizerInfo, ...] = (
    OptimizerInfo(
        "GradientDescentOptimizer",
        "gradient_descent",
        "GradientDescent",
        (),
        {"learning_rate": 0.1},
        keras=KerasCounterpart("SGD", {}, {"learning_rate": 0.1}),
    ),
    OptimizerInfo(
        "MomentumOptimizer",
        "momentum",
        "Momentum",
        ("momentum",),
        {"learning_rate": 0.05, "momentum": 0.9, "use_nesterov": True},
        keras=KerasCounterpart(
            "SGD",
            {"momentum": "momentum"},
            {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True},
        ),
    ),
    OptimizerInfo(
        "AdagradOptimizer",
        "adagrad",
        "Adagrad",
        ("accumulator",),
        {"learning_rate": 0.1, "initial_accumulator_value": 0.1},
        keras=KerasCounterpart(
            "Adagrad",
            {"accumulator": "accumulator"},
            {"learning_rate": 0.1, "initial_accumulator_value": 0.1},
        ),
    ),
    OptimizerInfo(
        "AdagradDAOptimizer",
        "adagrad_da",
        "AdagradDA",
        ("gradient_accumulator", "gradient_squared_accumulator"),
        {
            "learning_rate": 0.1,
            "l1_regularization_strength": 0.001,
            "l2_regularization_strength": 0.001,
        },
        needs_global_step=True,
    ),
    OptimizerInfo(
        "AdadeltaOptimizer",
        "adadelta",
        "Adadelta",
        ("accum", "accum_update"),
        {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6},
        keras=KerasCounterpart(
            "Adadelta",
            {"accum": "accumulated_grad", "accum_update": "accumulated_delta_var"},
            {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6},
        ),
    ),
    OptimizerInfo(
        "AdamOptimizer",
        "adam",
        "Adam",
        ("m", "v"),
        {"learning_rate": 0.01},
        non_slot_names=("beta1_power", "beta2_power"),
        keras=KerasCounterpart("Adam", {"m": "momentum", "v": "velocity"}, {"learning_rate": 0.01}),
    ),
    OptimizerInfo(
        "FtrlOptimizer",
        "ftrl",
        "Ftrl",
        ("accum", "linear"),
        {
            "learning_rate": 0.1,
            "l1_regularization_strength": 0.001,
            "l2_regularization_strength": 0.001,
            "l2_shrinkage_regularization_strength": 0.01,
        },
        keras=KerasCounterpart(
            "Ftrl",
            {"accum": "accumulator", "linear": "linear"},
            {
                "learning_rate": 0.1,
                "l1_regularization_strength": 0.001,
                "l2_regularization_strength": 0.001,
                "l2_shrinkage_regularization_strength": 0.01,
            },
        ),
    ),
    OptimizerInfo(
        "ProximalGradientDescentOptimizer",
        "proximal_gradient_descent",
        "ProximalGradientDescent",
        (),
        {
            "learning_rate": 0.1,
            "l1_regularization_strength": 0.001,
            "l2_regularization_strength": 0.001,
        },
    ),
    OptimizerInfo(
        "ProximalAdagradOptimizer",
        "proximal_adagrad",
        "ProximalAdagrad",
        ("accumulator",),
        {
            "learning_rate": 0.1,
            "initial_accumulator_value": 0.1,
            "l1_regularization_strength": 0.001,
            "l2_regularization_strength": 0.001,
        },
    ),
    OptimizerInfo(
        "RMSPropOptimizer",
        "rmsprop",
        "RMSProp",
        ("rms", "mg", "momentum"),
        {"learning_rate": 0.01, "decay": 0.9, "momentum": 0.5, "centered": True},
        optional_slots={"mg": "centered"},
        keras=KerasCounterpart(
            "RMSprop",
            {"rms": "velocity", "mg": "average_gradient", "momentum": "momentum"},
            {"learning_rate": 0.01, "rho": 0.9, "momentum": 0.5, "centered": True},
        ),
    ),
)
"""The ten TF1 optimizers (the optimizer registry)."""

OPTIMIZERS_BY_NAME = {info.class_name: info for info in OPTIMIZERS}

TRAIN: tuple[Name, ...] = (
    Name("Optimizer", "tfv1compat.optimizers.base"),
    *(Name(info.class_name, "tfv1compat.optimizers." + info.module) for info in OPTIMIZERS),
    Name(
        "SyncReplicasOptimizer",
        "tfv1compat.wrappers.sync_replicas",
        coverage="partial",
        caveat="TF2 semantics: the mean of the tf.distribute replicas' gradients, applied once "
        "per step; no parameter-server accumulators, token queue, staleness check or backup "
        "workers",
    ),
    # A namespace row: tf.compat.v1.train.experimental (TF1's loss scaling). TF2's own
    # tf.train.experimental is a different module, so install() leaves it alone.
    Name("experimental", "tfv1compat.train.experimental", on_tf2_train=False),
    *(
        Name(name, "tfv1compat.global_step")
        for name in (
            "get_global_step",
            "create_global_step",
            "get_or_create_global_step",
            "assert_global_step",
            "global_step",
        )
    ),
    Name("Checkpoint", "tfv1compat.checkpoint", on_tf2_train=False),
    *(
        Name(name, "tfv1compat.checkpoint")
        for name in (
            "init_from_checkpoint",
            "list_variables",
            "load_variable",
            "load_checkpoint",
            "latest_checkpoint",
            "checkpoint_exists",
        )
    ),
    *(
        Name(name, "tfv1compat.schedules")
        for name in (
            "exponential_decay",
            "piecewise_constant",
            "piecewise_constant_decay",
            "polynomial_decay",
            "natural_exp_decay",
            "inverse_time_decay",
            "cosine_decay",
            "cosine_decay_restarts",
            "linear_cosine_decay",
            "noisy_linear_cosine_decay",
        )
    ),
)

TRAIN_BY_NAME = {entry.name: entry for entry in TRAIN}
