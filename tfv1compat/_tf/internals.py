"""The one module that reads private TensorFlow: ``tf.__internal__`` and underscored attributes.

Each name below is here because TF2 has no public spelling for it, with the reason next to it.
Nothing else in tfv1compat reads ``tf.__internal__``, an underscored attribute of a TF object,
or imports ``tensorflow.python``; a test greps for it. If a TF release moves one of these,
this is the only file to change.

The checkpoint *protocol* methods that tfv1compat classes define (``_trackable_children``,
``_lookup_dependency``, ``_create_or_restore_slot_variable``) are TF's names for the hooks
``tf.train.Checkpoint`` calls on a ``Trackable``; defining them is how any trackable object
takes part in checkpoints. Calls *into* ``Trackable``'s own private methods go through the
functions here.
"""

from __future__ import annotations

import inspect
from typing import Any

import tensorflow as tf

# TF1's Optimizer derives from Trackable; so do ours, so that tf.train.Checkpoint saves and
# restores them (and their slots, deferred) with TF's own machinery. Exported only under
# tf.__internal__.
Trackable = tf.__internal__.tracking.Trackable

# TF exports no name for SaveType; take its CHECKPOINT member from Trackable's own signature.
CHECKPOINT_SAVE_TYPE = (
    inspect.signature(Trackable._trackable_children).parameters["save_type"].default
)

# The initializer that makes a slot created during restore start from its saved value, as
# TF1's slot restoration does (no public name).
CheckpointInitialValueCallable = tf.__internal__.tracking.CheckpointInitialValueCallable

# TF1's loss-scale optimizer picks the branch statically when the predicate is a Python bool
# or a constant (eager skip of a non-finite step without a tf.cond); tf.cond has no such mode.
smart_cond = tf.__internal__.smart_cond.smart_cond

# The common base of SparseTensor, RaggedTensor, ...: rejected as gradients with TF1's message.
CompositeTensor = tf.__internal__.CompositeTensor


# --- Trackable's own private methods, for subclasses that take part in checkpoints -----------


def base_trackable_children(trackable: Any, save_type: Any, **kwargs: Any) -> dict:
    """``Trackable._trackable_children``: the children tracked with ``track_trackable``."""
    return Trackable._trackable_children(trackable, save_type, **kwargs)


def base_lookup_dependency(trackable: Any, name: str, cached_dependencies: Any = None) -> Any:
    """``Trackable._lookup_dependency``: a child tracked by name, or None."""
    return Trackable._lookup_dependency(trackable, name, cached_dependencies)


def track_trackable(trackable: Any, child: Any, name: str) -> None:
    """Make ``child`` a checkpoint dependency of ``trackable`` under ``name`` (TF1's keys,
    e.g. the loss-scale optimizer's ``base_optimizer`` and ``loss_scale``)."""
    trackable._track_trackable(child, name)


def maybe_initialize_trackable(trackable: Any) -> None:
    """Set up ``trackable``'s restore bookkeeping (Trackable's lazy ``__init__``)."""
    trackable._maybe_initialize_trackable()


def preload_simple_restoration(trackable: Any, name: str) -> Any:
    """A pending checkpoint value for the child ``name`` (created eagerly after a restore
    was requested), or None: how TF1's optimizers restore ``beta1_power`` on creation."""
    return trackable._preload_simple_restoration(name=name)


def handle_deferred_dependencies(trackable: Any, name: str, child: Any) -> None:
    """Apply any restore that was waiting for the child ``name``, now ``child`` exists."""
    trackable._handle_deferred_dependencies(name=name, trackable=child)


def deferred_dependencies(trackable: Any) -> dict:
    """Restores still waiting for a child of ``trackable`` to be created."""
    return trackable._deferred_dependencies


# --- legacy-graph variables -----------------------------------------------------------------


def graph_variable_store(graph: tf.Graph) -> dict | None:
    """``{name: variable}`` of ``graph``'s variable store (what ``get_variable`` made), or None.

    TF1's ``init_from_checkpoint`` resolves names against this store; TF has no public
    accessor for it (it is the ``_vars`` dict of the object in collection
    ``("__variable_store",)``).
    """
    stores = graph.get_collection(("__variable_store",))
    if stores and isinstance(getattr(stores[0], "_vars", None), dict):
        return stores[0]._vars
    return None


def save_slice_info(variable: Any) -> Any:
    """The ``SaveSliceInfo`` of a partition of a partitioned variable, or None (no public
    accessor: partitions carry it as ``_save_slice_info``)."""
    return getattr(variable, "_save_slice_info", None)


def set_initializer(variable: Any, initializer_op: Any, initial_value: Any) -> None:
    """Replace a graph variable's initializer and ``initial_value`` (TF1's
    ``init_from_checkpoint`` does exactly this; TF has no public setter)."""
    variable._initializer_op = initializer_op
    variable._initial_value = initial_value


# --- TF's lazy API modules --------------------------------------------------------------------


def forget_cached_attribute(namespace: Any, name: str) -> None:
    """Drop ``name`` from the C-level attribute cache of TF's ``TFModuleWrapper``.

    ``install()`` patches ``tf.train``/``tf.compat.v1.train``; the wrapper caches lookups next
    to its ``__dict__``, so ``uninstall()`` must clear our entry for the restored value to be
    seen. Plain modules have no cache.
    """
    if hasattr(namespace, "_fastdict_key_in") and namespace._fastdict_key_in(name):
        namespace._fastdict_pop(name)
