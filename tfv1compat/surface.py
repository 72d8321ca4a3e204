"""The compatibility surface as data: every ``tf.compat.v1.train`` name tfv1compat provides.

One row per name: where it lives and how completely it matches TF1. ``tfv1compat.train``
re-exports exactly these names (a test keeps them equal); ``install()`` and the migration
scanner read this table too.
"""

from __future__ import annotations

import dataclasses


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


_OPTIMIZERS = "tfv1compat.optimizers."

TRAIN: tuple[Name, ...] = (
    Name("Optimizer", _OPTIMIZERS + "base"),
    Name("GradientDescentOptimizer", _OPTIMIZERS + "gradient_descent"),
    Name("MomentumOptimizer", _OPTIMIZERS + "momentum"),
    Name("AdagradOptimizer", _OPTIMIZERS + "adagrad"),
    Name("AdagradDAOptimizer", _OPTIMIZERS + "adagrad_da"),
    Name("AdadeltaOptimizer", _OPTIMIZERS + "adadelta"),
    Name("AdamOptimizer", _OPTIMIZERS + "adam"),
    Name("FtrlOptimizer", _OPTIMIZERS + "ftrl"),
    Name("ProximalGradientDescentOptimizer", _OPTIMIZERS + "proximal_gradient_descent"),
    Name("ProximalAdagradOptimizer", _OPTIMIZERS + "proximal_adagrad"),
    Name("RMSPropOptimizer", _OPTIMIZERS + "rmsprop"),
    Name(
        "SyncReplicasOptimizer",
        _OPTIMIZERS + "sync_replicas",
        coverage="partial",
        caveat="TF2 semantics: the mean of the tf.distribute replicas' gradients, applied once "
        "per step; no parameter-server accumulators, token queue, staleness check or backup "
        "workers",
    ),
    # A namespace row: tf.compat.v1.train.experimental (TF1's loss scaling). TF2's own
    # tf.train.experimental is a different module, so install() leaves it alone.
    Name("experimental", "tfv1compat.train_experimental", on_tf2_train=False),
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
