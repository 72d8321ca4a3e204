"""What ``scan`` knows about names: the train namespaces, the statuses, TF1's own machinery.

``UNCHANGED`` (TF1 names that keep working on TF2 through ``tf.compat.v1.train``, with the
reason), the status constants and their labels, the namespaces a use can go through, and the
lookups in TensorFlow's own ``tf.compat.v1.train`` / ``tf.train`` (imported lazily, on first
use) and in tfv1compat's names table (``surface.TRAIN``, through ``install.provided()``).
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from tfv1compat import surface

# ----------------------------------------------------------------------------------------------
# Names that keep working unchanged on TF2, through TF1's own code in tf.compat.v1.train.

_SESSIONS = (
    "TF1's session machinery: runs any train op, initializes tfv1compat's slots with the other "
    "global variables, and shares tfv1compat's global step"
)
_HOOKS = "TF1's session-run hooks: they read tensors and the global step, never the optimizer"
_QUEUES = "TF1's queue and thread machinery (graph mode, as in TF1); independent of the optimizer"
_INPUTS = "TF1's queue-based input pipeline (graph mode, as in TF1); independent of the optimizer"
_CLUSTER = "TF1's cluster and device-placement helpers; independent of the optimizer"
_FILES = "TF1's graph and checkpoint-file utilities: files, not optimizer state"

UNCHANGED: dict[str, str] = {
    "Saver": (
        "TF1's name-based checkpoints: tfv1compat's slots are global variables with TF1's names "
        "(w/Adam, w/Adam_1, beta1_power), so the keys match"
    ),
    **dict.fromkeys(
        (
            "MonitoredTrainingSession",
            "MonitoredSession",
            "SingularMonitoredSession",
            "Scaffold",
            "SessionCreator",
            "ChiefSessionCreator",
            "WorkerSessionCreator",
            "SessionManager",
            "Supervisor",
            "basic_train_loop",
        ),
        _SESSIONS,
    ),
    **dict.fromkeys(
        (
            "SessionRunHook",
            "SessionRunArgs",
            "SessionRunContext",
            "SessionRunValues",
            "StopAtStepHook",
            "CheckpointSaverHook",
            "CheckpointSaverListener",
            "LoggingTensorHook",
            "NanTensorHook",
            "NanLossDuringTrainingError",
            "StepCounterHook",
            "SummarySaverHook",
            "GlobalStepWaiterHook",
            "FinalOpsHook",
            "FeedFnHook",
            "ProfilerHook",
            "SecondOrStepTimer",
        ),
        _HOOKS,
    ),
    **dict.fromkeys(
        (
            "Coordinator",
            "LooperThread",
            "QueueRunner",
            "add_queue_runner",
            "start_queue_runners",
            "queue_runner.QueueRunner",
            "queue_runner.add_queue_runner",
            "queue_runner.start_queue_runners",
        ),
        _QUEUES,
    ),
    **dict.fromkeys(
        (
            "batch",
            "batch_join",
            "shuffle_batch",
            "shuffle_batch_join",
            "maybe_batch",
            "maybe_batch_join",
            "maybe_shuffle_batch",
            "maybe_shuffle_batch_join",
            "input_producer",
            "string_input_producer",
            "range_input_producer",
            "slice_input_producer",
            "limit_epochs",
            "match_filenames_once",
        ),
        _INPUTS,
    ),
    **dict.fromkeys(("Server", "ClusterSpec", "replica_device_setter"), _CLUSTER),
    **dict.fromkeys(
        (
            "import_meta_graph",
            "export_meta_graph",
            "write_graph",
            "get_checkpoint_state",
            "update_checkpoint_state",
            "generate_checkpoint_state_proto",
            "get_checkpoint_mtimes",
            "remove_checkpoint",
            "NewCheckpointReader",
            "summary_iterator",
        ),
        _FILES,
    ),
}
"""TF1 names that work unchanged on TF2 through ``tf.compat.v1.train``, with the reason.

Only machinery that does not depend on the optimizer; a name in ``surface.TRAIN`` is always
classified by that table instead.
"""

# ----------------------------------------------------------------------------------------------
# Statuses and namespaces.

NOT_COVERED, PARTIAL, UNCHANGED_STATUS, COVERED = "not_covered", "partial", "unchanged", "covered"
STATUS_ORDER = (NOT_COVERED, PARTIAL, UNCHANGED_STATUS, COVERED)  # worst first
STATUS_LABELS = {
    COVERED: "covered",
    PARTIAL: "partly covered",
    UNCHANGED_STATUS: "works unchanged (TF1's own)",
    NOT_COVERED: "NOT COVERED",
}

TF2_TRAIN, V1_TRAIN = "tf.train", "tf.compat.v1.train"
NAMESPACES = {"tensorflow.train": TF2_TRAIN, "tensorflow.compat.v1.train": V1_TRAIN}
GRADIENTS = {
    "tensorflow.gradients": "tf.gradients",
    "tensorflow.compat.v1.gradients": "tf.compat.v1.gradients",
}

COLOCATE = "colocate_gradients_with_ops"
DYNAMIC = "(dynamic)"
# method -> the position of colocate_gradients_with_ops in its arguments (None: by keyword only)
COLOCATE_METHODS = {"compute_gradients": 4, "minimize": 5, "create_train_op": None}


@functools.cache
def tf_namespaces() -> tuple[Any, Any, str]:
    """TF's ``tf.compat.v1.train`` and TF2's ``tf.train`` modules (the names, not our patch)."""
    import tensorflow as tf

    return tf.compat.v1.train, tf.train, tf.__version__


def lookup(namespace: Any, dotted_name: str) -> Any:
    """``namespace.a.b`` for ``dotted_name`` "a.b", or None where a part is missing."""
    found = namespace
    for part in dotted_name.split("."):
        found = getattr(found, part, None)
        if found is None:
            return None
    return found


def is_subnamespace(part: str) -> bool:
    """True for ``experimental``, ``queue_runner``: modules inside the train namespaces."""
    tf1_train, tf2_train, _ = tf_namespaces()
    return any(inspect.ismodule(getattr(ns, part, None)) for ns in (tf1_train, tf2_train))


_provided_cache: tuple[object, dict[str, tuple[surface.Name, Any]]] | None = None


def provided_names() -> dict[str, tuple[surface.Name, Any]]:
    """``install.provided()``: every name tfv1compat provides (read from the names table)."""
    global _provided_cache
    # The table is the single source of truth; recompute if it is a different table.
    if _provided_cache is None or _provided_cache[0] is not surface.TRAIN:
        from tfv1compat.install import provided

        _provided_cache = (surface.TRAIN, provided())
    return _provided_cache[1]


def is_tf_module_path(path: str) -> bool:
    """True for ``tensorflow``, ``tensorflow.compat.v1``, the train namespaces and their subs."""
    if path in ("tensorflow", "tensorflow.compat", "tensorflow.compat.v1"):
        return True
    for prefix in NAMESPACES:
        if path == prefix:
            return True
        if path.startswith(prefix + ".") and is_subnamespace(path[len(prefix) + 1 :]):
            return True
    return False
