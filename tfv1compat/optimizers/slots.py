"""Slot and non-slot variable stores, and the checkpoint protocol that saves them.

``NonSlotStore``: variables owned by an object rather than by one model variable, kept per graph
(``None`` when eager) and checkpointed as children by plain name: Adam's ``beta1_power``, a loss
scale's ``current_loss_scale``. ``SlotStore`` adds TF1's slots: one variable per (slot name,
model variable), named by TF1's variable-scope counter (``w/Adam``, ``w/Adam_1``) and saved under
``<var>/.OPTIMIZER_SLOT/<optimizer>/<slot>``, restored also before they exist (deferred). Every
optimizer and wrapper shares these two classes; the TF1 hook names (``_zeros_slot``,
``_get_or_make_slot``, ``_create_non_slot_variable``, ...) are TF1's, because subclasses call them.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from tfv1compat._tf import internals, legacy_graph
from tfv1compat.optimizers import validation


def executing_eagerly_outside_functions() -> bool:
    with tf.init_scope():
        return tf.executing_eagerly()


def current_graph_key() -> tf.Graph | None:
    """The graph that owns state made now: None when eager (also inside ``tf.function``)."""
    with tf.init_scope():
        if tf.executing_eagerly():
            return None
        return legacy_graph.default_graph()


class NonSlotStore(internals.Trackable):
    """Variables keyed by ``(name, graph or None)``; the current graph's are checkpoint children."""

    def __init__(self) -> None:
        # (name, graph or None when eager) -> variable
        self._non_slot_dict: dict[tuple[str, Any], Any] = {}

    def _add_non_slot(self, name: str, graph: tf.Graph | None, variable: Any) -> Any:
        """Record ``variable`` and apply any checkpoint value waiting for it."""
        self._non_slot_dict[(name, graph)] = variable
        internals.handle_deferred_dependencies(self, name, variable)
        return variable

    def _get_non_slot_variable(self, name: str, graph: tf.Graph | None = None) -> Any:
        return self._non_slot_dict.get((name, graph), None)

    def _non_slot_variables(self):
        return self._non_slot_dict.values()

    def _current_non_slot_variables(self) -> dict[str, Any]:
        graph = current_graph_key()
        return {
            name: variable
            for (name, owner), variable in sorted(
                self._non_slot_dict.items(), key=lambda kv: kv[0][0]
            )
            if owner is graph
        }

    # TF's checkpoint protocol (the names tf.train.Checkpoint calls).

    def _trackable_children(self, save_type=internals.CHECKPOINT_SAVE_TYPE, **kwargs):
        children = self._current_non_slot_variables()
        children.update(internals.base_trackable_children(self, save_type, **kwargs))
        return children

    def _lookup_dependency(self, name, cached_dependencies=None):
        tracked = internals.base_lookup_dependency(self, name, cached_dependencies)
        if tracked is not None:
            return tracked
        return self._get_non_slot_variable(name, graph=current_graph_key())


class SlotStore(NonSlotStore):
    """TF1's slots (per model variable) next to the non-slot variables."""

    def __init__(self) -> None:
        super().__init__()
        # slot name -> {variable key: slot variable}
        self._slots: dict[str, dict[Any, Any]] = {}
        # slot name -> {variable key: [checkpoint positions]}, applied when the slot is created
        self._deferred_slot_restorations: dict[str, dict[Any, list]] = {}
        # per-replica component ref -> (distributed container, replica index, strategy)
        self._distributed_components: dict[Any, tuple] = {}

    def _var_key(self, variable):
        """Slots are keyed by the variable object (a Keras 3 variable by its tf.Variable).

        A per-replica component of a distributed variable is keyed by its container, as TF1's
        ``_var_key`` does through the private ``_distributed_container``: TF exports no way from
        a component to its container, so ``distribute.apply`` records the components.
        """
        primary = validation.unwrap_variable(variable)
        found = self._distributed_components.get(primary.ref())
        return (found[0] if found is not None else primary).ref()

    def get_slot(self, var, name):
        """The slot variable ``name`` created for ``var``, or ``None``.

        For a per-replica component of a distributed variable, the slot's component on the
        same replica (TF1 returns the slot's copy on the current device).
        """
        named_slots = self._slots.get(name, None)
        if not named_slots:
            return None
        slot = named_slots.get(self._var_key(var), None)
        found = self._distributed_components.get(validation.unwrap_variable(var).ref())
        if slot is not None and found is not None:
            _, index, distribution = found
            slot = distribution.experimental_local_results(slot)[index]
        return slot

    def get_slot_names(self):
        """The names of the slots this optimizer created, sorted."""
        return sorted(self._slots.keys())

    def variables(self):
        """Non-slot and slot variables of the current graph, sorted by name."""
        with tf.init_scope():
            eager = tf.executing_eagerly()
            current_graph = legacy_graph.default_graph()

        def from_current_graph(variable):
            if is_eager_variable(variable):
                return eager
            return not eager and variable.graph is current_graph

        optimizer_variables = [v for v in self._non_slot_variables() if from_current_graph(v)]
        for variable_dict in self._slots.values():
            for slot_variable in variable_dict.values():
                if from_current_graph(slot_variable):
                    optimizer_variables.append(slot_variable)
        return sorted(optimizer_variables, key=lambda v: v.name)

    # ------------------------------------------------------------------ TF1's slot hooks

    def _slot_dict(self, slot_name):
        return self._slots.setdefault(slot_name, {})

    def _get_or_make_slot(self, var, val, slot_name, op_name):
        """A slot for ``var`` initialized to the tensor ``val`` (created once)."""
        return self._make_slot(
            var,
            slot_name,
            lambda primary: legacy_graph.create_slot_variable(primary, val, None, None, op_name),
        )

    def _get_or_make_slot_with_initializer(
        self, var, initializer, shape, dtype, slot_name, op_name
    ):
        """A slot for ``var`` from ``initializer(shape, dtype)`` (created once)."""
        return self._make_slot(
            var,
            slot_name,
            lambda primary: legacy_graph.create_slot_variable(
                primary, initializer, tf.TensorShape(shape), tf.as_dtype(dtype), op_name
            ),
        )

    def _zeros_slot(self, var, slot_name, op_name):
        """A zero-initialized slot with ``var``'s shape and dtype (created once)."""
        primary = validation.unwrap_variable(var)
        if primary.shape.is_fully_defined():
            return self._get_or_make_slot_with_initializer(
                var,
                tf.zeros_initializer(),
                primary.shape,
                primary.dtype.base_dtype,
                slot_name,
                op_name,
            )
        value = tf.zeros(
            tf.shape(legacy_graph.initialized_value_or_initial_value(primary)),
            dtype=primary.dtype.base_dtype,
        )
        return self._get_or_make_slot(var, value, slot_name, op_name)

    def _make_slot(self, var, slot_name, create):
        named_slots = self._slot_dict(slot_name)
        key = self._var_key(var)
        if key not in named_slots:
            slot_variable = create(validation.unwrap_variable(var))
            self._restore_slot_variable(slot_name, var, slot_variable)
            named_slots[key] = slot_variable
        return named_slots[key]

    def _create_non_slot_variable(self, initial_value, name, colocate_with):
        """A variable owned by the optimizer, not by one model variable (e.g. ``beta1_power``)."""
        colocate_with = validation.unwrap_variable(colocate_with)
        eager = executing_eagerly_outside_functions()
        graph = None if eager else colocate_with.graph
        existing = self._get_non_slot_variable(name, graph)
        if existing is not None:
            return existing
        internals.maybe_initialize_trackable(self)
        use_resource = not legacy_graph.is_ref_variable(colocate_with)
        with tf.distribute.get_strategy().extended.colocate_vars_with(colocate_with):
            if eager:
                restored_initial_value = internals.preload_simple_restoration(self, name)
                if restored_initial_value is not None:
                    initial_value = restored_initial_value
            if getattr(self, "_use_own_namescope_for_non_slot_vars", False):
                variable = legacy_graph.get_variable_in_scope(
                    self._non_slot_variable_scope, name, initial_value, use_resource
                )
            else:
                variable = legacy_graph.create_variable(
                    initial_value, name=name, trainable=False, use_resource=use_resource
                )
        return self._add_non_slot(name, graph, variable)

    # ------------------------------------------------------------------ slot restoration

    def _restore_slot_variable(self, slot_name, variable, slot_variable):
        """Apply checkpoint values that were waiting for this slot to be created."""
        deferred = self._deferred_slot_restorations.get(slot_name, {}).pop(
            self._var_key(variable), []
        )
        deferred.sort(key=lambda position: position.restore_uid, reverse=True)
        for checkpoint_position in deferred:
            checkpoint_position.restore(slot_variable)

    def _create_or_restore_slot_variable(self, slot_variable_position, slot_name, variable):
        """Called by ``tf.train.Checkpoint`` for each saved slot of ``variable``."""
        named_slots = self._slot_dict(slot_name)
        variable_key = self._var_key(variable)
        slot_variable = named_slots.get(variable_key, None)
        if (
            slot_variable is None
            and tf.executing_eagerly()
            and slot_variable_position.is_simple_variable()
            and not tf.distribute.has_strategy()
        ):
            initializer = internals.CheckpointInitialValueCallable(
                checkpoint_position=slot_variable_position
            )
            primary = validation.unwrap_variable(variable)
            slot_variable = self._get_or_make_slot_with_initializer(
                var=variable,
                initializer=initializer,
                shape=primary.shape,
                dtype=primary.dtype,
                slot_name=slot_name,
                op_name=self._name,
            )
        if slot_variable is not None:
            slot_variable_position.restore(slot_variable)
        else:
            self._deferred_slot_restorations.setdefault(slot_name, {}).setdefault(
                variable_key, []
            ).append(slot_variable_position)


def is_eager_variable(variable) -> bool:
    """True for a resource variable created eagerly (also when captured by a tf.function)."""
    if legacy_graph.is_ref_variable(variable):
        return False
    try:
        handle = variable.handle
    except ValueError:
        # A distributed variable outside a replica or update context has no single handle;
        # it is eager exactly when the outermost context is.
        return executing_eagerly_outside_functions()
    return not tf.is_symbolic_tensor(handle)
