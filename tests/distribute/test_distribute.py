"""tfv1compat optimizers under ``tf.distribute`` behave as TF1's do (reference section 1.5).

Logical CPU devices can only be configured before TensorFlow initializes its runtime, so every
test here runs a program from ``tests/distribute_scripts/`` in a fresh subprocess (with a
timeout, killed on failure) and reads its report:

* ``mirrored_parity.py parity``: ``MirroredStrategy`` over 2 logical CPUs, every optimizer,
  eagerly and in ``tf.function``, ``minimize`` / ``compute_gradients`` + ``apply_gradients`` /
  ``apply_gradients``, dense and sparse gradients that differ per replica: every replica's
  copy of variables, slots (mirrored; via the container and via each component), non-slot
  variables and global step equal ``tf.compat.v1.train`` doing the same, bit for bit.
* ``mirrored_parity.py semantics``: gradients are summed (equal to a single-device step on
  ``g0 + g1``), the cross-replica ``RuntimeError``, ``skip_gradients_aggregation=True``, and
  TF1's exception types for bad gradients in a replica context.
* ``multi_worker.py``: two ``MultiWorkerMirroredStrategy`` worker processes on 127.0.0.1
  (ports free at test time) end with identical state, equal to ``tf.compat.v1.train`` under
  ``MirroredStrategy`` with the same two replicas in one process.

Deliberate differences from TF1, not compared here: inside ``tf.function`` under a strategy,
TF1's ``variables()`` omits the slots (its private ``_graph_key`` check compares them with the
function's graph) and tfv1compat lists them; ``get_slot(per-replica component)`` returns the
slot's copy on the component's replica, where TF1 returns the copy on the current device (the
primary, outside a replica context).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys

import numpy as np
import oracle
import pytest
import tensorflow as tf
from optimizer_specs import SPECS
from parity_helpers import initial_values

SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "distribute_scripts")
TIMEOUT_S = 120
# The parity program traces ~50 tf.functions per half of the table: allow for a loaded machine.
PARITY_TIMEOUT_S = 300
STEPS = 3  # as in the scripts
NAMES = [spec.name for spec in SPECS]
# Two halves, so that `pytest -n 2` runs them side by side.
OPTIMIZER_GROUPS = {"first_half": NAMES[: len(NAMES) // 2], "second_half": NAMES[len(NAMES) // 2 :]}


def script_env(**extra: str) -> dict[str, str]:
    """The test's environment, quiet, with no cluster configuration unless given."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env["CUDA_VISIBLE_DEVICES"] = ""
    env.update(extra)
    return env


def run_script(args: list[str], timeout: int = TIMEOUT_S) -> subprocess.CompletedProcess:
    """Run a script to completion (``subprocess.run`` kills it on timeout)."""
    oracle.require()  # every script compares against tf.compat.v1.train
    return subprocess.run(
        [sys.executable, os.path.join(SCRIPTS, args[0]), *args[1:]],
        env=script_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def report(result: subprocess.CompletedProcess) -> str:
    return (
        f"exit {result.returncode}\n--- stdout\n{result.stdout}\n"
        f"--- stderr\n{result.stderr[-4000:]}"
    )


@pytest.mark.parametrize("group", sorted(OPTIMIZER_GROUPS))
def test_mirrored_strategy_matches_tf1_for_every_optimizer(group: str) -> None:
    """Under MirroredStrategy (2 logical CPUs) every optimizer equals tf.compat.v1.train in
    every replica's variables, slots, non-slot variables and global step, step by step, for
    eager and tf.function, minimize / compute+apply / apply, dense and sparse gradients that
    differ per replica; slots are mirrored, a component finds its replica's slot, variables
    without a gradient get no slot, and the global step increments once per step."""
    result = run_script(
        ["mirrored_parity.py", "parity", "--optimizers", ",".join(OPTIMIZER_GROUPS[group])],
        timeout=PARITY_TIMEOUT_S,
    )
    assert result.returncode == 0, report(result)
    cases = [line for line in result.stdout.splitlines() if line.startswith("ok ")]
    # default: 2 modes x 3 call forms; second config: tf.function x 2 call forms.
    assert len(cases) == 8 * len(OPTIMIZER_GROUPS[group]), report(result)
    assert result.stdout.rstrip().endswith("all equal"), report(result)


def test_mirrored_strategy_sums_gradients_and_raises_like_tf1() -> None:
    """Replica gradients g and 2g move a variable exactly as one single-device step on g + 2g
    (summed, not averaged; both libraries, eager and tf.function); apply_gradients in
    cross-replica context raises TF1's RuntimeError before touching anything (both); and
    skip_gradients_aggregation=True after a manual all_reduce equals TF1; bad gradients in a
    replica context (a list, a number, a SparseTensor, none at all, a wrong shape) raise TF1's
    exception type and create no slot."""
    result = run_script(["mirrored_parity.py", "semantics"])
    assert result.returncode == 0, report(result)
    cases = [line for line in result.stdout.splitlines() if line.startswith("ok ")]
    # sum: 2 libraries x 2 modes; cross-replica: 2; skip aggregation: 2 modes;
    # bad gradients: 7 kinds x 2 modes.
    assert len(cases) == 4 + 2 + 2 + 14, report(result)


def free_ports(count: int) -> list[int]:
    """Ports that are free now on 127.0.0.1 (bound to port 0, read, closed)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def test_multi_worker_mirrored_strategy_matches_single_process(tmp_path) -> None:
    """Two MultiWorkerMirroredStrategy workers (loopback only) training every optimizer end
    with identical variables, slots, non-slot variables and global steps, equal bit for bit to
    tf.compat.v1.train with the same two replicas (MirroredStrategy, 2 logical CPUs) in one
    process: the workers' gradients are summed across processes as TF1 sums them."""
    oracle.require()
    ports = free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{port}" for port in ports]}
    runs = {
        f"worker-{index}": (
            ["worker"],
            {
                "TF_CONFIG": json.dumps(
                    {"cluster": cluster, "task": {"type": "worker", "index": index}}
                )
            },
        )
        for index in range(2)
    }
    runs["reference"] = (["reference"], {})
    processes: dict[str, subprocess.Popen] = {}
    with contextlib.ExitStack() as stack:
        logs = {name: stack.enter_context(open(tmp_path / f"{name}.log", "w+")) for name in runs}
        try:
            for name, (args, env) in runs.items():
                processes[name] = subprocess.Popen(
                    [sys.executable, os.path.join(SCRIPTS, "multi_worker.py"), *args]
                    + ["--out", str(tmp_path / f"{name}.npz")],
                    env=script_env(**env),
                    stdout=logs[name],
                    stderr=subprocess.STDOUT,
                )
            codes = {name: process.wait(timeout=TIMEOUT_S) for name, process in processes.items()}
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.kill()
                    process.wait()
        outputs = []
        for name, log in logs.items():
            log.seek(0)
            outputs.append(f"--- {name}\n" + log.read()[-3000:])
    assert all(code == 0 for code in codes.values()), f"{codes}\n" + "\n".join(outputs)

    workers = [dict(np.load(tmp_path / f"worker-{index}.npz")) for index in range(2)]
    reference = dict(np.load(tmp_path / "reference.npz"))
    assert sorted(workers[0]) == sorted(workers[1]) == sorted(reference)
    for key, expected in reference.items():
        for index, worker in enumerate(workers):
            np.testing.assert_array_equal(worker[key], expected, err_msg=f"worker {index}: {key}")
            assert worker[key].dtype == expected.dtype, key
    # Not vacuous: every optimizer trained every mode, moved its variables and counted steps.
    trained = {key.split("/")[0] for key in reference}
    assert {run.split()[0] for run in trained} == set(NAMES)
    initial = initial_values("mixed", tf.float32)
    for run in trained:
        assert reference[f"{run}/global_step"] == STEPS, run
        assert any(
            not np.array_equal(reference[f"{run}/variable {name}"], value)
            for name, value in initial.items()
        ), run
