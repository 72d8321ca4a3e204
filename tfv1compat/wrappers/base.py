"""The small base of TF1's optimizer wrappers (loss scaling, synchronous replicas).

A wrapper is a TF1 ``Optimizer`` (``isinstance`` checks in user code see one) that has no
kernels or slots of its own: it computes and applies gradients through the optimizer it wraps
and changes what happens around those calls. The engine's kernel hooks are not overridden, so
calling one on a wrapper raises the engine's ``NotImplementedError``.

TF1's two wrappers differ in what they expose of the wrapped optimizer, and so do ours:

* ``_exposes_wrapped_state=False`` (``MixedPrecisionLossScaleOptimizer``): the wrapped
  optimizer is a checkpoint child (``base_optimizer``), and ``get_slot``/``get_slot_names`` of
  the wrapper find nothing, as in TF1.
* ``_exposes_wrapped_state=True`` (``SyncReplicasOptimizer``): ``get_slot``, ``get_slot_names``,
  ``variables`` and the checkpoint are the wrapped optimizer's, restored into it (also before
  its slots exist).
"""

from __future__ import annotations

from typing import Any

from tfv1compat._tf import internals
from tfv1compat.optimizers import base


class OptimizerWrapper(base.Optimizer):
    """An ``Optimizer`` around another one; see the module docstring."""

    _exposes_wrapped_state = False

    def __init__(self, opt: Any, use_locking: bool, name: str) -> None:
        super().__init__(use_locking, name)
        self._optimizer = opt

    def compute_gradients(self, *args, **kwargs):
        """The wrapped optimizer's ``compute_gradients``."""
        return self._optimizer.compute_gradients(*args, **kwargs)

    def get_slot(self, var, name):
        if self._exposes_wrapped_state:
            return self._optimizer.get_slot(var, name)
        return super().get_slot(var, name)

    def get_slot_names(self):
        if self._exposes_wrapped_state:
            return self._optimizer.get_slot_names()
        return super().get_slot_names()

    def variables(self):
        if self._exposes_wrapped_state:
            return self._optimizer.variables()
        return super().variables()

    # TF's checkpoint protocol: either the wrapped optimizer's own, or ours with it as a child.

    def _trackable_children(self, save_type=internals.CHECKPOINT_SAVE_TYPE, **kwargs):
        if self._exposes_wrapped_state:
            return self._optimizer._trackable_children(save_type, **kwargs)
        return super()._trackable_children(save_type, **kwargs)

    def _lookup_dependency(self, name, cached_dependencies=None):
        if self._exposes_wrapped_state:
            return self._optimizer._lookup_dependency(name, cached_dependencies)
        return super()._lookup_dependency(name, cached_dependencies)

    @property
    def _deferred_dependencies(self):
        if self._exposes_wrapped_state:
            return internals.deferred_dependencies(self._optimizer)
        return internals.deferred_dependencies(super())

    def _create_or_restore_slot_variable(self, slot_variable_position, slot_name, variable):
        if self._exposes_wrapped_state:
            return self._optimizer._create_or_restore_slot_variable(
                slot_variable_position, slot_name, variable
            )
        return super()._create_or_restore_slot_variable(slot_variable_position, slot_name, variable)
