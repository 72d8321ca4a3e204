"""Signature comparison for "the same signature as TF1": parameter names, kinds and defaults.

tfv1compat's public API carries type hints and TF1's has none, so ``inspect.Signature``
equality (which compares annotations too) is not the property users rely on; this is: the
same call binds the same way on both sides.
"""

from __future__ import annotations

import inspect

# Arguments that TF1's own classes gained in a TF newer than the oldest one we support (2.16):
# class name -> {argument: first TF version whose tf.compat.v1.train has it}. tfv1compat takes
# them on every TF; comparisons against an older oracle drop them (``as_oracle_has_it``).
LATER_TF1_ARGUMENTS = {
    name: {"use_own_namescope_for_non_slot_vars": "2.19"} for name in ("Optimizer", "AdamOptimizer")
}


def without_annotations(obj) -> inspect.Signature:
    """``inspect.signature(obj)`` with every annotation (and the return annotation) dropped."""
    signature = inspect.signature(obj)
    return signature.replace(
        parameters=[
            p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()
        ],
        return_annotation=inspect.Signature.empty,
    )


def as_oracle_has_it(name: str, ours, theirs) -> inspect.Signature:
    """``without_annotations(ours)`` less the ``LATER_TF1_ARGUMENTS`` of ``name`` that the
    installed oracle's ``theirs`` does not take (so TF 2.16-2.18 compare like 2.19+)."""
    signature = without_annotations(ours)
    later = LATER_TF1_ARGUMENTS.get(name, {})
    present = inspect.signature(theirs).parameters
    return signature.replace(
        parameters=[
            p for p in signature.parameters.values() if p.name not in later or p.name in present
        ]
    )
