"""Which TensorFlow tfv1compat needs, checked before anything imports it (imports no TF itself).

tfv1compat does not install TensorFlow as a hard requirement: a ``tensorflow`` requirement would
make pip add the full ``tensorflow`` wheel on top of an existing ``tensorflow-cpu``, a conda or a
vendor build (two distributions writing one ``tensorflow/`` package). As TensorFlow Probability
and others do, the TensorFlow comes from the user's environment or from an extra:
``pip install "tfv1compat[tf]"`` (``tensorflow``), ``"tfv1compat[cpu]"`` (``tensorflow-cpu``),
``"tfv1compat[and-cuda]"`` (``tensorflow[and-cuda]``).
"""

from __future__ import annotations

import importlib.util
import re

MINIMUM = (2, 16)
SUPPORTED = "2.16 to 2.21"

_HOW_TO_INSTALL = (
    "Install one with an extra of tfv1compat: pip install 'tfv1compat[tf]' (the tensorflow "
    "package), 'tfv1compat[cpu]' (tensorflow-cpu) or 'tfv1compat[and-cuda]' (tensorflow with "
    "CUDA); or install tensorflow, tensorflow-cpu, a conda or a vendor build yourself."
)


class TensorFlowRequirementError(ImportError):
    """No TensorFlow, or one older than ``MINIMUM``; the message says what to install."""


def parse_version(version: str) -> tuple[int, int]:
    """``"2.16.2"`` -> ``(2, 16)``; ``"2.21.0-rc1"``, ``"2.17.0.dev20240101"`` work too."""
    match = re.match(r"(\d+)\.(\d+)", version)
    if match is None:
        raise TensorFlowRequirementError(
            "tfv1compat cannot read the installed TensorFlow's version %r. %s"
            % (version, _HOW_TO_INSTALL)
        )
    return int(match.group(1)), int(match.group(2))


def check() -> None:
    """Raise ``TensorFlowRequirementError`` unless TensorFlow >= ``MINIMUM`` is importable."""
    if importlib.util.find_spec("tensorflow") is None:
        raise TensorFlowRequirementError(
            "tfv1compat needs TensorFlow %d.%d or newer (tested: %s), and none is installed. %s"
            % (*MINIMUM, SUPPORTED, _HOW_TO_INSTALL)
        )
    import tensorflow as tf

    version = getattr(tf, "__version__", "unknown")
    if parse_version(version) < MINIMUM:
        raise TensorFlowRequirementError(
            "tfv1compat needs TensorFlow %d.%d or newer (tested: %s); this environment has "
            "TensorFlow %s. Upgrade it (pip install -U tensorflow, or tensorflow-cpu, whichever "
            "you use), or %s"
            % (*MINIMUM, SUPPORTED, version, _HOW_TO_INSTALL[0].lower() + _HOW_TO_INSTALL[1:])
        )
