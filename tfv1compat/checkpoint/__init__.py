"""TF1's checkpoint utilities (``tf.compat.v1.train``) on public TF2 APIs.

``readers``: ``load_checkpoint``, ``load_variable``, ``list_variables``, ``latest_checkpoint``,
``checkpoint_exists``; ``partial_load``: ``init_from_checkpoint``; ``v1_checkpoint``: TF1's
``Checkpoint`` class. Optimizer state (slots, non-slot variables) is checkpointed by the
optimizers themselves (``tfv1compat.optimizers.slots``).
"""

from tfv1compat.checkpoint.partial_load import init_from_checkpoint
from tfv1compat.checkpoint.readers import (
    checkpoint_exists,
    latest_checkpoint,
    list_variables,
    load_checkpoint,
    load_variable,
)
from tfv1compat.checkpoint.v1_checkpoint import Checkpoint

__all__ = [
    "Checkpoint",
    "checkpoint_exists",
    "init_from_checkpoint",
    "latest_checkpoint",
    "list_variables",
    "load_checkpoint",
    "load_variable",
]
