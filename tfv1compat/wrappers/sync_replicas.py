"""TF1's ``SyncReplicasOptimizer`` on TF2 semantics: ``tf.distribute`` does the synchronizing.

TF1 synchronized parameter-server workers through per-variable ``ConditionalAccumulator``s and
a token queue that a chief ``QueueRunner`` refilled; in eager mode its ``apply_gradients``
blocks forever. TF2 replicas are synchronized by ``tf.distribute`` instead, so this class keeps
TF1's signature, errors and accessors and, under a strategy, applies the wrapped optimizer to the
mean of the replicas' gradients (the global step moves once per step); without a strategy it is
the wrapped optimizer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from tfv1compat.optimizers import validation
from tfv1compat.optimizers.base import GradsAndVars
from tfv1compat.wrappers import base


def _no_op_or_none(name: str | None = None):
    """A ``NoOp`` a legacy Session can run, or ``None`` when executing eagerly (nothing to run)."""
    if tf.executing_eagerly():
        return None
    return tf.no_op(name=name)


def _mean_part(grad, num_replicas: int):
    """This replica's share of the mean: ``grad / num_replicas`` (values only, if sparse)."""
    grad = validation.convert_gradient(grad)
    if isinstance(grad, tf.IndexedSlices):
        return tf.IndexedSlices(grad.values / num_replicas, grad.indices, grad.dense_shape)
    return grad / num_replicas


class SyncReplicasOptimizer(base.OptimizerWrapper):
    """Synchronous replicated training with TF1's ``SyncReplicasOptimizer`` API.

    Update rule, inside a ``tf.distribute`` strategy (``apply_gradients`` in replica context,
    e.g. in ``strategy.run``), with N = ``num_replicas_in_sync`` and g_i replica i's gradient::

        opt.apply_gradients(sum_i(g_i / N), global_step)   # once per step, on every copy

    Each replica divides its gradient by N and ``opt`` sums the parts across replicas (its own
    TF1 replica-context behaviour), so the result is the mean: for N a power of two it is
    exactly ``sum_i(g_i) / N``; otherwise it can differ from that by the last bit.
    ``global_step`` is incremented once per step. Without a strategy (eager, ``tf.function``,
    legacy ``Graph``/``Session``) it is exactly ``opt.apply_gradients(grads_and_vars,
    global_step, name)``. ``compute_gradients``, ``get_slot``, ``get_slot_names`` and
    ``variables`` are ``opt``'s.

    Args:
      opt: The optimizer that computes and applies the gradients (a ``tfv1compat.train``
        optimizer, or any object with TF1's optimizer methods).
      replicas_to_aggregate: Replicas to aggregate per update. Kept for compatibility: every
        replica in sync contributes to the mean (a warning is logged if they differ).
      total_num_replicas: Defaults to ``replicas_to_aggregate``; only checked by
        ``get_init_tokens_op``.
      variable_averages: Optional ``ExponentialMovingAverage``, applied to
        ``variables_to_average`` after every update (TF1 did it in the chief's queue runner).
      variables_to_average: The variables ``variable_averages`` maintains.
      use_locking: Accepted for compatibility (``opt``'s own setting is what its kernels use).
      name: The optimizer's name.

    Raises:
      ValueError: ``apply_gradients`` with no ``(gradient, variable)`` pairs or without
        ``global_step``; ``get_chief_queue_runner``/``get_init_tokens_op`` before
        ``apply_gradients``; too few tokens for ``get_init_tokens_op``.

    Example::

        strategy = tf.distribute.MirroredStrategy()
        with strategy.scope():
            model_vars = ...; step = tfv1compat.train.get_or_create_global_step()
            opt = tfv1compat.train.SyncReplicasOptimizer(
                tfv1compat.train.GradientDescentOptimizer(0.1), replicas_to_aggregate=2)

        @tf.function
        def train_step(batch):
            def replica_step(batch):
                opt.minimize(lambda: loss_fn(batch), global_step=step, var_list=model_vars)
            strategy.run(replica_step, args=(batch,))

    Differences from TF1: no parameter-server accumulators, no token queue and no local step
    (``sync_rep_local_step``), hence no staleness check, no backup workers and no "replicas
    compute several batches per update": every replica in sync contributes one gradient to
    every step. It never blocks (TF1 hangs in eager mode). ``get_chief_queue_runner()`` returns
    a queue runner that starts no threads; ``get_init_tokens_op()``, ``chief_init_op`` and
    ``local_step_init_op`` are ``NoOp``s in graphs and ``None`` when eager;
    ``ready_for_local_init_op`` is ``None``; the ``make_session_run_hook`` hook does nothing.
    ``tf.train.Checkpoint`` writes exactly ``opt``'s keys (TF1 wrote only ``opt``'s slots,
    dropping e.g. Adam's beta powers). No deprecation warning.
    """

    # Its slots, variables and checkpoint are the wrapped optimizer's (see wrappers.base).
    _exposes_wrapped_state = True

    def __init__(
        self,
        opt: Any,
        replicas_to_aggregate: int,
        total_num_replicas: int | None = None,
        variable_averages: Any = None,
        variables_to_average: Sequence[Any] | None = None,
        use_locking: bool = False,
        name: str = "sync_replicas",
    ) -> None:
        if total_num_replicas is None:
            total_num_replicas = replicas_to_aggregate
        super().__init__(opt, use_locking, name)
        self._opt = opt  # TF1's attribute name for the wrapped optimizer
        self._replicas_to_aggregate = replicas_to_aggregate
        self._gradients_applied = False
        self._variable_averages = variable_averages
        self._variables_to_average = variables_to_average
        self._total_num_replicas = total_num_replicas
        self._tokens_per_step = max(total_num_replicas, replicas_to_aggregate)
        self._global_step = None
        self._chief_queue_runner = None
        self._warned_replica_count = False

    def apply_gradients(
        self,
        grads_and_vars: GradsAndVars,
        global_step: tf.Variable | None = None,
        name: str | None = None,
    ) -> tf.Operation | None:
        """Apply the gradients (their mean over the replicas, under a strategy).

        Args:
          grads_and_vars: ``(gradient, variable)`` pairs, as from ``compute_gradients``.
          global_step: The global step variable (required, as in TF1).
          name: Optional name for the returned operation (passed to ``opt``).

        Returns:
          What ``opt.apply_gradients`` returns: ``None`` when eager, else an ``Operation``.

        Raises:
          ValueError: ``grads_and_vars`` is empty or ``global_step`` is None.
        """
        if not grads_and_vars:
            raise ValueError("Must supply at least one variable")
        if global_step is None:
            raise ValueError("Global step is required to check staleness")
        self._global_step = global_step
        grads_and_vars = list(grads_and_vars)
        replica_context = tf.distribute.get_replica_context()
        if tf.distribute.has_strategy() and replica_context is not None:
            num_replicas = replica_context.num_replicas_in_sync
            self._warn_if_replica_count_differs(num_replicas)
            if num_replicas > 1:
                grads_and_vars = [
                    (None if g is None else _mean_part(g, num_replicas), v)
                    for g, v in grads_and_vars
                ]
        train_op = self._opt.apply_gradients(grads_and_vars, global_step=global_step, name=name)
        if self._variable_averages is not None:
            train_op = self._apply_variable_averages(train_op)
        self._gradients_applied = True
        self._chief_queue_runner = _NoThreadsQueueRunner()
        self.chief_init_op = _no_op_or_none("chief_init_op")
        self.local_step_init_op = _no_op_or_none("local_step_init_op")
        self.ready_for_local_init_op = None
        return train_op

    def _apply_variable_averages(self, train_op):
        """``variable_averages.apply(variables_to_average)`` after the update (TF1's order)."""
        dependencies = [] if train_op is None else [train_op]
        with tf.control_dependencies(dependencies):
            replica_context = tf.distribute.get_replica_context()
            if tf.distribute.has_strategy() and replica_context is not None:
                # Moving averages of mirrored variables are updated in cross-replica context.
                return replica_context.merge_call(
                    lambda _: self._variable_averages.apply(self._variables_to_average)
                )
            return self._variable_averages.apply(self._variables_to_average)

    def _warn_if_replica_count_differs(self, num_replicas: int) -> None:
        if num_replicas != self._replicas_to_aggregate and not self._warned_replica_count:
            self._warned_replica_count = True
            tf.get_logger().warning(
                "SyncReplicasOptimizer: replicas_to_aggregate=%s but the strategy has %s "
                "replicas in sync; tfv1compat applies the mean over all %s replicas.",
                self._replicas_to_aggregate,
                num_replicas,
                num_replicas,
            )

    def get_chief_queue_runner(self):
        """A queue runner that starts no threads (TF2 needs no chief synchronization loop).

        Raises:
          ValueError: Called before ``apply_gradients``.
        """
        if self._gradients_applied is False:
            raise ValueError("Should be called after apply_gradients().")
        return self._chief_queue_runner

    # TF1's signatures for the two forwarded slot accessors (wrappers.base forwards them).
    def get_slot(self, *args, **kwargs):
        """The wrapped optimizer's ``get_slot``."""
        return super().get_slot(*args, **kwargs)

    def get_slot_names(self, *args, **kwargs):
        """The wrapped optimizer's ``get_slot_names``."""
        return super().get_slot_names(*args, **kwargs)

    def get_init_tokens_op(self, num_tokens=-1):
        """A ``NoOp`` (``None`` when eager): TF2 has no token queue to fill.

        Raises:
          ValueError: Called before ``apply_gradients``, or ``num_tokens`` below
            ``replicas_to_aggregate - total_num_replicas``.
        """
        if self._gradients_applied is False:
            raise ValueError("get_init_tokens_op() should be called after apply_gradients().")
        tokens_needed = self._replicas_to_aggregate - self._total_num_replicas
        if num_tokens != -1 and num_tokens < tokens_needed:
            raise ValueError(
                "Too few tokens to finish the first step: %d (given) vs %d (needed)"
                % (num_tokens, tokens_needed)
            )
        return _no_op_or_none("no_init_tokens")

    def make_session_run_hook(self, is_chief, num_tokens=-1):
        """A ``SessionRunHook`` for ``MonitoredTrainingSession`` that does nothing."""
        return _SyncReplicasOptimizerHook(self, is_chief, num_tokens)


class _NoThreadsQueueRunner:
    """Stands in for TF1's chief ``QueueRunner``: legacy code may start it; it starts nothing."""

    name = "sync_replicas_no_queue_runner"
    queue = None
    enqueue_ops = ()

    def create_threads(self, sess, coord=None, daemon=False, start=False):
        del sess, coord, daemon, start
        return []


class _SyncReplicasOptimizerHook:
    """TF1's ``SessionRunHook`` protocol with nothing to do (no queues, no tokens, no init).

    ``MonitoredTrainingSession`` calls hooks by these method names only, so this plain class
    is accepted wherever TF1's hook was.
    """

    def __init__(self, sync_optimizer, is_chief, num_tokens):
        self._sync_optimizer = sync_optimizer
        self._is_chief = is_chief
        self._num_tokens = num_tokens

    def begin(self):
        pass

    def after_create_session(self, session, coord):
        pass

    def before_run(self, run_context):
        return None

    def after_run(self, run_context, run_values):
        pass

    def end(self, session):
        pass
