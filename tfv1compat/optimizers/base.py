"""The TF1 ``Optimizer`` engine on public TF2 APIs: the public API and the hook contract.

The base class owns everything cross-cutting: ``compute_gradients`` (``gradients``),
``apply_gradients`` and ``minimize``, input validation (``validation``), hyperparameter
resolution, sparse de-duplication, the global-step increment and graph collections; slots,
non-slot variables and checkpoints live in ``slots``, the ``tf.distribute`` path in
``distribute``. A concrete optimizer declares its constructor, its hyperparameters
(``_HYPERPARAMETERS``), ``_create_slots`` and its two kernels, ``_resource_apply_dense`` and
``_resource_apply_sparse``, which work on resource and ref variables alike
(``kernels.training_op``).

Supported extension hooks (same names, arguments and call order as TF1, for subclasses such as
BERT's ``AdamWeightDecayOptimizer`` or tensor2tensor's ``MultistepAdamOptimizer``):
``_create_slots(var_list)``, ``_prepare()``, ``_resource_apply_dense(grad, handle)``,
``_resource_apply_sparse(grad, handle, indices)``,
``_resource_apply_sparse_duplicate_indices(grad, handle, indices)``, ``_apply_dense(grad, var)``,
``_apply_sparse(grad, var)``, ``_apply_sparse_duplicate_indices(grad, var)``,
``_finish(update_ops, name_scope)``, ``_distributed_apply``, ``_zeros_slot``,
``_get_or_make_slot``, ``_get_or_make_slot_with_initializer``, ``_slot_dict``,
``_create_non_slot_variable``, ``_get_non_slot_variable``, ``_non_slot_variables``,
``_call_if_callable``, ``_valid_dtypes``, ``_scale_loss``, and the attributes ``_name``,
``_use_locking``, ``_slots``, ``_non_slot_dict`` and each optimizer's ``_prepare`` tensors
(``_lr_t``, ``_learning_rate_tensor``, ...). As in TF1, ``handle`` arguments receive the variable
object itself (use ``handle.handle``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Union

import tensorflow as tf

from tfv1compat._tf import legacy_graph
from tfv1compat.optimizers import distribute, gradients, kernels, slots, validation

Loss = Union[tf.Tensor, Callable[[], tf.Tensor]]
GradsAndVars = Iterable[tuple[Any, Any]]
# A float, Tensor, tf.Variable or (where TF1 accepts one) a zero-argument callable.
HyperparameterValue = Union[float, tf.Tensor, tf.Variable, Callable[[], Any]]


@dataclasses.dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter as TF1 resolves it in ``_prepare`` and feeds it to the kernel.

    ``attribute`` holds the constructor's raw value (TF1's name, e.g. ``_lr``); ``_prepare``
    converts it (after calling it, if it is callable and TF1 accepts callables) to a tensor
    named ``tensor_name`` and stores it as ``tensor`` (TF1's name, e.g. ``_lr_t``), which
    subclasses such as tensor2tensor's read. ``kernel_input`` is the kernel argument it feeds
    (cast to the gradient's dtype by ``_kernel_hyperparameters``), or None. ``compute``
    derives the value from the optimizer instead of reading ``attribute`` (Ftrl's adjusted
    l2).
    """

    tensor_name: str
    kernel_input: str | None
    attribute: str = ""  # default: "_" + tensor_name
    tensor: str = ""  # default: attribute + "_tensor"
    accepts_callable: bool = True
    compute: Callable[[Any], Any] | None = None

    def __post_init__(self) -> None:
        if not self.attribute:
            object.__setattr__(self, "attribute", "_" + self.tensor_name)
        if not self.tensor:
            object.__setattr__(self, "tensor", self.attribute + "_tensor")

    def tensor_attribute(self) -> str:
        return self.tensor


def proximal_hyperparameters(learning_rate_input: str) -> tuple[Hyperparameter, ...]:
    """The Proximal optimizers' three, as TF1's ``_prepare`` makes them (no callables)."""
    return (
        Hyperparameter("learning_rate", learning_rate_input, accepts_callable=False),
        Hyperparameter("l1_regularization_strength", "l1", accepts_callable=False),
        Hyperparameter("l2_regularization_strength", "l2", accepts_callable=False),
    )


class Optimizer(slots.SlotStore):
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

    # The hyperparameters ``_prepare`` resolves, in TF1's order; see ``Hyperparameter``.
    _HYPERPARAMETERS: tuple[Hyperparameter, ...] = ()

    def __init__(
        self, use_locking: bool, name: str, use_own_namescope_for_non_slot_vars: bool = False
    ) -> None:
        validation.check_optimizer_name(name)
        super().__init__()
        self._use_locking = use_locking
        self._name = name
        self._use_own_namescope_for_non_slot_vars = use_own_namescope_for_non_slot_vars
        if self._use_own_namescope_for_non_slot_vars:
            with legacy_graph.unique_variable_scope(self._name) as scope:
                self._non_slot_variable_scope = scope
        for hyperparameter in self._HYPERPARAMETERS:  # set by _prepare, as TF1's are
            setattr(self, hyperparameter.tensor_attribute(), None)

    def get_name(self) -> str:
        return self._name

    # ------------------------------------------------------------------ public API

    def minimize(
        self,
        loss: Loss,
        global_step: tf.Variable | None = None,
        var_list: Sequence[Any] | None = None,
        gate_gradients: int = GATE_OP,
        aggregation_method: Any = None,
        colocate_gradients_with_ops: bool = False,
        name: str | None = None,
        grad_loss: tf.Tensor | None = None,
    ) -> tf.Operation | None:
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
        loss: Loss,
        var_list: Sequence[Any] | None = None,
        gate_gradients: int = GATE_OP,
        aggregation_method: Any = None,
        colocate_gradients_with_ops: bool = False,
        grad_loss: tf.Tensor | None = None,
    ) -> list[tuple[Any, Any]]:
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
        grads_and_vars: GradsAndVars,
        global_step: tf.Variable | None = None,
        name: str | None = None,
        skip_gradients_aggregation: bool = False,
    ) -> tf.Operation | None:
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
            return distribute.merge_replica_gradients(self, grads_and_vars, global_step, name)

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
                var_scope = "" if slots.is_eager_variable(var) else var.op.name
                with tf.name_scope("update_" + var_scope), legacy_graph.colocate_with(var):
                    update_ops.append(self._update_one(grad, var))
            if global_step is None:
                apply_updates = self._finish(update_ops, scope)
            else:
                with tf.control_dependencies([self._finish(update_ops, "update")]):
                    with legacy_graph.colocate_with(global_step):
                        apply_updates = _increment(global_step, scope)

            return distribute.train_op_or_none(apply_updates)

    def _distributed_apply(self, distribution, grads_and_vars, global_step=None, name=None):
        """TF1's cross-replica apply (``merge_call`` target); see ``distribute``."""
        return distribute.apply_cross_replica(self, distribution, grads_and_vars, global_step, name)

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

    # ------------------------------------------------------------------ hooks for subclasses

    def _valid_dtypes(self):
        return set(validation.VALID_DTYPES)

    def _assert_valid_dtypes(self, tensors):
        validation.check_float_dtypes(tensors, self._valid_dtypes())

    def _create_slots(self, var_list):
        pass

    def _prepare(self):
        """TF1's hook: resolve the declared hyperparameters into their tensor attributes."""
        for hyperparameter in self._HYPERPARAMETERS:
            if hyperparameter.compute is not None:
                value = hyperparameter.compute(self)
            else:
                value = getattr(self, hyperparameter.attribute)
                if hyperparameter.accepts_callable:
                    value = self._call_if_callable(value)
            setattr(
                self,
                hyperparameter.tensor_attribute(),
                tf.convert_to_tensor(value, name=hyperparameter.tensor_name),
            )

    def _kernel_hyperparameters(self, dtype: tf.DType | None) -> dict[str, Any]:
        """The declared kernel inputs from ``_prepare``'s tensors, cast to ``dtype`` (TF1 casts
        at each kernel call); ``dtype=None`` passes them uncast (TF1's Proximal dense path)."""
        inputs = {}
        for hyperparameter in self._HYPERPARAMETERS:
            if hyperparameter.kernel_input is not None:
                tensor = getattr(self, hyperparameter.tensor_attribute())
                inputs[hyperparameter.kernel_input] = (
                    tensor if dtype is None else tf.cast(tensor, dtype)
                )
        return inputs

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


def _increment(global_step, name):
    """``global_step += 1`` as TF1 builds it: one op named after the apply scope."""
    if legacy_graph.is_ref_variable(global_step):
        # TF1's state_ops.assign_add(global_step, 1): the op converts 1 itself (Const "value").
        return tf.raw_ops.AssignAdd(ref=global_step, value=1, name=name)
    one = tf.constant(1, dtype=global_step.dtype.base_dtype)
    return tf.raw_ops.AssignAddVariableOp(resource=global_step.handle, value=one, name=name)
