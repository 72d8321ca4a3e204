"""TF1's ``tf.distribute`` path of ``apply_gradients``, on TF2's public distribution API.

In a replica context (``strategy.run``) TF1 drops ``None`` gradients and merges into the
cross-replica context, where the gradients are **summed** over replicas (TF1 never averages
outside Estimator), the slots are created once (mirrored like their variables), every replica's
copy is updated through ``extended.update``, ``_finish`` runs once per non-slot device and the
global step moves by one. TF1 does this with private helpers; here it is ``merge_call``,
``batch_reduce_to``, ``extended.update`` and ``update_non_slot``.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tfv1compat._tf import legacy_graph
from tfv1compat.optimizers import slots, validation


def merge_replica_gradients(optimizer, grads_and_vars, global_step, name):
    """The replica-context half: validate what TF1 validates, then ``merge_call``."""
    if tf.distribute.in_cross_replica_context():
        raise RuntimeError(
            "Use `_distributed_apply()` instead of `apply_gradients()` in a "
            "cross-replica context. (Call apply_gradients inside strategy.run.)"
        )
    filtered = []
    for g, v in validation.grads_and_vars_pairs(grads_and_vars):
        if g is not None:
            v = validation.unwrap_variable(v)
            # TF1 merges the raw gradients; the strategy's reduction then rejects a list, a
            # Python number, a SparseTensor... with its own error (AttributeError for
            # MirroredStrategy). Hand those over untouched, so the error type is TF1's; check
            # only what TF1's merge accepts.
            if isinstance(g, (tf.Tensor, tf.IndexedSlices, tf.Variable, np.ndarray)):
                g = validation.convert_gradient(g)
                validation.check_updatable(v, g)
                validation.check_gradient_matches_variable(g, v)
            filtered.append((g, v))
    return tf.distribute.get_replica_context().merge_call(
        optimizer._distributed_apply, args=(filtered, global_step, name)
    )


def apply_cross_replica(optimizer, distribution, grads_and_vars, global_step=None, name=None):
    """The cross-replica half: sum over replicas, then update every replica's copy."""
    reduced_grads = distribution.extended.batch_reduce_to(
        tf.distribute.ReduceOp.SUM, grads_and_vars
    )
    var_list = [v for _, v in grads_and_vars]
    for v in var_list:
        for index, component in enumerate(distribution.experimental_local_results(v)):
            if component is not v:
                optimizer._distributed_components[component.ref()] = (v, index, distribution)
    grads_and_vars = zip(reduced_grads, var_list)
    with tf.init_scope():
        optimizer._create_slots(var_list)

    def update(v, g):
        g = validation.convert_gradient(g)
        var_scope = v.name.split(":")[0] if slots.is_eager_variable(v) else v.op.name
        with tf.name_scope("update_" + var_scope):
            return optimizer._update_one(g, v)

    with tf.name_scope(name or optimizer._name) as scope:
        optimizer._prepare()
        update_ops = [
            op
            for grad, var in grads_and_vars
            for op in distribution.extended.update(var, update, args=(grad,), group=False)
        ]

        def finish(optimizer, update_ops):
            return optimizer._finish(update_ops, "update")

        non_slot_devices = distribution.extended.non_slot_devices(var_list)
        finish_updates = distribution.extended.update_non_slot(
            non_slot_devices, finish, args=(optimizer, update_ops), group=False
        )
        if global_step is None:
            apply_updates = distribution.group(finish_updates, name=scope)
        else:
            with tf.control_dependencies(finish_updates):
                apply_updates = distribution.extended.update(global_step, _assign_add_one)
        return train_op_or_none(apply_updates)


def train_op_or_none(apply_updates):
    """TF1's return value: ``None`` when eager, else the op, added to ``TRAIN_OP`` once."""
    if tf.executing_eagerly():
        return None
    if isinstance(apply_updates, tf.Tensor):
        apply_updates = apply_updates.op
    legacy_graph.add_to_collection_once(legacy_graph.GraphKeys.TRAIN_OP, apply_updates)
    return apply_updates


def _assign_add_one(variable):
    """One replica's ``global_step += 1``. TF1 passes ``name=<scope>`` here, but its ops come
    out with default names (``<scope>/update_0_2/AssignAddVariableOp``), and one exact name
    per replica would collide; so no name, as observed."""
    return variable.assign_add(tf.constant(1, dtype=variable.dtype.base_dtype))
