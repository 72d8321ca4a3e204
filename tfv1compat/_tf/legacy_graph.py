"""The one module that touches ``tf.compat.v1``: legacy-graph interop with no TF2 name.

TF1 programs keep state in graph collections (``GLOBAL_VARIABLES``, ``TRAIN_OP``,
``GLOBAL_STEP``), name variables through variable scopes (whose uniquifying counter also runs
in eager mode), and may run with v2 behaviour disabled, where variables are ref variables.
TF2 has no public names for any of this, so the few calls that need ``tf.compat.v1`` live
here and nowhere else. Nothing in this module reaches ``tf.compat.v1.train``.
"""

from __future__ import annotations

import contextlib
import functools

import tensorflow as tf

from tfv1compat._tf import internals

_v1 = tf.compat.v1

GraphKeys = _v1.GraphKeys


def default_graph() -> tf.Graph:
    """The graph TF1 code means by "the default graph" (the eager one when eager)."""
    return _v1.get_default_graph()


def get_collection(key: str, scope: str | None = None) -> list:
    return _v1.get_collection(key, scope)


def get_collection_ref(key: str) -> list:
    return _v1.get_collection_ref(key)


def add_to_collection_once(key: str, value) -> None:
    """Append ``value`` to collection ``key`` of the default graph unless already there."""
    collection = _v1.get_collection_ref(key)
    if value not in collection:
        collection.append(value)


def trainable_variables() -> list:
    """TF1's default ``var_list`` for a tensor loss: trainable variables of the default graph."""
    return _v1.trainable_variables() + _v1.get_collection(GraphKeys.TRAINABLE_RESOURCE_VARIABLES)


@functools.cache
def _ref_variable_type() -> type:
    """TF's ref-variable class, which has no public name: the type of a throwaway one."""
    with tf.Graph().as_default():
        return type(_v1.Variable(0.0, use_resource=False))


def is_ref_variable(variable) -> bool:
    """True for a legacy ref variable (``VariableV2``), as created under disable_v2_behavior().

    An ``isinstance`` check: cheap on the eager hot path, and unlike probing ``.handle`` it
    does not raise for distributed variables outside a replica or update context.
    """
    return isinstance(variable, _ref_variable_type())


def create_variable(initial_value, name: str, trainable: bool, use_resource: bool) -> tf.Variable:
    """A ``VariableV1`` as TF1's optimizers create non-slot variables (resource or ref)."""
    if use_resource:
        return tf.Variable(initial_value, name=name, trainable=trainable)
    return _v1.Variable(initial_value, name=name, trainable=trainable, use_resource=False)


@contextlib.contextmanager
def unique_variable_scope(default_name: str):
    """A uniquified variable scope, as TF1 opens for Adam's own non-slot namespace."""
    with _v1.variable_scope(None, default_name=default_name) as scope:
        yield scope


def get_variable_in_scope(scope, name: str, initial_value, use_resource: bool) -> tf.Variable:
    """``get_variable`` inside a scope captured earlier, under an empty name scope (TF1's way)."""
    with tf.name_scope(""):  # an empty name resets to the root scope, in eager and graphs
        with _v1.variable_scope(scope):
            return _v1.get_variable(
                name=name, initializer=initial_value, trainable=False, use_resource=use_resource
            )


def create_slot_variable(primary, initializer, shape, dtype, op_name: str) -> tf.Variable:
    """A slot variable named exactly as TF1's ``slot_creator`` names it.

    TF1 opens ``variable_scope(None, default_name=<primary name>/<op_name>)``; the global
    variable-scope counter uniquifies it (a variable's second slot is ``x/Adam_1``, a second
    Adam on ``x`` gives ``x/Adam_2``), in eager mode too. Using the same counter keeps our names
    equal to TF1's even when both libraries create slots in one program, which is what makes
    name-based ``Saver`` checkpoints interchangeable.

    Args:
      primary: the (unwrapped) variable the slot belongs to.
      initializer: a ``tf.keras``-free initializer callable ``(shape, dtype) -> Tensor`` or a
        ``Tensor`` initial value (then ``shape``/``dtype`` must be None).
      shape: the slot's ``tf.TensorShape`` when ``initializer`` is callable.
      dtype: the slot's dtype when ``initializer`` is callable.
      op_name: the suffix after the primary's name (usually the optimizer's name).
    """
    prefix = primary.name.split(":")[0]
    use_resource = not is_ref_variable(primary)
    if callable(initializer):
        validate_shape = tf.TensorShape(shape).is_fully_defined()
    else:
        validate_shape = initializer.shape.is_fully_defined()
        shape = dtype = None
    with _v1.variable_scope(None, default_name=prefix + "/" + op_name):
        scope = _v1.get_variable_scope()
        partitioner = scope.partitioner
        scope.set_partitioner(None)
        try:
            with tf.distribute.get_strategy().extended.colocate_vars_with(primary):
                return _v1.get_variable(
                    "",
                    initializer=initializer,
                    trainable=False,
                    use_resource=use_resource,
                    shape=shape,
                    dtype=dtype,
                    validate_shape=validate_shape,
                )
        finally:
            scope.set_partitioner(partitioner)


# --- global-step interop ---


def create_global_step_variable(graph: tf.Graph) -> tf.Variable:
    """TF1's global-step variable, created exactly as ``training_util.create_global_step`` does.

    ``get_variable('global_step', shape=[], dtype=int64, initializer=zeros, trainable=False,
    aggregation=ONLY_FIRST_REPLICA, collections=[GLOBAL_VARIABLES, GLOBAL_STEP])``. In eager
    mode it is placed on ``cpu:0`` (and, as in TF1, eager variables only join ``GLOBAL_STEP``);
    in a graph it is built in ``graph`` under the root name scope (the variable scope still
    applies, as in TF1). Sharing TF1's collections and variable store is what lets
    ``tf.compat.v1.train.get_global_step()`` find a step made here, and the other way round.
    """

    def make() -> tf.Variable:
        return _v1.get_variable(
            GraphKeys.GLOBAL_STEP,
            shape=[],
            dtype=tf.int64,
            initializer=_v1.zeros_initializer(),
            trainable=False,
            aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA,
            collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP],
        )

    if tf.executing_eagerly():
        with tf.device("cpu:0"):
            return make()
    with graph.as_default() as g, g.name_scope(None):
        return make()


def colocate_with(op_or_variable):
    """TF1's ``ops.colocate_with``: place what follows with ``op_or_variable``.

    When executing eagerly TF1's colocation amounts to ``tf.device(<its device>)``; we say so
    directly, which also skips TF's deprecated wrapper (and its warning) on the hot path.
    """
    if tf.executing_eagerly():
        return tf.device(op_or_variable.device)
    return _v1.colocate_with(op_or_variable)


def initialized_value_or_initial_value(variable) -> tf.Tensor:
    """TF1's shape source for slots of variables whose static shape is unknown."""
    return tf.cond(
        _v1.is_variable_initialized(variable), variable.read_value, lambda: variable.initial_value
    )


# --- checkpoint interop ---


def variables_by_name(graph: tf.Graph) -> dict[str, list]:
    """What TF1's ``init_from_checkpoint`` can find by name in ``graph``: its variable store.

    The store holds the variables made by ``get_variable`` (model variables, slots, partitions
    as ``x/part_0``), not those made with ``tf.Variable`` (e.g. Adam's ``beta1_power``), so
    ``{'/': '/'}`` covers exactly what it covers in TF1. TF has no public accessor for the
    store (``internals.graph_variable_store``); if it is unreachable, the global and local
    variable collections stand in for it.
    """
    store = internals.graph_variable_store(graph)
    if store is not None:
        return {name: [variable] for name, variable in store.items()}
    by_name: dict[str, list] = {}
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES):
        for variable in graph.get_collection(key):
            entries = by_name.setdefault(variable.op.name, [])
            if not any(entry is variable for entry in entries):
                entries.append(variable)
    return by_name


def save_slice_info(variable) -> tuple[str, str, list] | None:
    """``(full_name, slice spec, full_shape)`` of a partition of a partitioned variable."""
    info = internals.save_slice_info(variable)
    if info is None:
        return None
    return info.full_name, info.spec, list(info.full_shape)


def set_checkpoint_initializer(variable, value: tf.Tensor) -> None:
    """Make ``variable``'s initializer assign ``value`` (a tensor read from a checkpoint).

    What TF1's ``init_from_checkpoint`` does in graphs: ``global_variables_initializer()`` (or
    ``variable.initializer``) then loads the checkpoint, and ``initial_value`` is that tensor.
    TF has no public setter for a variable's initializer (see ``internals.set_initializer``).
    """
    value.set_shape(variable.shape)
    if is_ref_variable(variable):
        initializer = _v1.assign(variable, value).op
    else:
        initializer = variable.assign(value, read_value=False)
    internals.set_initializer(variable, initializer, value)


def global_variables_initializer() -> tf.Operation:
    """TF1's ``global_variables_initializer()`` for the default graph."""
    return _v1.global_variables_initializer()


def session(graph: tf.Graph | None = None):
    """A TF1 ``Session`` on ``graph`` (legacy graphs only; use it as a context manager)."""
    return _v1.Session(graph=graph)


def run_in_throwaway_session(build) -> None:
    """Build ops with ``build()`` in a fresh private graph and run them one by one in a
    throwaway Session: a check that must execute while a legacy graph is being built."""
    with tf.Graph().as_default() as graph:
        fetches = build()
    with _v1.Session(graph=graph) as session:
        for fetch in fetches:
            session.run(fetch)


# --- loss-scale / sync-replicas interop ---


def is_v1_loss_scale(value) -> bool:
    """True for TF1's own ``tf.compat.v1.mixed_precision.LossScale`` objects.

    Legacy code builds them directly (``tf.compat.v1.mixed_precision.DynamicLossScale(...)``)
    and passes them to the loss-scale optimizer; they already have TF1's ``__call__`` and
    ``update(grads)``, so tfv1compat's optimizer accepts and drives them unchanged.
    """
    return isinstance(value, _v1.mixed_precision.LossScale)


def is_v1_dynamic_loss_scale(value) -> bool:
    """True for TF1's ``tf.compat.v1.mixed_precision.DynamicLossScale``."""
    return isinstance(value, _v1.mixed_precision.DynamicLossScale)
