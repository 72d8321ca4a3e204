"""Deciding each use's status and caveat: ``classify`` (a name through a namespace) and
``colocate_status`` (the ``colocate_gradients_with_ops`` argument through a call).
"""

from __future__ import annotations

from tfv1compat.cli.scan.names import (
    COVERED,
    DYNAMIC,
    NOT_COVERED,
    PARTIAL,
    TF2_TRAIN,
    UNCHANGED,
    UNCHANGED_STATUS,
    V1_TRAIN,
    lookup,
    provided_names,
    tf_namespaces,
)

_COLOCATE_CAVEAT = (
    "accepted and kept: TF2 always colocates gradient ops with their forward ops (TF1's True), "
    "so values are identical and only multi-device placement can differ; tf_upgrade_v2 deletes "
    "the argument silently"
)
_DYNAMIC_CAVEAT = (
    "the namespace is used dynamically (passed as a value, getattr with a computed name, or "
    "import *): the scanner cannot tell which names; under `python -m tfv1compat run` the "
    "names tfv1compat implements resolve to tfv1compat"
)


def classify(name: str, via: str = V1_TRAIN) -> tuple[str, str]:
    """(status, caveat) of using ``name`` through namespace ``via`` ("tf.train" or v1's)."""
    if name == DYNAMIC:
        return PARTIAL, _DYNAMIC_CAVEAT
    found = provided_names().get(name)
    entry = found[0] if found is not None else None
    if entry is not None and (via != TF2_TRAIN or entry.on_tf2_train):
        return (COVERED, "") if entry.coverage == "full" else (PARTIAL, entry.caveat)
    tf1_train, tf2_train, version = tf_namespaces()
    if entry is not None:
        # install() leaves TF2's own tf.train.<name> (a different object) in place.
        if lookup(tf2_train, name) is not None:
            return UNCHANGED_STATUS, (
                "tf.train.%s stays TF2's own (tfv1compat.install() leaves it); TF1's version "
                "is tf.compat.v1.train.%s, i.e. tfv1compat.train.%s" % (name, name, name)
            )
        return NOT_COVERED, (
            "TF2's tf.train has no %s: write tf.compat.v1.train.%s (tfv1compat's under "
            "install()) or tfv1compat.train.%s" % (name, name, name)
        )
    in_tf1 = lookup(tf1_train, name) is not None
    in_tf2 = lookup(tf2_train, name) is not None
    reason = UNCHANGED.get(name)
    if via == TF2_TRAIN and not in_tf2:
        if reason is not None:
            return NOT_COVERED, (
                "TF2's tf.train has no %s, but TF1's own tf.compat.v1.train.%s works unchanged: "
                "write tf.compat.v1.train.%s, or `import tensorflow.compat.v1 as tf`"
                % (name, name, name)
            )
        if in_tf1:
            return NOT_COVERED, (
                "TF2's tf.train has no %s, and tfv1compat does not implement it" % name
            )
        return NOT_COVERED, "not a name of tf.compat.v1.train in TensorFlow %s" % version
    if reason is not None:
        return UNCHANGED_STATUS, reason
    if in_tf2:
        return UNCHANGED_STATUS, "TF2's tf.train still has it (TensorFlow's own)"
    if in_tf1:
        return NOT_COVERED, (
            "tfv1compat does not implement it; TF's own tf.compat.v1.train.%s still exists, "
            "unchecked with tfv1compat" % name
        )
    return NOT_COVERED, "not a name of tf.compat.v1.train in TensorFlow %s" % version


def colocate_status(via: str) -> tuple[str, str]:
    """(status, caveat) of passing ``colocate_gradients_with_ops`` to ``via``."""
    if via == "tf.gradients":
        return NOT_COVERED, (
            "TF2's tf.gradients has no colocate_gradients_with_ops argument (TypeError); it "
            "always colocates: drop the argument, or call tf.compat.v1.gradients"
        )
    if via == "tf.compat.v1.gradients":
        return UNCHANGED_STATUS, "TF1's own tf.compat.v1.gradients still takes it"
    return PARTIAL, _COLOCATE_CAVEAT
