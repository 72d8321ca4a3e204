"""Train every tfv1compat optimizer with ``MultiWorkerMirroredStrategy``, or the single-process
reference, and save the final state to a ``.npz`` file. Run by ``tests/test_distribute.py``.

    TF_CONFIG='{"cluster": {"worker": ["127.0.0.1:P0", "127.0.0.1:P1"]},
                "task": {"type": "worker", "index": I}}' \\
        python tests/distribute_scripts/multi_worker.py worker --out worker-I.npz
    python tests/distribute_scripts/multi_worker.py reference --out reference.npz

``worker``: one of two worker processes (one CPU replica each; collective ops over the
loopback addresses in ``TF_CONFIG``, nothing else), training tfv1compat's optimizers.
``reference``: one process, ``tf.compat.v1.train`` (the oracle) under ``MirroredStrategy`` on
2 logical CPU devices: the same two replicas, in one process.

Each optimizer of ``optimizer_specs.SPECS`` (default config) trains ``STEPS`` steps of
``minimize`` on a model with dense and sparse (``IndexedSlices``) gradients, where replica
``r``'s loss is scaled by ``r + 1``, inside ``tf.function`` (and eagerly for Adam and
Momentum); the file holds, per optimizer and mode, the variables, every slot, the non-slot
variables and the global step. Every replica's copy in the process must be equal (else exit 1).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# CPU only: the workers talk over loopback gRPC, never to an accelerator runtime.
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mirrored_parity import (  # noqa: E402
    LAYOUT,
    ORACLE,
    SPECS,
    STEPS,
    Side,
    configure_logical_cpus,
)
from parity_helpers import step_arrays  # noqa: E402

from tfv1compat import train as ours  # noqa: E402

# Also run eagerly (strategy.run outside tf.function) for these: a slot optimizer and Adam's
# non-slot beta powers are enough; eager collectives are slow.
EAGER_TOO = ("MomentumOptimizer", "AdamOptimizer")
COLLECTIVE_TIMEOUT_S = 60


def train(strategy, module) -> dict[str, np.ndarray]:
    """Final state of every optimizer's run, by ``"<optimizer> <mode>/<role>"``."""
    inputs = [
        {name: tf.constant(array) for name, array in arrays.items()}
        for arrays in step_arrays(LAYOUT, tf.float32, STEPS)
    ]
    results: dict[str, np.ndarray] = {}
    for spec in SPECS:
        modes = ("function", "eager") if spec.name in EAGER_TOO else ("function",)
        for mode in modes:
            side = Side("run", module, strategy, spec, "default")
            step = side.step_function("minimize", mode)
            for step_input in inputs:
                step(step_input)
            for role, copies in side.state().items():
                for index, copy in enumerate(copies[1:], start=1):
                    if copy.dtype != copies[0].dtype or not np.array_equal(copy, copies[0]):
                        raise SystemExit(f"{spec.name} {mode} {role}: replica {index} differs")
                results[f"{spec.name} {mode}/{role}"] = copies[0]
            print(f"trained {spec.name} {mode}", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("role", choices=("worker", "reference"))
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if args.role == "worker":
        cluster = json.loads(os.environ["TF_CONFIG"])["cluster"]
        for address in cluster["worker"]:
            assert address.startswith("127.0.0.1:"), f"loopback only, got {address}"
        options = tf.distribute.experimental.CommunicationOptions(
            implementation=tf.distribute.experimental.CommunicationImplementation.RING,
            timeout_seconds=COLLECTIVE_TIMEOUT_S,
        )
        strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
        assert strategy.num_replicas_in_sync == 2, strategy.num_replicas_in_sync
        results = train(strategy, ours)
    else:
        strategy = tf.distribute.MirroredStrategy(configure_logical_cpus(2))
        results = train(strategy, ORACLE)
    np.savez(args.out, **results)
    print(f"wrote {len(results)} arrays to {args.out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
