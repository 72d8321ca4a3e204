"""tfv1compat: TF1's ``tf.train`` optimizers and helpers, bit-exact, on TensorFlow 2.

``from tfv1compat import train`` gives the ``tf.compat.v1.train``-shaped namespace;
``tfv1compat.install()`` puts it on ``tf.train`` and ``tf.compat.v1.train`` for unchanged TF1
code, and ``tfv1compat.uninstall()`` restores both.

Importing the package itself loads nothing else: ``train`` (and with it TensorFlow) is imported
on first use, so ``python -m tfv1compat`` can quiet TensorFlow's logging before TF starts.
"""

import importlib

__version__ = "0.1.0"

from tfv1compat.install import install, uninstall  # noqa: E402  (imports no TensorFlow)

__all__ = ["install", "train", "uninstall", "__version__"]

_LAZY_SUBMODULES = frozenset(["train"])


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        return importlib.import_module("tfv1compat." + name)
    raise AttributeError("module 'tfv1compat' has no attribute %r" % name)


def __dir__():
    return sorted(set(globals()) | _LAZY_SUBMODULES)
