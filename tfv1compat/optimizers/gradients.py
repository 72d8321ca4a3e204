"""Gradient computation for ``compute_gradients``: the tape path and the graph path.

TF1's rules (reference section 1.2), reproduced on public TF2 APIs:

* A callable loss always goes through ``tf.GradientTape``, in every mode; ``gate_gradients``,
  ``aggregation_method`` and ``colocate_gradients_with_ops`` are then ignored, ``grad_loss`` is
  honoured, and ``var_list=None`` means the trainable variables the loss read, in creation order.
* A tensor loss in eager mode is a ``RuntimeError``.
* A tensor loss in a graph (legacy ``tf.compat.v1.Graph`` or inside ``tf.function``) goes through
  ``tf.gradients``: ``GATE_OP`` maps to ``gate_gradients=True``, ``GATE_GRAPH`` adds
  ``tf.tuple`` over all gradients, ``tf.AggregationMethod`` values pass through unchanged.
  ``colocate_gradients_with_ops``: TF2's ``tf.gradients`` always colocates each gradient op with
  its forward op (TF1's ``True``); with ``False`` TF1 let the placer choose. The two differ only in
  device placement across several devices, never in values.
"""

from __future__ import annotations

import tensorflow as tf

from tfv1compat._tf import legacy_graph
from tfv1compat.optimizers import validation


def tape_gradients(loss, var_list, grad_loss, scale_loss):
    """The callable-loss branch: ``(grads, var_list)`` through a ``tf.GradientTape``."""
    with tf.GradientTape() as tape:
        if var_list is not None:
            tape.watch(tf.nest.map_structure(validation.unwrap_variable, var_list))
        loss_value = scale_loss(loss())
    if var_list is None:
        var_list = tape.watched_variables()
        targets = var_list
    else:
        targets = tf.nest.map_structure(validation.unwrap_variable, var_list)
    with tf.control_dependencies([loss_value]):
        grads = tape.gradient(loss_value, targets, grad_loss)
    return grads, var_list


def graph_gradients(
    loss,
    var_list,
    gate_gradients,
    aggregation_method,
    grad_loss,
    assert_valid_dtypes,
):
    """The tensor-loss branch: ``(grads, var_list)`` through ``tf.gradients``."""
    if tf.executing_eagerly():
        raise RuntimeError(
            "`loss` passed to Optimizer.compute_gradients should be a function when eager "
            "execution is enabled. (Got a %s; pass a zero-argument callable that computes the "
            "loss, e.g. `lambda: loss_fn(model(x))`.)" % type(loss).__name__
        )
    validation.check_gate_gradients(gate_gradients)
    assert_valid_dtypes([loss])
    if grad_loss is not None:
        assert_valid_dtypes([grad_loss])
    if var_list is None:
        var_list = legacy_graph.trainable_variables()
    else:
        var_list = tf.nest.flatten(var_list)
    for v in var_list:
        validation.check_optimizable(validation.unwrap_variable(v))
    if not var_list:
        raise ValueError(
            "No variables to optimize. (var_list is empty, or no trainable variables are in the "
            "default graph's collections; pass var_list explicitly inside tf.function.)"
        )
    targets = [validation.unwrap_variable(v) for v in var_list]
    grads = tf.gradients(
        loss,
        targets,
        grad_ys=grad_loss,
        gate_gradients=(gate_gradients == validation.GATE_OP),
        aggregation_method=aggregation_method,
    )
    if gate_gradients == validation.GATE_GRAPH:
        grads = tf.tuple(grads)
    assert_valid_dtypes(
        [v for g, v in zip(grads, targets) if g is not None and v.dtype != tf.resource]
    )
    return grads, var_list
