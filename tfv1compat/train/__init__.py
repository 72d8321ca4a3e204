"""The ``tf.compat.v1.train``-shaped namespace: a pure re-export with an explicit ``__all__``.

``tfv1compat.surface`` lists the same names with their coverage; a test keeps the two equal.
The TensorFlow requirement is checked first, so a missing or too old TensorFlow is one clear
``ImportError`` (``tfv1compat._tf.requirement``).
"""

# ruff: noqa: E402  (the requirement check must run before any module imports TensorFlow)
from tfv1compat._tf import requirement

requirement.check()

from tfv1compat.checkpoint import (
    Checkpoint,
    checkpoint_exists,
    init_from_checkpoint,
    latest_checkpoint,
    list_variables,
    load_checkpoint,
    load_variable,
)
from tfv1compat.global_step import (
    assert_global_step,
    create_global_step,
    get_global_step,
    get_or_create_global_step,
    global_step,
)
from tfv1compat.optimizers.adadelta import AdadeltaOptimizer
from tfv1compat.optimizers.adagrad import AdagradOptimizer
from tfv1compat.optimizers.adagrad_da import AdagradDAOptimizer
from tfv1compat.optimizers.adam import AdamOptimizer
from tfv1compat.optimizers.base import Optimizer
from tfv1compat.optimizers.ftrl import FtrlOptimizer
from tfv1compat.optimizers.gradient_descent import GradientDescentOptimizer
from tfv1compat.optimizers.momentum import MomentumOptimizer
from tfv1compat.optimizers.proximal_adagrad import ProximalAdagradOptimizer
from tfv1compat.optimizers.proximal_gradient_descent import ProximalGradientDescentOptimizer
from tfv1compat.optimizers.rmsprop import RMSPropOptimizer
from tfv1compat.schedules import (
    cosine_decay,
    cosine_decay_restarts,
    exponential_decay,
    inverse_time_decay,
    linear_cosine_decay,
    natural_exp_decay,
    noisy_linear_cosine_decay,
    piecewise_constant,
    piecewise_constant_decay,
    polynomial_decay,
)
from tfv1compat.train import experimental
from tfv1compat.wrappers.sync_replicas import SyncReplicasOptimizer

__all__ = [
    "AdadeltaOptimizer",
    "Checkpoint",
    "AdagradDAOptimizer",
    "AdagradOptimizer",
    "AdamOptimizer",
    "FtrlOptimizer",
    "GradientDescentOptimizer",
    "MomentumOptimizer",
    "Optimizer",
    "ProximalAdagradOptimizer",
    "ProximalGradientDescentOptimizer",
    "RMSPropOptimizer",
    "SyncReplicasOptimizer",
    "assert_global_step",
    "checkpoint_exists",
    "cosine_decay",
    "cosine_decay_restarts",
    "create_global_step",
    "experimental",
    "exponential_decay",
    "get_global_step",
    "get_or_create_global_step",
    "global_step",
    "init_from_checkpoint",
    "inverse_time_decay",
    "latest_checkpoint",
    "linear_cosine_decay",
    "list_variables",
    "load_checkpoint",
    "load_variable",
    "natural_exp_decay",
    "noisy_linear_cosine_decay",
    "piecewise_constant",
    "piecewise_constant_decay",
    "polynomial_decay",
]
