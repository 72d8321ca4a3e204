"""TF1's global-step helpers (``tf.compat.v1.train.*global_step*``) on TF2 public APIs.

The step lives in the ``GLOBAL_STEP`` collection of the graph that TF1 code calls the default
graph (in eager mode, TF's global eager graph), so a step created here is the one that
``tf.compat.v1.train.get_global_step()`` finds, and the other way round.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from tfv1compat._tf import legacy_graph

__all__ = [
    "assert_global_step",
    "create_global_step",
    "get_global_step",
    "get_or_create_global_step",
    "global_step",
]

_GLOBAL_STEP_NAME = "global_step"


def global_step(sess: Any, global_step_tensor: Any) -> int:
    """Return the current value of the global step as a Python ``int``.

    Formula: ``int(global_step_tensor.numpy())`` when executing eagerly, else
    ``int(sess.run(global_step_tensor))``.

    Args:
      sess: a ``tf.compat.v1.Session`` (unused, and may be None, when executing eagerly).
      global_step_tensor: the step ``Variable``/``Tensor``, or (graph mode only) the name of an
        integer tensor.

    Returns:
      The global step value.

    Raises:
      Whatever ``numpy()``/``sess.run`` raise for an unusable argument.

    Differences from TF1: none.
    """
    if tf.executing_eagerly():
        return int(global_step_tensor.numpy())
    return int(sess.run(global_step_tensor))


def _resource_variable_named_global_step(graph: tf.Graph) -> tf.Variable | None:
    """The global variable of ``graph`` whose op is named ``global_step``, if any."""
    for variable in graph.get_collection(legacy_graph.GraphKeys.GLOBAL_VARIABLES):
        if isinstance(variable, tf.Variable) and variable.op.name == _GLOBAL_STEP_NAME:
            return variable
    return None


def get_global_step(graph: tf.Graph | None = None) -> tf.Variable | tf.Tensor | None:
    """Return the global step of ``graph``, or None if it has none.

    Formula: the single item of collection ``GLOBAL_STEP``; if the collection is empty, the
    tensor ``global_step:0`` (for a resource variable: the variable itself); None when nothing
    is found or the collection holds several items (then an error is logged).

    Args:
      graph: the graph to look in; defaults to the default graph (TF's global eager graph when
        executing eagerly).

    Returns:
      The global step ``Variable`` (or ``Tensor``), or None.

    Raises:
      TypeError: if what was found is not a scalar integer ``Variable``/``Tensor``.

    Differences from TF1: when the collection is empty and ``global_step:0`` is the handle of
    a resource variable, the variable (found among the graph's global variables) is returned;
    TF1 returns the handle, which fails ``assert_global_step`` with a TypeError.
    """
    graph = graph or legacy_graph.default_graph()
    global_step_tensors = graph.get_collection(legacy_graph.GraphKeys.GLOBAL_STEP)
    if len(global_step_tensors) == 1:
        global_step_tensor = global_step_tensors[0]
    elif not global_step_tensors:
        try:
            global_step_tensor = graph.get_tensor_by_name(_GLOBAL_STEP_NAME + ":0")
        except KeyError:
            return None
        if global_step_tensor.dtype == tf.resource:
            variable = _resource_variable_named_global_step(graph)
            if variable is not None:
                global_step_tensor = variable
    else:
        tf.get_logger().error("Multiple tensors in global_step collection.")
        return None

    assert_global_step(global_step_tensor)
    return global_step_tensor


def create_global_step(graph: tf.Graph | None = None) -> tf.Variable:
    """Create the global step: an int64 scalar non-trainable variable named ``global_step``.

    Formula: ``get_variable('global_step', shape=[], dtype=int64, initializer=zeros,
    trainable=False, aggregation=ONLY_FIRST_REPLICA, collections=[GLOBAL_VARIABLES,
    GLOBAL_STEP])`` under the root name scope of ``graph`` (on ``cpu:0`` when eager).

    Args:
      graph: the graph to create it in; defaults to the default graph.

    Returns:
      The new global step variable.

    Raises:
      ValueError: if ``graph`` already has a global step.

    Differences from TF1: none.
    """
    graph = graph or legacy_graph.default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    return legacy_graph.create_global_step_variable(graph)


def get_or_create_global_step(graph: tf.Graph | None = None) -> tf.Variable | tf.Tensor:
    """Return the global step of ``graph``, creating it first if there is none.

    Formula: ``get_global_step(graph)``, else ``create_global_step(graph)``.

    Args:
      graph: the graph to look in or create it in; defaults to the default graph.

    Returns:
      The global step (the same object on every call, in eager mode too).

    Raises:
      TypeError: if an existing global step is not a scalar integer ``Variable``/``Tensor``.

    Differences from TF1: as ``get_global_step`` (a resource variable named ``global_step``
    outside the collection is reused instead of raising TypeError).
    """
    graph = graph or legacy_graph.default_graph()
    global_step_tensor = get_global_step(graph)
    if global_step_tensor is None:
        global_step_tensor = create_global_step(graph)
    return global_step_tensor


def _is_variable_or_tensor(value: Any) -> bool:
    # ``_should_act_as_resource_variable`` marks wrappers (e.g. distributed or TPU variables)
    # that TF1's ``resource_variable_ops.is_resource_variable`` accepts.
    return isinstance(value, (tf.Variable, tf.Tensor)) or hasattr(
        value, "_should_act_as_resource_variable"
    )


def assert_global_step(global_step_tensor: Any) -> None:
    """Check that ``global_step_tensor`` is a scalar integer ``Variable`` or ``Tensor``.

    Formula: a ``Variable``/``Tensor`` with an integer base dtype whose shape is scalar or not
    fully defined.

    Args:
      global_step_tensor: the candidate global step.

    Returns:
      None.

    Raises:
      TypeError: ``Existing "global_step" must be a Variable or Tensor: <value>.``,
        ``Existing "global_step" does not have integer type: <dtype>`` or
        ``Existing "global_step" is not scalar: <shape>``.

    Differences from TF1: a tuple argument is printed whole in the first message (TF1 formats
    it with ``%``, which garbles a tuple into an unrelated formatting TypeError).
    """
    if not _is_variable_or_tensor(global_step_tensor):
        raise TypeError(
            f'Existing "global_step" must be a Variable or Tensor: {global_step_tensor}.'
        )

    if not global_step_tensor.dtype.base_dtype.is_integer:
        raise TypeError(
            f'Existing "global_step" does not have integer type: {global_step_tensor.dtype}'
        )

    shape = tf.TensorShape(global_step_tensor.shape)
    if shape.ndims != 0 and shape.is_fully_defined():
        raise TypeError(f'Existing "global_step" is not scalar: {shape}')
