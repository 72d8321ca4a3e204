"""The oracle switch: ``tf.compat.v1.train`` (TF1 itself), or hidden, as on a TF without it.

With ``--hide-oracle`` (or ``TFV1COMPAT_HIDE_ORACLE=1``) the conftest replaces
``tf.compat.v1.train`` by ``HiddenOracle`` before any test module is imported: every test that
reaches for a TF1 name is then skipped (at its first attribute access, or the whole module if
that happens at import), and what remains, the NumPy-model tests among them, must still prove
the numerics. Tests that run the oracle in a subprocess call ``require()`` first, since the
subprocess would see the real module.
"""

from __future__ import annotations

import os
import types

import pytest

ENVIRONMENT_VARIABLE = "TFV1COMPAT_HIDE_ORACLE"
REASON = "tf.compat.v1.train is hidden (--hide-oracle / %s=1)" % ENVIRONMENT_VARIABLE


def hidden() -> bool:
    return os.environ.get(ENVIRONMENT_VARIABLE) == "1"


class HiddenOracle(types.ModuleType):
    """Stands in for ``tf.compat.v1.train``: any name looked up skips the test asking."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise pytest.skip.Exception(
            "%s: needs tf.compat.v1.train.%s" % (REASON, name), allow_module_level=True
        )


def hide(tf) -> None:
    tf.compat.v1.train = HiddenOracle("tensorflow.compat.v1.train")


def require() -> None:
    """Skip a test whose subprocess compares against ``tf.compat.v1.train``."""
    if hidden():
        pytest.skip(REASON)
