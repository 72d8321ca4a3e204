"""Scaling benchmarks: XLA vs non-XLA step time, and ``MirroredStrategy`` on 1 vs 2 devices.

Two scenarios, each timing one full training step (forward pass, ``minimize``, update) of a
small MLP (x[64, 256] -> 256 tanh -> 256 tanh -> 16, squared error; 6 dense variables, about
135k floats) for every TF1 optimizer, with tfv1compat and with TF's own ``tf.compat.v1.train``:

  (x) inside ``tf.function``, without and with ``jit_compile=True`` (XLA);
  (d) ``strategy.run`` of the step inside ``tf.function`` under ``MirroredStrategy`` over 1 and
      over 2 logical CPU devices, each replica with its own batch of 64 (so 2 devices do twice
      the work per step); gradients are summed across replicas as TF1 does. Logical devices
      must be configured before TensorFlow starts its runtime, so each device count runs in a
      fresh subprocess of this script.

Each variant is warmed up (traced and compiled), then the variants of one optimizer are timed
in rotation (order reversed every round), so load from other processes slows all alike. The
tables show median milliseconds per step.

Usage::

    python benchmarks/bench_scale.py                 # full run
    python benchmarks/bench_scale.py --quick         # fewer timed steps, noisier figures
    python benchmarks/bench_scale.py --only x        # one scenario (x or d)
    python benchmarks/bench_scale.py --optimizers AdamOptimizer,FtrlOptimizer
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tfv1compat import train as ours  # noqa: E402

V1 = tf.compat.v1.train
LIBRARIES = {"tfv1compat": ours, "tf.compat.v1": V1}


from optimizer_table import OPTIMIZERS  # noqa: E402  (benchmarks/ is on sys.path)

BATCH = 64  # per replica
LAYERS = (256, 256, 256, 16)


def make_optimizer(module, name: str, global_step: tf.Variable):
    kwargs = dict(OPTIMIZERS[name])
    learning_rate = kwargs.pop("learning_rate")
    if name == "AdagradDAOptimizer":
        return getattr(module, name)(learning_rate, global_step, **kwargs)
    return getattr(module, name)(learning_rate, **kwargs)


class Model:
    """The MLP's variables, a global step and an optimizer (create under a strategy scope to
    get mirrored variables)."""

    def __init__(self, module, name: str) -> None:
        rng = np.random.default_rng(0)
        self.variables = []
        for index, (fan_in, fan_out) in enumerate(zip(LAYERS[:-1], LAYERS[1:])):
            scale = 1.0 / np.sqrt(fan_in)
            weights = rng.uniform(-scale, scale, (fan_in, fan_out)).astype(np.float32)
            self.variables.append(tf.Variable(weights, name=f"w{index}"))
            self.variables.append(tf.Variable(np.zeros(fan_out, np.float32), name=f"b{index}"))
        self.global_step = tf.Variable(0, dtype=tf.int64, trainable=False, name="global_step")
        self.optimizer = make_optimizer(module, name, self.global_step)
        self.inputs = tf.constant(rng.standard_normal((BATCH, LAYERS[0])).astype(np.float32))
        self.targets = tf.constant(rng.standard_normal((BATCH, LAYERS[-1])).astype(np.float32))

    def loss(self) -> tf.Tensor:
        h = self.inputs
        pairs = list(zip(self.variables[::2], self.variables[1::2]))
        for index, (w, b) in enumerate(pairs):
            h = tf.matmul(h, w) + b
            if index < len(pairs) - 1:
                h = tf.tanh(h)
        return tf.reduce_mean(tf.square(h - self.targets))

    def train_step(self) -> None:
        """One TF1-style step: ``minimize(<tensor loss>)`` (inside a graph/tf.function)."""
        self.optimizer.minimize(self.loss(), global_step=self.global_step, var_list=self.variables)


def time_in_rotation(
    steps: dict[str, Callable[[], object]], warmup: int, repeat: int
) -> dict[str, float]:
    """Median ms per call of each step, timed in rotation (order reversed every round)."""
    for step in steps.values():
        for _ in range(warmup):
            step()
    samples: dict[str, list[float]] = {label: [] for label in steps}
    order = list(steps.items())
    for _ in range(repeat):
        for label, step in order:
            start = time.perf_counter()
            step()
            samples[label].append(time.perf_counter() - start)
        order.reverse()
    return {label: 1e3 * statistics.median(values) for label, values in samples.items()}


# ---------------------------------------------------------------------------- (x) XLA


def run_xla(names: Sequence[str], warmup: int, repeat: int) -> dict[str, dict[str, float]]:
    results = {}
    for name in names:
        steps = {}
        for library, module in LIBRARIES.items():
            for jit in (False, True):
                model = Model(module, name)
                step = tf.function(model.train_step, jit_compile=jit, autograph=False)
                step.model = model  # keep the variables alive with the step
                steps[f"{library} {'xla' if jit else 'plain'}"] = step
        results[name] = time_in_rotation(steps, warmup, repeat)
        progress(f"(x) {name}")
    return results


# ---------------------------------------------------------------------------- (d) distributed


def distributed_child(devices: int, names: Sequence[str], warmup: int, repeat: int) -> None:
    """In a fresh process: ``devices`` logical CPUs, MirroredStrategy, print one JSON line."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(devices)]
    )
    logical = [d.name for d in tf.config.list_logical_devices("CPU")]
    strategy = tf.distribute.MirroredStrategy(logical)
    assert strategy.num_replicas_in_sync == devices
    results = {}
    for name in names:
        steps = {}
        for library, module in LIBRARIES.items():
            with strategy.scope():
                model = Model(module, name)

            def step(model=model) -> None:
                strategy.run(model.train_step)

            step = tf.function(step, autograph=False)
            step.model = model
            steps[library] = step
        results[name] = time_in_rotation(steps, warmup, repeat)
        print(f"(d) {devices} device(s): {name}", file=sys.stderr, flush=True)
    print(json.dumps(results))


def run_distributed(
    names: Sequence[str], warmup: int, repeat: int
) -> dict[int, dict[str, dict[str, float]]]:
    results = {}
    for devices in (1, 2):
        command = [
            sys.executable,
            os.path.abspath(__file__),
            "--distributed-child",
            str(devices),
            "--optimizers",
            ",".join(names),
            "--warmup",
            str(warmup),
            "--repeat",
            str(repeat),
        ]
        output = subprocess.run(
            command, check=True, capture_output=True, text=True, timeout=3600
        ).stdout
        results[devices] = json.loads(output.strip().splitlines()[-1])
        progress(f"(d) {devices} device(s)")
    return results


# ---------------------------------------------------------------------------- report


def _ms(value: float) -> str:
    return f"{value:.3g}" if value < 10 else f"{value:.1f}"


def _short(name: str) -> str:
    return name.removesuffix("Optimizer")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def xla_table(results: dict[str, dict[str, float]]) -> str:
    rows = []
    for name, ms in results.items():
        rows.append(
            [
                _short(name),
                _ms(ms["tfv1compat plain"]),
                _ms(ms["tfv1compat xla"]),
                f"{ms['tfv1compat plain'] / ms['tfv1compat xla']:.2f}",
                _ms(ms["tf.compat.v1 plain"]),
                _ms(ms["tf.compat.v1 xla"]),
                f"{ms['tfv1compat xla'] / ms['tf.compat.v1 xla']:.2f}",
            ]
        )
    header = [
        "optimizer",
        "tfv1compat ms",
        "tfv1compat XLA ms",
        "XLA speed-up",
        "tf.compat.v1 ms",
        "tf.compat.v1 XLA ms",
        "ours/v1 (XLA)",
    ]
    return _table(header, rows)


def distributed_table(results: dict[int, dict[str, dict[str, float]]]) -> str:
    rows = []
    for name in results[1]:
        one, two = results[1][name], results[2][name]
        rows.append(
            [
                _short(name),
                _ms(one["tfv1compat"]),
                _ms(two["tfv1compat"]),
                f"{two['tfv1compat'] / one['tfv1compat']:.2f}",
                f"{BATCH / one['tfv1compat'] * 1e3:.0f}",
                f"{2 * BATCH / two['tfv1compat'] * 1e3:.0f}",
                _ms(one["tf.compat.v1"]),
                _ms(two["tf.compat.v1"]),
                f"{two['tfv1compat'] / two['tf.compat.v1']:.2f}",
            ]
        )
    header = [
        "optimizer",
        "tfv1compat 1 device ms",
        "tfv1compat 2 devices ms",
        "2 dev / 1 dev",
        "tfv1compat examples/s 1 device",
        "tfv1compat examples/s 2 devices",
        "tf.compat.v1 1 device ms",
        "tf.compat.v1 2 devices ms",
        "ours/v1 (2 devices)",
    ]
    return _table(header, rows)


def progress(label: str) -> None:
    print(f"  done: {label}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer timed steps")
    parser.add_argument("--only", default="x,d", help="scenarios to run: x (XLA), d (devices)")
    parser.add_argument("--optimizers", default=",".join(OPTIMIZERS))
    parser.add_argument("--warmup", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--distributed-child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    names = [name for name in args.optimizers.split(",") if name]
    for name in names:
        if name not in OPTIMIZERS:
            parser.error(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}")
    warmup = args.warmup if args.warmup is not None else 3
    repeat = args.repeat if args.repeat is not None else (7 if args.quick else 30)
    if args.distributed_child is not None:
        distributed_child(args.distributed_child, names, warmup, repeat)
        return 0

    started = time.perf_counter()
    scenarios = set(args.only.split(","))
    print(
        f"TensorFlow {tf.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPU cores ({platform.machine()}); median of {repeat} timed steps "
        f"after {warmup} warm-up steps, variants timed in rotation. ms = milliseconds per "
        f"training step (forward, minimize, update) of an MLP {'-'.join(map(str, LAYERS))}, "
        f"batch {BATCH} per replica.\n"
    )
    if "x" in scenarios:
        print("### (x) inside tf.function: without and with jit_compile=True (XLA)\n")
        print(xla_table(run_xla(names, warmup, repeat)))
        print()
    if "d" in scenarios:
        print(
            "### (d) MirroredStrategy over 1 vs 2 logical CPU devices (tf.function; "
            f"batch {BATCH} per replica, gradients summed across replicas)\n"
        )
        print(distributed_table(run_distributed(names, warmup, repeat)))
        print()
    print(f"Total benchmark time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
