"""Time ``apply_gradients``: tfv1compat vs ``tf.compat.v1.train`` vs Keras 3, in one run.

Four scenarios, each timing only the optimizer update (the gradients are fixed tensors):

  (a) inside ``tf.function``: 20 variables of 256x256;
  (b) eager, many small variables: 200 variables of 16x16;
  (c) one large dense variable of 4M float32 (inside ``tf.function``), with the bytes of state
      touched per step turned into GB/s and compared with a measured copy bandwidth (``x + 1``
      on a tensor of the same size);
  (d) sparse: an embedding table of 100k x 64 with an ``IndexedSlices`` gradient on 512 rows
      (inside ``tf.function``), repeated with 8192 rows to show how the cost grows with the rows
      touched (row-wise kernels) or does not (TF1's Adam, whose sparse path updates every row).

The three libraries run on identical ``tf.Variable``s, warmed up, then timed in rotation
(ours, tf.compat.v1, Keras, ours, ...) so that a busy machine slows all three alike; the table
shows median milliseconds per step and the ratios ours/tf.compat.v1 and ours/Keras (< 1 means
tfv1compat is faster). Keras 3 equivalents exist for SGD (GradientDescent, Momentum), Adagrad,
Adadelta, Adam, Ftrl and RMSprop; Keras's update rules differ in details (epsilon placement,
Nesterov form), so those columns compare cost, not numerics.

Usage::

    python benchmarks/bench_apply.py            # full run (a few minutes on 2 cores)
    python benchmarks/bench_apply.py --quick    # short run, noisier figures
    python benchmarks/bench_apply.py --only a,c # some scenarios
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tfv1compat import train as ours  # noqa: E402

V1 = tf.compat.v1.train  # the reference: TF's own TF1 optimizers


from optimizer_table import OPTIMIZERS, SLOTS, keras_equivalents  # noqa: E402  (benchmarks/ is on sys.path)

KERAS_EQUIVALENTS = keras_equivalents(keras)

# Slots each TF1 optimizer keeps per variable (for the bytes touched by a dense update).
SLOT_COUNT = {name: len(slots) for name, slots in SLOTS.items()}

# TF1's sparse kernels that touch only the rows named by the gradient; Adam's composite sparse
# path decays all of m and v and moves every row of the variable.
EVERY_ROW_ON_SPARSE = frozenset(["AdamOptimizer"])

LIBRARIES = ("tfv1compat", "tf.compat.v1", "keras3")


@dataclasses.dataclass(frozen=True)
class Settings:
    warmup: int
    repeat: int


def make_optimizer(library: str, name: str):
    """An optimizer of ``library``, or None where Keras 3 has no equivalent."""
    if library == "keras3":
        factory = KERAS_EQUIVALENTS.get(name)
        return None if factory is None else factory()
    module = ours if library == "tfv1compat" else V1
    kwargs = dict(OPTIMIZERS[name])
    learning_rate = kwargs.pop("learning_rate")
    if name == "AdagradDAOptimizer":
        # AdagradDA reads an int64 step in its constructor; it is never incremented here.
        global_step = tf.Variable(0, dtype=tf.int64, trainable=False)
        return getattr(module, name)(learning_rate, global_step, **kwargs)
    return getattr(module, name)(learning_rate, **kwargs)


def make_step(
    library: str,
    name: str,
    shapes: Sequence[tuple[int, ...]],
    gradients: Callable[[Sequence[tf.Variable]], list],
    in_function: bool,
) -> Callable[[], object] | None:
    """A zero-argument callable doing one ``apply_gradients`` on fresh variables."""
    optimizer = make_optimizer(library, name)
    if optimizer is None:
        return None
    variables = [tf.Variable(tf.fill(shape, 0.5)) for shape in shapes]
    grads = gradients(variables)
    if library == "keras3":
        optimizer.build(variables)  # create its state eagerly, outside any tf.function

    def apply() -> None:
        optimizer.apply_gradients(list(zip(grads, variables)))

    step = tf.function(apply) if in_function else apply
    step.variables = variables  # keep them alive with the step
    return step


def time_side_by_side(
    steps: dict[str, Callable[[], object] | None], settings: Settings
) -> dict[str, float | None]:
    """Median ms per call of each step, timed in rotation (order reversed each round)."""
    live = {library: step for library, step in steps.items() if step is not None}
    for step in live.values():
        for _ in range(settings.warmup):
            step()
    samples: dict[str, list[float]] = {library: [] for library in live}
    order = list(live.items())
    for _ in range(settings.repeat):
        for library, step in order:
            start = time.perf_counter()
            step()
            samples[library].append(time.perf_counter() - start)
        order.reverse()  # no library always runs right after another one
    return {
        library: (1e3 * statistics.median(samples[library]) if library in samples else None)
        for library in steps
    }


def dense_gradients(variables: Sequence[tf.Variable]) -> list[tf.Tensor]:
    return [tf.fill(v.shape, 0.01) for v in variables]


@dataclasses.dataclass(frozen=True)
class Result:
    """Median ms per step of each library, and whether ours traced the same ops as TF1's."""

    ms: dict[str, float | None]
    same_ops: bool | None  # None outside tf.function


PROBE = "probe "


def measure(steps: dict[str, Callable[[], object] | None], settings: Settings) -> Result:
    ms = time_side_by_side(steps, settings)
    ours_ops, v1_ops = op_types(steps["tfv1compat"]), op_types(steps["tf.compat.v1"])
    return Result(ms, None if ours_ops is None else ours_ops == v1_ops)


def run_dense_scenario(
    shapes: Sequence[tuple[int, ...]],
    in_function: bool,
    settings: Settings,
    names: Sequence[str],
    probes: dict[str, tuple[Callable[[], object], int]] | None = None,
) -> dict[str, Result]:
    results = {}
    for name in names:
        steps = {
            library: make_step(library, name, shapes, dense_gradients, in_function)
            for library in LIBRARIES
        }
        for probe_name, (probe, _) in (probes or {}).items():
            steps[PROBE + probe_name] = probe
        results[name] = measure(steps, settings)
        progress(name)
    return results


def sparse_gradients_factory(rows: int, seed: int = 0) -> Callable[[Sequence[tf.Variable]], list]:
    def gradients(variables: Sequence[tf.Variable]) -> list[tf.IndexedSlices]:
        table = variables[0]
        rng = np.random.default_rng(seed)
        indices = rng.choice(table.shape[0], size=rows, replace=False).astype(np.int64)
        values = tf.fill((rows, table.shape[1]), 0.01)
        return [tf.IndexedSlices(values, tf.constant(indices), tf.constant(table.shape))]

    return gradients


def bandwidth_probes(elements: int) -> dict[str, tuple[Callable[[], object], int]]:
    """Memory-bandwidth probes on ``elements`` float32: name -> (step, bytes moved per call).

    ``x + 1`` (eager; one read and one write into a fresh buffer) and ``v.assign_add(x)``
    (inside ``tf.function``; two reads and one in-place write, the training kernels' pattern).
    They are timed in the same rotation as the optimizers, so the machine's load at that moment
    affects both.
    """
    x = tf.fill((elements,), 0.5)
    one = tf.constant(1.0)
    variable = tf.Variable(tf.fill((elements,), 0.5))

    def copy() -> None:
        tf.raw_ops.AddV2(x=x, y=one)

    @tf.function
    def in_place() -> None:
        variable.assign_add(x, read_value=False)

    in_place.variables = [variable]
    return {"x + 1": (copy, 2 * 4 * elements), "v.assign_add(x)": (in_place, 3 * 4 * elements)}


def measured_gbps(result: Result, probes: dict[str, tuple[Callable[[], object], int]]) -> float:
    """The best bandwidth any probe reached during this result's rotation."""
    return max(size / (result.ms[PROBE + name] * 1e-3) / 1e9 for name, (_, size) in probes.items())


def op_types(step: Callable[[], object] | None) -> dict[str, int] | None:
    """How many ops of each type the traced step holds (None if not a tf.function)."""
    if step is None or not hasattr(step, "get_concrete_function"):
        return None
    counts: dict[str, int] = {}
    for op in step.get_concrete_function().graph.get_operations():
        counts[op.type] = counts.get(op.type, 0) + 1
    return counts


# ------------------------------------------------------------------------------ reporting


def _ms(value: float | None) -> str:
    return "-" if value is None else "%.3f" % value if value < 1 else "%.2f" % value


def _ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or denominator is None:
        return "-"
    return "%.2f" % (numerator / denominator)


def _short(name: str) -> str:
    return name.replace("Optimizer", "")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


BASE_HEADER = (
    "optimizer",
    "tfv1compat ms",
    "tf.compat.v1 ms",
    "Keras 3 ms",
    "ours/v1",
    "ours/Keras",
)


def _base_cells(name: str, result: Result) -> list[str]:
    ms = result.ms
    return [
        _short(name),
        _ms(ms["tfv1compat"]),
        _ms(ms["tf.compat.v1"]),
        _ms(ms["keras3"]),
        _ratio(ms["tfv1compat"], ms["tf.compat.v1"]),
        _ratio(ms["tfv1compat"], ms["keras3"]),
    ]


def _same_ops(result: Result) -> str:
    return {None: "-", True: "yes", False: "NO"}[result.same_ops]


def timing_table(results: dict[str, Result]) -> str:
    in_function = any(result.same_ops is not None for result in results.values())
    header = BASE_HEADER + (("same ops as v1",) if in_function else ())
    rows = []
    for name, result in results.items():
        rows.append(_base_cells(name, result) + ([_same_ops(result)] if in_function else []))
    return _table(header, rows)


def bandwidth_table(
    results: dict[str, Result],
    elements: int,
    probes: dict[str, tuple[Callable[[], object], int]],
) -> str:
    header = BASE_HEADER + (
        "same ops as v1",
        "state MB/step",
        "ours GB/s",
        "measured BW GB/s",
        "ours / BW",
    )
    rows = []
    for name, result in results.items():
        # read var + slots + grad, write var + slots
        touched = 4 * elements * (2 * (1 + SLOT_COUNT[name]) + 1)
        ours_gbps = touched / (result.ms["tfv1compat"] * 1e-3) / 1e9
        reference_gbps = measured_gbps(result, probes)
        rows.append(
            _base_cells(name, result)
            + [
                _same_ops(result),
                "%.0f" % (touched / 1e6),
                "%.1f" % ours_gbps,
                "%.1f" % reference_gbps,
                "%.0f%%" % (100 * ours_gbps / reference_gbps),
            ]
        )
    return _table(header, rows)


def sparse_table(
    small: dict[str, Result], large: dict[str, Result], small_rows: int, large_rows: int
) -> str:
    header = BASE_HEADER + (
        "same ops as v1",
        "ours ms @%d rows" % large_rows,
        "v1 ms @%d rows" % large_rows,
        "ours growth x%d rows" % (large_rows // small_rows),
        "TF1 touches",
    )
    rows = []
    for name, result in small.items():
        ours_large = large[name].ms["tfv1compat"]
        rows.append(
            _base_cells(name, result)
            + [
                _same_ops(result),
                _ms(ours_large),
                _ms(large[name].ms["tf.compat.v1"]),
                "%.1fx" % (ours_large / result.ms["tfv1compat"]),
                "every row" if name in EVERY_ROW_ON_SPARSE else "rows touched",
            ]
        )
    return _table(header, rows)


def progress(label: str) -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r  %-40s" % label)
        sys.stderr.flush()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, smaller sparse")
    parser.add_argument(
        "--only", default="a,b,c,d", help="comma-separated scenarios to run (default: a,b,c,d)"
    )
    parser.add_argument(
        "--optimizers", default=None, help="comma-separated optimizer names (default: all ten)"
    )
    args = parser.parse_args(argv)
    tf.get_logger().setLevel("ERROR")
    settings = Settings(warmup=2, repeat=5) if args.quick else Settings(warmup=5, repeat=25)
    names = list(OPTIMIZERS) if args.optimizers is None else args.optimizers.split(",")
    scenarios = set(args.only.split(","))

    print("# apply_gradients: tfv1compat vs tf.compat.v1.train vs Keras 3")
    print()
    print(
        "TensorFlow %s, Keras %s, Python %s, %d CPU cores (%s); median of %d timed steps after "
        "%d warm-up steps, libraries timed in rotation. ms = milliseconds per apply_gradients "
        "step; ratios < 1 mean tfv1compat is faster."
        % (
            tf.__version__,
            keras.__version__,
            platform.python_version(),
            os.cpu_count() or 0,
            platform.processor() or platform.machine(),
            settings.repeat,
            settings.warmup,
        )
    )
    start = time.perf_counter()
    if "a" in scenarios:
        results = run_dense_scenario([(256, 256)] * 20, True, settings, names)
        print("\n## (a) inside tf.function: 20 variables of 256x256 (1.3M floats)\n")
        print(timing_table(results))
    if "b" in scenarios:
        results = run_dense_scenario([(16, 16)] * 200, False, settings, names)
        print("\n## (b) eager: 200 variables of 16x16\n")
        print(timing_table(results))
    if "c" in scenarios:
        elements = 4 * 1024 * 1024
        probes = bandwidth_probes(elements)
        results = run_dense_scenario([(elements,)], True, settings, names, probes)
        print("\n## (c) inside tf.function: one dense variable of 4M float32 (16 MB)\n")
        print(
            "State touched per step = read var, slots and grad + write var and slots. Measured "
            "bandwidth = the better of %s on a same-size tensor, timed in the same rotation as "
            "each row's optimizers. Median over the rows: %s.\n"
            % (
                " and ".join("`%s`" % name for name in probes),
                ", ".join(
                    "`%s` %.1f GB/s"
                    % (
                        name,
                        statistics.median(
                            size / (r.ms[PROBE + name] * 1e-3) / 1e9 for r in results.values()
                        ),
                    )
                    for name, (_, size) in probes.items()
                ),
            )
        )
        print(bandwidth_table(results, elements, probes))
    if "d" in scenarios:
        table_shape = (100_000, 64)
        small_rows, large_rows = 512, 8192
        small, large = {}, {}
        for name in names:
            for rows, store in ((small_rows, small), (large_rows, large)):
                steps = {
                    library: make_step(
                        library, name, [table_shape], sparse_gradients_factory(rows), True
                    )
                    for library in LIBRARIES
                }
                store[name] = measure(steps, settings)
            progress(name)
        print(
            "\n## (d) inside tf.function: sparse gradient on an embedding table of 100k x 64 "
            "(%d unique rows)\n" % small_rows
        )
        print(sparse_table(small, large, small_rows, large_rows))
    if sys.stderr.isatty():
        sys.stderr.write("\r" + " " * 44 + "\r")
    print("\nTotal benchmark time: %.0f s" % (time.perf_counter() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
