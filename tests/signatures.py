"""Signature comparison for "the same signature as TF1": parameter names, kinds and defaults.

tfv1compat's public API carries type hints and TF1's has none, so ``inspect.Signature``
equality (which compares annotations too) is not the property users rely on; this is: the
same call binds the same way on both sides.
"""

from __future__ import annotations

import inspect


def without_annotations(obj) -> inspect.Signature:
    """``inspect.signature(obj)`` with every annotation (and the return annotation) dropped."""
    signature = inspect.signature(obj)
    return signature.replace(
        parameters=[
            p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()
        ],
        return_annotation=inspect.Signature.empty,
    )
