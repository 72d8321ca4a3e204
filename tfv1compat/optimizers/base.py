"""The TF1 ``Optimizer`` engine on public TF2 APIs.

The base class owns everything cross-cutting: ``compute_gradients`` / ``apply_gradients`` /
``minimize``, input validation, slot and non-slot bookkeeping (with TF1's names, so name-based
checkpoints match), sparse de-duplication, the global-step increment, graph collections and the
object-based checkpoint protocol. A concrete optimizer declares its constructor, ``_create_slots``,
``_prepare`` and two kernels, ``_resource_apply_dense`` and ``_resource_apply_sparse``, which work
on resource and ref variables alike (see ``kernels.training_op``).

Supported extension hooks (same names, arguments and call order as TF1, for subclasses such as
BERT's ``AdamWeightDecayOptimizer`` or tensor2tensor's ``MultistepAdamOptimizer``):
``_create_slots(var_list)``, ``_prepare()``, ``_resource_apply_dense(grad, handle)``,
``_resource_apply_sparse(grad, handle, indices)``,
``_resource_apply_sparse_duplicate_indices(grad, handle, indices)``, ``_apply_dense(grad, var)``,
``_apply_sparse(grad, var)``, ``_apply_sparse_duplicate_indices(grad, var)``,
``_finish(update_ops, name_scope)``, ``_zeros_slot``, ``_get_or_make_slot``,
``_get_or_make_slot_with_initializer``, ``_slot_dict``, ``_create_non_slot_variable``,
``_get_non_slot_variable``, ``_non_slot_variables``, ``_call_if_callable``, ``_valid_dtypes``,
``_scale_loss``, and the attributes ``_name``, ``_use_locking``, ``_slots``, ``_non_slot_dict``.
As in TF1, ``handle`` arguments receive the variable object itself (use ``handle.handle``).
"""

from __future__ import annotations

import inspect

import numpy as np
import tensorflow as tf

from tfv1compat import legacy_graph
from tfv1compat.optimizers import gradients, kernels, validation

Trackable = tf.__internal__.tracking.Trackable
# TF exports no name for SaveType; take its CHECKPOINT member from Trackable's own signature.
_CHECKPOINT = inspect.signature(Trackable._trackable_children).parameters["save_type"].default


def _executing_eagerly_outside_functions() -> bool:
    with tf.init_scope():
        return tf.executing_eagerly()


def _is_eager_variable(variable) -> bool:
    """True for a resource variable created eagerly (also when captured by a tf.function)."""
    if legacy_graph.is_ref_variable(variable):
        return False
    try:
        handle = variable.handle
    except ValueError:
        # A distributed variable outside a replica or update context has no single handle;
        # it is eager exactly when the outermost context is.
        return _executing_eagerly_outside_functions()
    return not tf.is_symbolic_tensor(handle)


class Optimizer(Trackable):
    """Base class for TF1 optimizers, re-implemented on public TF2 APIs.

    Not meant to be used directly: use a subclass such as ``GradientDescentOptimizer``, or
    subclass it through TF1's hooks (listed in this module's docstring).

    Args:
      use_locking: Bool. If True, use locks for update operations.
      name: A non-empty string, the name of the optimizer (used for slot variable names
        and the name scope of the update ops).
      use_own_namescope_for_non_slot_vars: If True, non-slot variables are created inside a
        variable scope opened (and uniquified) at construction under ``name``.

    Raises:
      ValueError: If ``name`` is empty.

    Differences from TF1: works on Keras 3 variables (slots are keyed and named by the
    ``tf.Variable`` inside); a gradient whose dtype or shape does not match its variable raises
    ``TypeError``/``ValueError`` before anything is updated (TF1 aborts or fails mid-update);
    ``_scale_loss`` never scales (TF1 scaled only inside the removed Estimator).
    """

    GATE_NONE = validation.GATE_NONE
    GATE_OP = validation.GATE_OP
    GATE_GRAPH = validation.GATE_GRAPH

    def __init__(self, use_locking, name, use_own_namescope_for_non_slot_vars=False):
        validation.check_optimizer_name(name)
        self._use_locking = use_locking
        self._name = name
        self._use_own_namescope_for_non_slot_vars = use_own_namescope_for_non_slot_vars
        if self._use_own_namescope_for_non_slot_vars:
            with legacy_graph.unique_variable_scope(self._name) as scope:
                self._non_slot_variable_scope = scope
        # slot name -> {variable key: slot variable}
        self._slots = {}
        # (name, graph or None when eager) -> non-slot variable
        self._non_slot_dict = {}
        # slot name -> {variable key: [checkpoint positions]}, applied when the slot is created
        self._deferred_slot_restorations = {}
        # per-replica component ref -> (distributed container, replica index, strategy)
        self._distributed_components = {}

    def get_name(self):
        return self._name

    # ------------------------------------------------------------------ public API

    def minimize(
        self,
        loss,
        global_step=None,
        var_list=None,
        gate_gradients=GATE_OP,
        aggregation_method=None,
        colocate_gradients_with_ops=False,
        name=None,
        grad_loss=None,
    ):
        """Add operations to minimize ``loss`` by updating ``var_list``.

        ``compute_gradients`` followed by ``apply_gradients``; see those.

        Returns:
          ``None`` when executing eagerly, else the ``Operation`` that updates the variables
          (and increments ``global_step`` if given).

        Raises:
          ValueError: If no variable receives a gradient.
        """
        grads_and_vars = self.compute_gradients(
            loss,
            var_list=var_list,
            gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops,
            grad_loss=grad_loss,
        )
        vars_with_grad = [v for g, v in grads_and_vars if g is not None]
        if not vars_with_grad:
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops"
                " that do not support gradients, between variables %s and loss %s."
                % ([str(v) for _, v in grads_and_vars], loss)
            )
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(
        self,
        loss,
        var_list=None,
        gate_gradients=GATE_OP,
        aggregation_method=None,
        colocate_gradients_with_ops=False,
        grad_loss=None,
    ):
        """Compute gradients of ``loss`` for the variables in ``var_list``.

        Args:
          loss: A zero-argument callable returning the value to minimize (any mode), or a
            ``Tensor`` (graphs and ``tf.function`` only).
          var_list: Variables (``tf.Variable``, Keras 3 variables) or Tensors. Defaults to the
            trainable variables the callable read (tape path) or the graph's trainable
            variables (tensor path).
          gate_gradients: ``GATE_NONE``, ``GATE_OP`` or ``GATE_GRAPH`` (tensor path only).
          aggregation_method: A ``tf.AggregationMethod`` value (tensor path only).
          colocate_gradients_with_ops: Accepted for compatibility; TF2 always colocates.
          grad_loss: Optional ``Tensor`` holding the gradient of ``loss``.

        Returns:
          A list of ``(gradient, variable)`` pairs; gradients may be ``None``.

        Raises:
          RuntimeError: A tensor ``loss`` while executing eagerly.
          ValueError: Bad ``gate_gradients``/``aggregation_method``, a non-float loss or
            variable, or no variables to optimize (tensor path).
          AttributeError: A ``var_list`` entry that is not a variable or tensor (tensor path).
        """
        del colocate_gradients_with_ops  # TF2's tf.gradients always colocates.
        if callable(loss):
            grads, var_list = gradients.tape_gradients(loss, var_list, grad_loss, self._scale_loss)
        else:
            loss = self._scale_loss(loss)
            grads, var_list = gradients.graph_gradients(
                loss,
                var_list,
                gate_gradients,
                aggregation_method,
                grad_loss,
                self._assert_valid_dtypes,
            )
        return list(zip(grads, var_list))

    @staticmethod
    def _scale_loss(loss_value):
        # TF1 divides by the replica count only inside Estimator's loss-reduction context,
        # which TF2 no longer has; everywhere else it returns the loss unchanged.
        return loss_value

    def apply_gradients(
        self,
        grads_and_vars,
        global_step=None,
        name=None,
        skip_gradients_aggregation=False,
    ):
        """Apply gradients to variables; the second half of ``minimize``.

        Args:
          grads_and_vars: ``(gradient, variable)`` pairs, as from ``compute_gradients``.
            Gradients may be ``Tensor``s, ``IndexedSlices`` (duplicate indices are summed),
            anything convertible to a ``Tensor``, or ``None`` (that variable is skipped).
          global_step: Optional variable incremented by one after all updates.
          name: Optional name for the returned operation (default: the optimizer's name).
          skip_gradients_aggregation: If True, do not aggregate gradients across replicas.

        Returns:
          ``None`` when executing eagerly, else an ``Operation`` (added to ``TRAIN_OP``).

        Raises:
          TypeError: A gradient that is not convertible to a ``Tensor``/``IndexedSlices``, or
            whose dtype differs from its variable's.
          ValueError: No pairs, or no gradient for any variable.
          RuntimeError: Called in a cross-replica context of a ``tf.distribute`` strategy.
        """
        if tf.distribute.has_strategy() and not skip_gradients_aggregation:
            if tf.distribute.in_cross_replica_context():
                raise RuntimeError(
                    "Use `_distributed_apply()` instead of `apply_gradients()` in a "
                    "cross-replica context. (Call apply_gradients inside strategy.run.)"
                )
            # As TF1: drop None gradients, then merge into cross-replica context, where the
            # gradients are summed over replicas (TF1 never averages outside Estimator).
            filtered = []
            for g, v in validation.grads_and_vars_pairs(grads_and_vars):
                if g is not None:
                    v = validation.unwrap_variable(v)
                    # TF1 merges the raw gradients; the strategy's reduction then rejects a
                    # list, a Python number, a SparseTensor... with its own error
                    # (AttributeError for MirroredStrategy). Hand those over untouched, so the
                    # error type is TF1's; check only what TF1's merge accepts.
                    if isinstance(g, (tf.Tensor, tf.IndexedSlices, tf.Variable, np.ndarray)):
                        g = validation.convert_gradient(g)
                        validation.check_updatable(v, g)
                        validation.check_gradient_matches_variable(g, v)
                    filtered.append((g, v))
            return tf.distribute.get_replica_context().merge_call(
                self._distributed_apply, args=(filtered, global_step, name)
            )

        # A tuple, so that repeat iteration works.
        grads_and_vars = validation.grads_and_vars_pairs(grads_and_vars)
        if not grads_and_vars:
            raise ValueError(
                "No variables provided. (grads_and_vars is empty; pass (gradient, variable) "
                "pairs, e.g. from compute_gradients.)"
            )
        converted = []
        for g, v in grads_and_vars:
            if g is not None:
                g = validation.convert_gradient(g)
            converted.append((g, validation.unwrap_variable(v)))
        converted = tuple(converted)
        var_list = [v for g, v in converted if g is not None]
        if not var_list:
            raise ValueError(
                "No gradients provided for any variable: %s. (Every gradient is None; at least "
                "one (gradient, variable) pair needs a gradient.)"
                % ([str(v) for _, v in converted],)
            )
        for g, v in converted:
            if g is not None:
                validation.check_updatable(v, g)
                validation.check_gradient_matches_variable(g, v)

        with tf.init_scope():
            self._create_slots(var_list)
        update_ops = []
        with tf.name_scope(name or self._name) as scope:
            self._prepare()
            for grad, var in converted:
                if grad is None:
                    continue
                var_scope = "" if _is_eager_variable(var) else var.op.name
                with tf.name_scope("update_" + var_scope), legacy_graph.colocate_with(var):
                    update_ops.append(self._update_one(grad, var))
            if global_step is None:
                apply_updates = self._finish(update_ops, scope)
            else:
                with tf.control_dependencies([self._finish(update_ops, "update")]):
                    with legacy_graph.colocate_with(global_step):
                        apply_updates = _increment(global_step, scope)

            if tf.executing_eagerly():
                return None
            if isinstance(apply_updates, tf.Tensor):
                apply_updates = apply_updates.op
            legacy_graph.add_to_collection_once(legacy_graph.GraphKeys.TRAIN_OP, apply_updates)
            return apply_updates

    def _var_key(self, variable):
        """Slots are keyed by the variable object (a Keras 3 variable by its tf.Variable).

        A per-replica component of a distributed variable is keyed by its container, as TF1's
        ``_var_key`` does through the private ``_distributed_container``: TF exports no way from
        a component to its container, so ``_distributed_apply`` records the components.
        """
        primary = validation.unwrap_variable(variable)
        found = self._distributed_components.get(primary.ref())
        return (found[0] if found is not None else primary).ref()

    def _distributed_apply(self, distribution, grads_and_vars, global_step=None, name=None):
        """TF1's cross-replica apply: sum over replicas, then update every replica's copy.

        Called through ``merge_call`` by ``apply_gradients`` in a replica context. Slots are
        created in cross-replica context (so they are mirrored like their variables), the
        update of each variable runs on each of its devices through ``extended.update``, and
        ``_finish`` runs once per non-slot device.
        """
        reduced_grads = distribution.extended.batch_reduce_to(
            tf.distribute.ReduceOp.SUM, grads_and_vars
        )
        var_list = [v for _, v in grads_and_vars]
        for v in var_list:
            for index, component in enumerate(distribution.experimental_local_results(v)):
                if component is not v:
                    self._distributed_components[component.ref()] = (v, index, distribution)
        grads_and_vars = zip(reduced_grads, var_list)
        with tf.init_scope():
            self._create_slots(var_list)

        def update(v, g):
            g = validation.convert_gradient(g)
            var_scope = v.name.split(":")[0] if _is_eager_variable(v) else v.op.name
            with tf.name_scope("update_" + var_scope):
                return self._update_one(g, v)

        with tf.name_scope(name or self._name) as scope:
            self._prepare()
            update_ops = [
                op
                for grad, var in grads_and_vars
                for op in distribution.extended.update(var, update, args=(grad,), group=False)
            ]

            def finish(self, update_ops):
                return self._finish(update_ops, "update")

            non_slot_devices = distribution.extended.non_slot_devices(var_list)
            finish_updates = distribution.extended.update_non_slot(
                non_slot_devices, finish, args=(self, update_ops), group=False
            )
            if global_step is None:
                apply_updates = distribution.group(finish_updates, name=scope)
            else:
                with tf.control_dependencies(finish_updates):
                    apply_updates = distribution.extended.update(global_step, _assign_add_one)
            if tf.executing_eagerly():
                return None
            if isinstance(apply_updates, tf.Tensor):
                apply_updates = apply_updates.op
            legacy_graph.add_to_collection_once(legacy_graph.GraphKeys.TRAIN_OP, apply_updates)
            return apply_updates

    def _update_one(self, grad, var):
        """TF1's per-variable "processor": the right hook, then the variable's constraint."""
        ref = legacy_graph.is_ref_variable(var)
        if isinstance(grad, tf.IndexedSlices):
            if ref:
                return self._apply_sparse_duplicate_indices(grad, var)
            return self._resource_apply_sparse_duplicate_indices(grad.values, var, grad.indices)
        update_op = self._apply_dense(grad, var) if ref else self._resource_apply_dense(grad, var)
        if var.constraint is not None:
            with tf.control_dependencies([update_op]):
                return var.assign(var.constraint(var))
        return update_op

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
            if _is_eager_variable(variable):
                return eager
            return not eager and variable.graph is current_graph

        optimizer_variables = [v for v in self._non_slot_variables() if from_current_graph(v)]
        for variable_dict in self._slots.values():
            for slot_variable in variable_dict.values():
                if from_current_graph(slot_variable):
                    optimizer_variables.append(slot_variable)
        return sorted(optimizer_variables, key=lambda v: v.name)

    # ------------------------------------------------------------------ hooks for subclasses

    def _valid_dtypes(self):
        return set(validation.VALID_DTYPES)

    def _assert_valid_dtypes(self, tensors):
        validation.check_float_dtypes(tensors, self._valid_dtypes())

    def _create_slots(self, var_list):
        pass

    def _prepare(self):
        pass

    def _resource_apply_dense(self, grad, handle):
        raise NotImplementedError(
            "%s does not implement _resource_apply_dense(grad, handle)" % type(self).__name__
        )

    def _resource_apply_sparse(self, grad, handle, indices):
        raise NotImplementedError(
            "%s does not implement _resource_apply_sparse(grad, handle, indices)"
            % type(self).__name__
        )

    def _resource_apply_sparse_duplicate_indices(self, grad, handle, indices):
        summed_grad, unique_indices = kernels.dedupe_sparse_gradient(grad, indices)
        return self._resource_apply_sparse(summed_grad, handle, unique_indices)

    # Ref variables (scripts under tf.compat.v1.disable_v2_behavior()) go through TF1's ref
    # hooks. Our kernels choose ref or resource ops themselves, so by default the ref hooks
    # route to the resource-named ones; a subclass that overrides a ref hook still wins.
    def _apply_dense(self, grad, var):
        return self._resource_apply_dense(grad, var)

    def _apply_sparse(self, grad, var):
        return self._resource_apply_sparse(grad.values, var, grad.indices)

    def _apply_sparse_duplicate_indices(self, grad, var):
        summed_values, unique_indices = kernels.dedupe_sparse_gradient(grad.values, grad.indices)
        deduped = tf.IndexedSlices(
            indices=unique_indices, values=summed_values, dense_shape=grad.dense_shape
        )
        return self._apply_sparse(deduped, var)

    def _finish(self, update_ops, name_scope):
        return tf.group(*update_ops, name=name_scope)

    def _call_if_callable(self, param):
        return param() if callable(param) else param

    # ------------------------------------------------------------------ slots

    def _slot_dict(self, slot_name):
        named_slots = self._slots.get(slot_name, None)
        if named_slots is None:
            named_slots = {}
            self._slots[slot_name] = named_slots
        return named_slots

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
            self._restore_slot_variable(
                slot_name=slot_name, variable=var, slot_variable=slot_variable
            )
            named_slots[key] = slot_variable
        return named_slots[key]

    # ------------------------------------------------------------------ non-slot variables

    def _create_non_slot_variable(self, initial_value, name, colocate_with):
        """A variable owned by the optimizer, not by one model variable (e.g. ``beta1_power``)."""
        colocate_with = validation.unwrap_variable(colocate_with)
        eager = _executing_eagerly_outside_functions()
        graph = None if eager else colocate_with.graph
        key = (name, graph)
        v = self._non_slot_dict.get(key, None)
        if v is None:
            self._maybe_initialize_trackable()
            use_resource = not legacy_graph.is_ref_variable(colocate_with)
            strategy = tf.distribute.get_strategy()
            with strategy.extended.colocate_vars_with(colocate_with):
                if eager:
                    restored_initial_value = self._preload_simple_restoration(name=name)
                    if restored_initial_value is not None:
                        initial_value = restored_initial_value
                if self._use_own_namescope_for_non_slot_vars:
                    v = legacy_graph.get_variable_in_scope(
                        self._non_slot_variable_scope, name, initial_value, use_resource
                    )
                else:
                    v = legacy_graph.create_variable(
                        initial_value, name=name, trainable=False, use_resource=use_resource
                    )
            self._handle_deferred_dependencies(name=name, trackable=v)
            self._non_slot_dict[key] = v
        return v

    def _get_non_slot_variable(self, name, graph=None):
        return self._non_slot_dict.get((name, graph), None)

    def _non_slot_variables(self):
        return self._non_slot_dict.values()

    # ------------------------------------------------------------------ checkpoint protocol

    def _trackable_children(self, save_type=_CHECKPOINT, **kwargs):
        """Non-slot variables of the current graph, by plain name (``beta1_power``)."""
        with tf.init_scope():
            eager = tf.executing_eagerly()
            current_graph = legacy_graph.default_graph()
        children = {}
        for (name, _), variable in sorted(self._non_slot_dict.items(), key=lambda kv: kv[0][0]):
            if eager or variable.graph is current_graph:
                children[name] = variable
        children.update(super()._trackable_children(save_type, **kwargs))
        return children

    def _lookup_dependency(self, name, cached_dependencies=None):
        unconditional = super()._lookup_dependency(name, cached_dependencies)
        if unconditional is not None:
            return unconditional
        graph = None if tf.executing_eagerly() else legacy_graph.default_graph()
        return self._get_non_slot_variable(name, graph=graph)

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
            initializer = tf.__internal__.tracking.CheckpointInitialValueCallable(
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


def _assign_add_one(variable):
    """One replica's ``global_step += 1``. TF1 passes ``name=<scope>`` here, but its ops come
    out with default names (``<scope>/update_0_2/AssignAddVariableOp``), and one exact name
    per replica would collide; so no name, as observed."""
    return variable.assign_add(tf.constant(1, dtype=variable.dtype.base_dtype))


def _increment(global_step, name):
    """``global_step += 1`` as TF1 builds it: one op named after the apply scope."""
    if legacy_graph.is_ref_variable(global_step):
        # TF1's state_ops.assign_add(global_step, 1): the op converts 1 itself (Const "value").
        return tf.raw_ops.AssignAdd(ref=global_step, value=1, name=name)
    one = tf.constant(1, dtype=global_step.dtype.base_dtype)
    return tf.raw_ops.AssignAddVariableOp(resource=global_step.handle, value=one, name=name)
