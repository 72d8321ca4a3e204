"""The optimizers the benchmarks time, read from tfv1compat's registry (``surface.OPTIMIZERS``):
constructor arguments both libraries accept (learning rate first; AdagradDA's global step is
added by each benchmark) and the Keras 3 optimizer that does the same job."""

from __future__ import annotations

from typing import Any, Callable

from tfv1compat import surface

OPTIMIZERS: dict[str, dict] = {info.class_name: dict(info.arguments) for info in surface.OPTIMIZERS}
# the slots each keeps per variable with those arguments (bytes touched by a dense update)
SLOTS: dict[str, tuple[str, ...]] = {
    info.class_name: info.slots_for(info.arguments) for info in surface.OPTIMIZERS
}


def keras_equivalents(keras: Any) -> dict[str, Callable[[], Any]]:
    """Optimizer name -> a factory of its Keras 3 counterpart (none for AdagradDA, Proximal*)."""
    return {
        info.class_name: (
            lambda info=info: getattr(keras.optimizers, info.keras.class_name)(
                **info.keras.arguments
            )
        )
        for info in surface.OPTIMIZERS
        if info.keras is not None
    }
