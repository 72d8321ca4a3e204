"""Calling TF1's training kernels on resource or ref variables through ``tf.raw_ops``.

TF1 kept four hooks per optimizer (ref/resource x dense/sparse) because the ref kernels
(``ApplyAdam``) and the resource kernels (``ResourceApplyAdam``) take the same inputs under
the same names, only as ref tensors or handles. We keep one implementation per algorithm and
choose the kernel here: ``training_op("ApplyAdam", var=v, m=m, ...)``.
"""

from __future__ import annotations

import tensorflow as tf

from tfv1compat._tf import legacy_graph

# The kernels' state inputs (``resource`` in ResourceApply*, ``Ref(T)`` in Apply*). Only these
# become handles: a hyperparameter may also be a tf.Variable (``tf.cast`` returns a float32
# variable unchanged), and the kernel must read it as a value, as TF1's calls do.
_STATE_INPUTS = frozenset(
    [
        "var",
        "accum",
        "accum_update",
        "m",
        "v",
        "ms",
        "mom",
        "mg",
        "linear",
        "gradient_accumulator",
        "gradient_squared_accumulator",
    ]
)


def training_op(kernel: str, *, use_locking: bool, **inputs):
    """Run TF1's training kernel ``kernel`` (its ref name, e.g. ``"SparseApplyFtrlV2"``).

    ``inputs`` use the kernel's own argument names; variables (``var``, slots) are passed as
    variable objects and turned into handles for resource variables. Returns the op's output
    (or, for resource kernels, the op) so callers can group or depend on it.
    """
    if legacy_graph.is_ref_variable(inputs["var"]):
        return getattr(tf.raw_ops, kernel)(use_locking=use_locking, **inputs)
    resource_inputs = {
        name: value.handle if name in _STATE_INPUTS else value for name, value in inputs.items()
    }
    return getattr(tf.raw_ops, "Resource" + kernel)(use_locking=use_locking, **resource_inputs)


def scatter_add(variable, indices, updates, use_locking=False):
    """``variable[indices] += updates`` (duplicates summed), built as TF1 builds it.

    Returns the ``ResourceScatterAdd`` op for a resource variable (TF1's
    ``resource_scatter_add``: no read of the whole variable afterwards) and the updated ref for a
    ref variable (TF1's ``state_ops.scatter_add``).
    """
    if legacy_graph.is_ref_variable(variable):
        return tf.raw_ops.ScatterAdd(
            ref=variable, indices=indices, updates=updates, use_locking=use_locking
        )
    return tf.raw_ops.ResourceScatterAdd(resource=variable.handle, indices=indices, updates=updates)


def decayed_scatter_add(slot, decay, values, indices, scatter_add, use_locking):
    """``slot *= decay`` on every row, then ``slot[indices] += values`` with ``scatter_add``
    (TF1's sparse Adam composite, whose scatter a subclass may override)."""
    decayed = slot.assign(slot * decay, use_locking=use_locking)
    with tf.control_dependencies([decayed]):
        return scatter_add(slot, indices, values)


def dedupe_sparse_gradient(values, indices):
    """TF1's ``_deduplicate_indexed_slices``: unique indices (first-seen order), values summed."""
    unique_indices, new_index_positions = tf.unique(indices)
    summed_values = tf.math.unsorted_segment_sum(
        values, new_index_positions, tf.shape(unique_indices)[0]
    )
    return summed_values, unique_indices
