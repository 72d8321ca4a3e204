"""``SyncReplicasOptimizer``: TF1's API on TF2 semantics.

Without a strategy it must be exactly the wrapped optimizer (eager, ``tf.function``, legacy
Graph + Session) and never block (TF1's blocks forever in eager mode, so every such test runs
under a watchdog); under ``MirroredStrategy`` (a subprocess, ``sync_scripts/mirrored.py``) the
wrapped optimizer applies the mean of the replicas' gradients and the global step moves once.
TF1's errors are compared with ``tf.compat.v1.train.SyncReplicasOptimizer``'s, raised live.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import oracle
import pytest
import signatures
import tensorflow as tf
from optimizer_specs import SPECS, spec_config_id
from parity_helpers import LAYOUTS, canonical_name, gradients_for, initial_values, step_arrays

from tfv1compat import train as ours
from tfv1compat.wrappers.sync_replicas import SyncReplicasOptimizer

ORACLE = tf.compat.v1.train
LAYOUT = "mixed"  # dense and IndexedSlices (duplicate index) gradients in one apply
STEPS = 3
WATCHDOG_S = 120
SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sync_scripts", "mirrored.py")


def within_timeout(fn: Callable[[], Any], seconds: float = WATCHDOG_S) -> Any:
    """``fn()`` in a daemon thread: a call that blocks (as TF1's eager apply does) fails the
    test after ``seconds`` instead of hanging the suite."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"blocked for more than {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


class Pair:
    """A SyncReplicasOptimizer side and a plain side over the same inner optimizer class, each
    with its own variables and global step (built in the current default graph or eagerly)."""

    def __init__(self, spec) -> None:
        self.sides = {}
        for label in ("sync", "plain"):
            variables = {
                name: tf.Variable(value, name=name)
                for name, value in initial_values(LAYOUT, tf.float32).items()
            }
            step = tf.Variable(0, dtype=tf.int64, name="global_step", trainable=False)
            inner = spec.build(ours, "default", global_step=step)
            optimizer = SyncReplicasOptimizer(inner, 2) if label == "sync" else inner
            self.sides[label] = (optimizer, inner, variables, step)

    def apply(self, label: str, grads) -> Any:
        optimizer, _, variables, step = self.sides[label]
        return optimizer.apply_gradients(zip(grads, variables.values()), global_step=step)

    def fetches(self, label: str) -> dict[str, Any]:
        """Variables, slots (asked of the optimizer as users would), non-slot variables, step."""
        optimizer, inner, variables, step = self.sides[label]
        state = {f"variable {n}": v for n, v in variables.items()}
        for slot_name in optimizer.get_slot_names():
            for name, variable in variables.items():
                state[f"slot {slot_name} of {name}"] = optimizer.get_slot(variable, slot_name)
        for variable in inner._non_slot_variables():
            state[f"non-slot {canonical_name(variable.name)}"] = variable
        state["global_step"] = step
        return state


def assert_same(sync: dict[str, Any], plain: dict[str, Any], where: str) -> None:
    assert sync.keys() == plain.keys(), where
    for key, value in sync.items():
        np.testing.assert_array_equal(value, plain[key], err_msg=f"{where}: {key}")


def run_without_strategy(spec, mode: str) -> None:
    """Three steps of sync and plain side by side, compared after each step."""
    arrays = step_arrays(LAYOUT, tf.float32)
    if mode == "graph":
        with tf.Graph().as_default():
            pair = Pair(spec)
            feeds = {
                v.name: tf.compat.v1.placeholder(tf.float32, v.gradient_shape)
                for v in LAYOUTS[LAYOUT]
            }
            grads = gradients_for(LAYOUT, feeds)
            ops = {label: pair.apply(label, grads) for label in pair.sides}
            for op in ops.values():
                assert isinstance(op, tf.Operation), op
            fetches = {label: pair.fetches(label) for label in pair.sides}
            with tf.compat.v1.Session() as session:
                session.run(tf.compat.v1.global_variables_initializer())
                for step, step_arrays_ in enumerate(arrays, 1):
                    feed = {feeds[name]: array for name, array in step_arrays_.items()}
                    session.run(list(ops.values()), feed)
                    values = session.run(fetches)
                    assert_same(values["sync"], values["plain"], f"graph step {step}")
                    assert values["sync"]["global_step"] == step
        return
    pair = Pair(spec)
    returned = {}

    def train_function(label: str) -> Callable:
        def train(grads) -> None:
            returned[label] = type(pair.apply(label, grads))

        # One function per side: each creates its own slots on its first call.
        return tf.function(train) if mode == "function" else train

    trains = {label: train_function(label) for label in pair.sides}
    for step, step_arrays_ in enumerate(arrays, 1):
        for label in pair.sides:
            trains[label](gradients_for(LAYOUT, step_arrays_))
        expected_type = type(None) if mode == "eager" else tf.Operation
        assert returned == {"sync": expected_type, "plain": expected_type}
        values = {
            label: {k: v.numpy() for k, v in pair.fetches(label).items()} for label in pair.sides
        }
        assert_same(values["sync"], values["plain"], f"{mode} step {step}")
        assert values["sync"]["global_step"] == step


@pytest.mark.parametrize("mode", ["eager", "function", "graph"])
@pytest.mark.parametrize("spec", SPECS, ids=spec_config_id)
def test_without_a_strategy_it_is_the_wrapped_optimizer(spec, mode: str) -> None:
    """Without a strategy, ``SyncReplicasOptimizer(opt, 2).apply_gradients(gv, global_step=gs)``
    equals ``opt.apply_gradients(gv, global_step=gs)`` bit for bit (variables, every slot,
    non-slot variables, global step incremented once per step), returns what it returns
    (None eagerly, an Operation in graphs), and never blocks (TF1's hangs in eager mode)."""
    within_timeout(lambda: run_without_strategy(spec, mode))


def test_minimize_and_compute_gradients_delegate_to_the_wrapped_optimizer() -> None:
    """``compute_gradients``, ``get_slot``, ``get_slot_names`` and ``variables`` are the wrapped
    optimizer's (the very objects), ``minimize`` with a callable loss equals the plain one, and
    the wrapper is a tfv1compat ``Optimizer`` named ``sync_replicas`` like TF1's."""

    def run() -> None:
        x = tf.Variable([1.0, -2.0], name="x")
        x_plain = tf.Variable([1.0, -2.0], name="x")
        step, step_plain = (tf.Variable(0, dtype=tf.int64) for _ in range(2))
        inner, plain = ours.AdamOptimizer(0.1), ours.AdamOptimizer(0.1)
        sync = SyncReplicasOptimizer(inner, replicas_to_aggregate=2, total_num_replicas=3)
        assert isinstance(sync, ours.Optimizer)
        assert sync.get_name() == ORACLE.SyncReplicasOptimizer(plain, 2).get_name()
        grads_and_vars = sync.compute_gradients(lambda: tf.reduce_sum(x * x * x), var_list=[x])
        expected = plain.compute_gradients(
            lambda: tf.reduce_sum(x_plain * x_plain * x_plain), var_list=[x_plain]
        )
        assert grads_and_vars[0][1] is x
        np.testing.assert_array_equal(grads_and_vars[0][0], expected[0][0])
        for k in range(STEPS):
            sync.minimize(
                lambda k=k: tf.reduce_sum((k + 1.0) * x * x), global_step=step, var_list=[x]
            )
            plain.minimize(
                lambda k=k: tf.reduce_sum((k + 1.0) * x_plain * x_plain),
                global_step=step_plain,
                var_list=[x_plain],
            )
            np.testing.assert_array_equal(x, x_plain)
            for name in ("m", "v"):
                np.testing.assert_array_equal(sync.get_slot(x, name), plain.get_slot(x_plain, name))
            assert int(step) == int(step_plain) == k + 1
        assert sync.get_slot(x, "m") is inner.get_slot(x, "m")
        assert sync.get_slot_names() == inner.get_slot_names() == ["m", "v"]
        assert sync.variables() == inner.variables()
        assert [canonical_name(v.name) for v in sync.variables()] == [
            "beta1_power",
            "beta2_power",
            "x/Adam",
            "x/Adam",
        ]

    within_timeout(run)


# --------------------------------------------------------------------------- TF1's API


@pytest.mark.parametrize(
    "method",
    [
        "__init__",
        "compute_gradients",
        "apply_gradients",
        "get_chief_queue_runner",
        "get_slot",
        "get_slot_names",
        "variables",
        "get_init_tokens_op",
        "make_session_run_hook",
    ],
)
def test_signatures_match_tf1(method: str) -> None:
    """Every public method has TF1's exact signature (names, order, defaults)."""
    ours_sig = signatures.without_annotations(getattr(SyncReplicasOptimizer, method))
    tf1_sig = signatures.without_annotations(getattr(ORACLE.SyncReplicasOptimizer, method))
    assert ours_sig == tf1_sig


def tf1_error(fn: Callable[[], Any]) -> Exception:
    """The exception TF1 raises (its checks run before anything could block)."""
    with pytest.raises(Exception) as info:
        fn()
    return info.value


@pytest.mark.parametrize("empty", [[], ()], ids=["list", "tuple"])
def test_empty_grads_and_vars_raise_tf1s_value_error(empty) -> None:
    """An empty ``grads_and_vars`` is TF1's ``ValueError("Must supply at least one variable")``,
    before the global-step check."""
    expected = tf1_error(
        lambda: ORACLE.SyncReplicasOptimizer(
            ORACLE.GradientDescentOptimizer(0.1), 2
        ).apply_gradients(empty, global_step=None)
    )
    sync = SyncReplicasOptimizer(ours.GradientDescentOptimizer(0.1), 2)
    with pytest.raises(ValueError) as info:
        within_timeout(lambda: sync.apply_gradients(empty, global_step=None))
    assert type(expected) is ValueError and str(info.value) == str(expected)
    assert str(expected) == "Must supply at least one variable"


def test_missing_global_step_raises_tf1s_value_error() -> None:
    """No ``global_step`` is TF1's ``ValueError("Global step is required to check staleness")``,
    also through ``minimize``; nothing is updated."""
    x_tf1 = tf.Variable([1.0])
    expected = tf1_error(
        lambda: ORACLE.SyncReplicasOptimizer(
            ORACLE.GradientDescentOptimizer(0.1), 2
        ).apply_gradients([(tf.constant([1.0]), x_tf1)])
    )
    x = tf.Variable([1.0])
    sync = SyncReplicasOptimizer(ours.GradientDescentOptimizer(0.1), 2)
    for call in (
        lambda: sync.apply_gradients([(tf.constant([1.0]), x)]),
        lambda: sync.minimize(lambda: tf.reduce_sum(x * x), var_list=[x]),
    ):
        with pytest.raises(ValueError) as info:
            within_timeout(call)
        assert type(expected) is ValueError and str(info.value) == str(expected)
    assert str(expected) == "Global step is required to check staleness"
    np.testing.assert_array_equal(x, [1.0])


def test_queue_runner_and_tokens_before_apply_raise_tf1s_errors() -> None:
    """``get_chief_queue_runner()``/``get_init_tokens_op()`` before ``apply_gradients`` raise
    TF1's ValueErrors, word for word."""
    tf1 = ORACLE.SyncReplicasOptimizer(ORACLE.GradientDescentOptimizer(0.1), 2)
    sync = SyncReplicasOptimizer(ours.GradientDescentOptimizer(0.1), 2)
    for method in ("get_chief_queue_runner", "get_init_tokens_op"):
        expected = tf1_error(getattr(tf1, method))
        with pytest.raises(ValueError) as info:
            getattr(sync, method)()
        assert type(expected) is ValueError and str(info.value) == str(expected)


def test_too_few_tokens_raise_tf1s_value_error() -> None:
    """``get_init_tokens_op(num_tokens)`` below ``replicas_to_aggregate - total_num_replicas``
    is TF1's ValueError (TF1 checked in a graph, where its apply cannot block)."""
    with tf.Graph().as_default():
        x = tf.compat.v1.get_variable("x", initializer=[1.0])
        step = ORACLE.get_or_create_global_step()
        tf1 = ORACLE.SyncReplicasOptimizer(ORACLE.GradientDescentOptimizer(0.1), 3, 2)
        tf1.apply_gradients([(tf.constant([1.0]), x)], global_step=step)
        expected = tf1_error(lambda: tf1.get_init_tokens_op(0))
    x = tf.Variable([1.0])
    step = tf.Variable(0, dtype=tf.int64)
    sync = SyncReplicasOptimizer(ours.GradientDescentOptimizer(0.1), 3, 2)
    within_timeout(lambda: sync.apply_gradients([(tf.constant([1.0]), x)], global_step=step))
    with pytest.raises(ValueError) as info:
        sync.get_init_tokens_op(0)
    assert type(expected) is ValueError and str(info.value) == str(expected)
    assert str(expected) == "Too few tokens to finish the first step: 0 (given) vs 1 (needed)"
    assert sync.get_init_tokens_op(1) is None  # enough tokens; eagerly there is nothing to run


def test_after_apply_the_queue_runner_and_init_ops_are_inert() -> None:
    """After ``apply_gradients``: eagerly, the init/token ops are None; the chief queue runner
    starts no threads; the hook's methods accept TF1's arguments and do nothing."""
    x = tf.Variable([1.0])
    step = tf.Variable(0, dtype=tf.int64)
    sync = SyncReplicasOptimizer(ours.GradientDescentOptimizer(0.1), 2)
    within_timeout(lambda: sync.apply_gradients([(tf.constant([1.0]), x)], global_step=step))
    assert sync.get_init_tokens_op() is None
    assert sync.chief_init_op is None and sync.local_step_init_op is None
    assert sync.ready_for_local_init_op is None
    assert sync.get_chief_queue_runner().create_threads(None, coord=None, start=True) == []
    hook = sync.make_session_run_hook(is_chief=True)
    hook.begin()
    hook.after_create_session(None, None)
    assert hook.before_run(None) is None
    hook.after_run(None, None)
    hook.end(None)
    assert float(x[0]) != 1.0 and int(step) == 1  # the step itself was applied


@pytest.mark.parametrize("is_chief", [True, False])
def test_monitored_training_session_accepts_the_hook(is_chief: bool) -> None:
    """Legacy graph code: ``minimize`` + ``make_session_run_hook(is_chief)`` passed to TF1's
    ``MonitoredTrainingSession`` (with TF1's own queue runners started, including ours through
    ``add_queue_runner``); three ``run(train_op)`` steps equal the wrapped optimizer's in a
    plain Session, and the init/token ops are runnable NoOps."""

    def build(sync: bool):
        x = tf.compat.v1.get_variable("x", initializer=[1.0, -2.0])
        step = ORACLE.get_or_create_global_step()
        coefficient = tf.compat.v1.placeholder(tf.float32, [])
        optimizer = ours.MomentumOptimizer(0.1, 0.9)
        if sync:
            optimizer = SyncReplicasOptimizer(optimizer, replicas_to_aggregate=2)
        train_op = optimizer.minimize(tf.reduce_sum(coefficient * x * x), global_step=step)
        return x, step, coefficient, optimizer, train_op

    def run() -> None:
        results = []
        for sync in (True, False):
            with tf.Graph().as_default():
                x, step, coefficient, optimizer, train_op = build(sync)
                values = []
                if sync:
                    hook = optimizer.make_session_run_hook(is_chief)
                    ORACLE.add_queue_runner(optimizer.get_chief_queue_runner())
                    extra_ops = [
                        optimizer.get_init_tokens_op(),
                        optimizer.chief_init_op,
                        optimizer.local_step_init_op,
                    ]
                    assert all(op.type == "NoOp" for op in extra_ops)
                    session = ORACLE.MonitoredTrainingSession(hooks=[hook], log_step_count_steps=0)
                else:
                    extra_ops = []
                    session = ORACLE.MonitoredTrainingSession(log_step_count_steps=0)
                with session:
                    session.run(extra_ops)
                    for k in range(STEPS):
                        session.run(train_op, {coefficient: k + 1.0})
                        values.append(session.run([x, step, optimizer.get_slot(x, "momentum")]))
                results.append(values)
        for step_index, (sync_values, plain_values) in enumerate(zip(*results), 1):
            for a, b in zip(sync_values, plain_values):
                np.testing.assert_array_equal(a, b, err_msg=f"step {step_index}")
        assert results[0][-1][1] == STEPS

    within_timeout(run)


def test_variable_averages_are_applied_after_each_update_in_a_graph() -> None:
    """``variable_averages``/``variables_to_average``: the returned train op also updates the
    moving averages, after the variables (as TF1's chief did), equal to an
    ``ExponentialMovingAverage`` applied after the wrapped optimizer's own train op."""
    results = []
    for sync in (True, False):
        with tf.Graph().as_default():
            x = tf.compat.v1.get_variable("x", initializer=[1.0, -2.0])
            step = ORACLE.get_or_create_global_step()
            averages = tf.train.ExponentialMovingAverage(0.5)
            optimizer = ours.GradientDescentOptimizer(0.1)
            loss = tf.reduce_sum(x * x)
            if sync:
                optimizer = SyncReplicasOptimizer(
                    optimizer, 2, variable_averages=averages, variables_to_average=[x]
                )
                train_op = optimizer.minimize(loss, global_step=step)
            else:
                with tf.control_dependencies([optimizer.minimize(loss, global_step=step)]):
                    train_op = averages.apply([x])
            with tf.compat.v1.Session() as session:
                session.run(tf.compat.v1.global_variables_initializer())
                values = []
                for _ in range(STEPS):
                    session.run(train_op)
                    values.append(session.run([x, averages.average(x), step]))
                results.append(values)
    for sync_values, plain_values in zip(*results):
        for a, b in zip(sync_values, plain_values):
            np.testing.assert_array_equal(a, b)
    assert not np.array_equal(results[0][-1][1], results[0][-1][0])  # a real average


def test_one_device_strategy_uses_the_replica_path_and_warns_about_the_count(caplog) -> None:
    """Inside ``OneDeviceStrategy.run`` (one replica in sync) the mean is the gradient itself:
    equal to the plain optimizer; ``replicas_to_aggregate=2`` differs from the replica count,
    which is logged once."""
    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    with strategy.scope():
        x = tf.Variable([1.0, -2.0])
        step = tf.Variable(0, dtype=tf.int64)
        sync = SyncReplicasOptimizer(ours.AdamOptimizer(0.1), 2)
    x_plain = tf.Variable([1.0, -2.0])
    step_plain = tf.Variable(0, dtype=tf.int64)
    plain = ours.AdamOptimizer(0.1)

    @tf.function
    def train(g):
        strategy.run(lambda: sync.apply_gradients([(g, x)], global_step=step))

    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        for k in range(STEPS):
            g = tf.constant([0.5, -1.5]) * (k + 1)
            within_timeout(lambda g=g: train(g))
            plain.apply_gradients([(g, x_plain)], global_step=step_plain)
            np.testing.assert_array_equal(x, x_plain)
            np.testing.assert_array_equal(sync.get_slot(x, "v"), plain.get_slot(x_plain, "v"))
            assert int(step) == k + 1
    warnings = [r for r in caplog.records if "replicas_to_aggregate=2" in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in caplog.records]


# --------------------------------------------------------------------------- checkpoints


def test_checkpoint_is_the_wrapped_optimizers_and_restores_before_the_first_step(
    tmp_path,
) -> None:
    """``tf.train.Checkpoint(optimizer=SyncReplicasOptimizer(adam))`` writes exactly the keys
    a checkpoint of ``adam`` itself writes (beta powers and slots); restored into a fresh
    wrapper before its first step (slots and beta powers created later), one more step equals
    training that never stopped."""

    def train(optimizer, x, step, k):
        optimizer.apply_gradients([(tf.constant([0.5, -1.0]) * (k + 1), x)], global_step=step)

    def fresh(wrap: bool):
        x = tf.Variable([1.0, -2.0])
        step = tf.Variable(0, dtype=tf.int64)
        inner = ours.AdamOptimizer(0.1)
        return (SyncReplicasOptimizer(inner, 2) if wrap else inner), inner, x, step

    sync, _, x, step = fresh(True)
    plain, _, x_plain, step_plain = fresh(False)
    for k in range(2):
        train(sync, x, step, k)
        train(plain, x_plain, step_plain, k)
    path = tf.train.Checkpoint(optimizer=sync, x=x, step=step).save(str(tmp_path / "sync"))
    plain_path = tf.train.Checkpoint(optimizer=plain, x=x_plain, step=step_plain).save(
        str(tmp_path / "plain")
    )
    keys = [name for name, _ in tf.train.list_variables(path)]
    assert keys == [name for name, _ in tf.train.list_variables(plain_path)]
    assert "optimizer/beta1_power/.ATTRIBUTES/VARIABLE_VALUE" in keys
    assert "x/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE" in keys

    restored, restored_inner, x_restored, step_restored = fresh(True)
    status = tf.train.Checkpoint(optimizer=restored, x=x_restored, step=step_restored).restore(path)
    train(restored, x_restored, step_restored, 2)
    train(sync, x, step, 2)
    status.assert_consumed()
    np.testing.assert_array_equal(x_restored, x)
    for name in ("m", "v"):
        np.testing.assert_array_equal(restored.get_slot(x_restored, name), sync.get_slot(x, name))
    for a, b in zip(restored_inner._get_beta_accumulators(), sync._opt._get_beta_accumulators()):
        np.testing.assert_array_equal(a, b)
    assert int(step_restored) == 3


# --------------------------------------------------------------------------- MirroredStrategy


@pytest.mark.slow
def test_mirrored_strategy_applies_the_mean_of_the_replicas_gradients() -> None:
    """``sync_scripts/mirrored.py sync`` (2 logical CPUs, a subprocess because devices are
    configured before TF starts): for every optimizer in the table, dense and sparse gradients
    that differ per replica give exactly the wrapped optimizer applied once to their explicit
    mean, on every replica, with the global step moving once per step; also ``minimize`` and
    ``variable_averages`` under the strategy."""
    oracle.require()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")
    result = subprocess.run(
        [sys.executable, SCRIPT, "sync"],
        capture_output=True,
        text=True,
        timeout=400,
        env=env,
        check=False,
    )
    report = "stdout:\n%s\nstderr (tail):\n%s" % (result.stdout, result.stderr[-3000:])
    assert result.returncode == 0, report
    lines = [line for line in result.stdout.splitlines() if line.startswith("sync ")]
    for spec in SPECS:
        assert f"sync {spec.name} function apply: ok" in lines, report
    assert "sync AdamOptimizer eager minimize: ok" in lines, report
    assert "sync GradientDescentOptimizer function averages: ok" in lines, report
