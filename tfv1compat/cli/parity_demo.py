"""``python -m tfv1compat demo``: a TF1 training program, run on tfv1compat and on TF1 itself.

The program is written the TF1 way::

    grads_and_vars = opt.compute_gradients(loss, var_list)
    grads, variables = zip(*grads_and_vars)
    clipped, _ = tf.clip_by_global_norm(grads, CLIP_NORM)
    opt.apply_gradients(zip(clipped, variables), global_step=global_step)

on a tiny deterministic regression problem (an embedding lookup, so the embedding table gets a
sparse ``IndexedSlices`` gradient, then a tanh layer and a linear layer, which get dense ones).
For every optimizer of ``tfv1compat.train`` it runs in three modes (eager with a callable loss,
inside ``tf.function`` with a tensor loss, and a ``tf.compat.v1.Graph`` + ``Session``), once with
tfv1compat and once with ``tf.compat.v1.train`` on identically initialized variables, and
reports the largest absolute difference over every variable, slot, non-slot variable and the
global step. The same kernels run on both sides, so that difference must be exactly 0.0.

A last row trains a Keras 3 model with ``tfv1compat.train.AdamOptimizer`` and compares it with
tfv1compat on plain ``tf.Variable``s holding the same values; ``tf.compat.v1.train`` rejects
Keras 3 variables, and the row shows how.

This module is the one place in the package that calls ``tf.compat.v1.train``: as the
reference the demo compares against, never to do tfv1compat's work.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import TextIO

import numpy as np
import tensorflow as tf

from tfv1compat import surface
from tfv1compat import train as ours
from tfv1compat._tf import legacy_graph

REFERENCE = tf.compat.v1.train  # the oracle: TF's own TF1 optimizers

SEED = 1234
VOCAB_SIZE = 24
EMBEDDING_DIM = 4
HIDDEN_UNITS = 8
BATCH_SIZE = 32
CLIP_NORM = 1.0
DEFAULT_STEPS = 20

MODES = ("eager", "tf.function", "graph+session")
KERAS_MODE = "keras3 eager"

PARAMETER_NAMES = ("embedding", "hidden_kernel", "hidden_bias", "output_kernel", "output_bias")

# A training state: "embedding", "embedding/m", "non-slot beta1_power", "global_step", ...
State = dict[str, np.ndarray]


def optimizer_names() -> list[str]:
    """TF1's ten optimizers, in the registry's order (``tfv1compat.surface.OPTIMIZERS``); each
    is built with the registry's ``arguments``, the same for tfv1compat and the reference."""
    return [info.class_name for info in surface.OPTIMIZERS]


# ---------------------------------------------------------------------------------- problem


@dataclasses.dataclass(frozen=True)
class Problem:
    """Fixed data and initial parameter values, drawn from one seed."""

    ids: np.ndarray  # (BATCH_SIZE,) int32 token ids, with repeats (duplicate sparse indices)
    targets: np.ndarray  # (BATCH_SIZE, 1) float32
    initial: dict[str, np.ndarray]  # PARAMETER_NAMES -> float32 array


def make_problem(seed: int = SEED) -> Problem:
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, VOCAB_SIZE, size=BATCH_SIZE).astype(np.int32)
    targets = (np.sin(0.7 * ids) + 0.1 * rng.standard_normal(BATCH_SIZE)).astype(np.float32)
    shapes = {
        "embedding": (VOCAB_SIZE, EMBEDDING_DIM),
        "hidden_kernel": (EMBEDDING_DIM, HIDDEN_UNITS),
        "hidden_bias": (HIDDEN_UNITS,),
        "output_kernel": (HIDDEN_UNITS, 1),
        "output_bias": (1,),
    }
    initial = {
        name: (0.5 * rng.standard_normal(shape)).astype(np.float32)
        for name, shape in shapes.items()
    }
    return Problem(ids=ids, targets=targets[:, None], initial=initial)


def loss_of(parameters: Sequence, ids, targets) -> tf.Tensor:
    """Mean squared error of ``tanh(embed(ids) @ W1 + b1) @ W2 + b2``."""
    embedding, hidden_kernel, hidden_bias, output_kernel, output_bias = parameters
    embedded = tf.gather(embedding, ids)  # the gradient of `embedding` is IndexedSlices
    # bias_add, not `+`: it is what Keras's Dense layer runs for a vector bias, and its gradient
    # (BiasAddGrad) sums in a different order, so the Keras row needs the same op to match bits.
    hidden = tf.tanh(tf.nn.bias_add(tf.matmul(embedded, hidden_kernel), hidden_bias))
    prediction = tf.matmul(hidden, output_kernel) + output_bias
    return tf.reduce_mean(tf.square(prediction - targets))


def make_optimizer(library, name: str, global_step):
    """``library.<name>(...)`` with the demo's arguments (``library``: ours or REFERENCE)."""
    info = surface.OPTIMIZERS_BY_NAME[name]
    kwargs = dict(info.arguments)
    learning_rate = kwargs.pop("learning_rate")
    cls = getattr(library, name)
    if info.needs_global_step:
        return cls(learning_rate, global_step, **kwargs)
    return cls(learning_rate, **kwargs)


def train_step(optimizer, loss, variables: Sequence, global_step):
    """One TF1-style step: compute_gradients -> clip_by_global_norm -> apply_gradients."""
    grads_and_vars = optimizer.compute_gradients(loss, list(variables))
    grads, trained = zip(*grads_and_vars)
    clipped, _ = tf.clip_by_global_norm(list(grads), CLIP_NORM)
    return optimizer.apply_gradients(list(zip(clipped, trained)), global_step=global_step)


def state_of(optimizer, names: Sequence[str], variables: Sequence, global_step=None) -> dict:
    """Every variable the run changed, by a library-independent key.

    Slots are keyed by parameter and slot name; non-slot variables (Adam's beta powers) by the
    last component of their name, which both libraries share.
    """
    state = {} if global_step is None else {"global_step": global_step}
    slot_ids = set()
    for name, variable in zip(names, variables):
        state[name] = variable
        for slot_name in optimizer.get_slot_names():
            slot = optimizer.get_slot(variable, slot_name)
            if slot is not None:
                state["%s/%s" % (name, slot_name)] = slot
                slot_ids.add(id(slot))
    for variable in optimizer.variables():
        if id(variable) not in slot_ids:
            state["non-slot " + variable.name.split(":")[0].split("/")[-1]] = variable
    return state


def to_numpy(state: dict) -> State:
    return {key: np.asarray(value.numpy()) for key, value in state.items()}


def max_abs_difference(subject: State, reference: State) -> float:
    """The largest |subject - reference| over all entries; inf if the entries differ."""
    if subject.keys() != reference.keys():
        return float("inf")
    largest = 0.0
    for key, value in subject.items():
        other = reference[key]
        if value.shape != other.shape:
            return float("inf")
        if value.size:
            difference = np.abs(value.astype(np.float64) - other.astype(np.float64))
            largest = max(largest, float(np.max(difference)))
    return largest


# ---------------------------------------------------------------------------------- runs


@dataclasses.dataclass(frozen=True)
class RunResult:
    state: State
    steps_per_second: float | None


def _timed_steps(step: Callable[[], object], steps: int) -> float | None:
    """Run ``step`` ``steps`` times; 1 / median step time, without the first step.

    The first step creates slots (and traces, in ``tf.function``); the median keeps one slow
    step on a busy machine from dominating a run of sub-millisecond steps.
    """
    step()
    durations = []
    for _ in range(steps - 1):
        start = time.perf_counter()
        step()
        durations.append(time.perf_counter() - start)
    if not durations:
        return None
    median = float(np.median(durations))
    return 1.0 / median if median > 0 else None


def _eager_variables(problem: Problem) -> tuple[list[tf.Variable], tf.Variable]:
    variables = [tf.Variable(problem.initial[name], name=name) for name in PARAMETER_NAMES]
    global_step = tf.Variable(0, dtype=tf.int64, trainable=False, name="global_step")
    return variables, global_step


def run_eager(library, name: str, problem: Problem, steps: int) -> RunResult:
    """Eager execution, callable loss (TF1 goes through a GradientTape)."""
    variables, global_step = _eager_variables(problem)
    optimizer = make_optimizer(library, name, global_step)
    ids, targets = tf.constant(problem.ids), tf.constant(problem.targets)

    def step() -> None:
        train_step(optimizer, lambda: loss_of(variables, ids, targets), variables, global_step)

    rate = _timed_steps(step, steps)
    return RunResult(to_numpy(state_of(optimizer, PARAMETER_NAMES, variables, global_step)), rate)


def run_function(library, name: str, problem: Problem, steps: int) -> RunResult:
    """Inside ``tf.function``, tensor loss (TF1 goes through tf.gradients); traced once."""
    variables, global_step = _eager_variables(problem)
    optimizer = make_optimizer(library, name, global_step)
    ids, targets = tf.constant(problem.ids), tf.constant(problem.targets)

    @tf.function
    def step() -> None:
        train_step(optimizer, loss_of(variables, ids, targets), variables, global_step)

    rate = _timed_steps(step, steps)
    return RunResult(to_numpy(state_of(optimizer, PARAMETER_NAMES, variables, global_step)), rate)


def run_graph(library, name: str, problem: Problem, steps: int) -> RunResult:
    """A legacy graph run by a TF1 ``Session``."""
    with tf.Graph().as_default() as graph:
        variables = [tf.Variable(problem.initial[name], name=name) for name in PARAMETER_NAMES]
        global_step = tf.Variable(0, dtype=tf.int64, trainable=False, name="global_step")
        optimizer = make_optimizer(library, name, global_step)
        loss = loss_of(variables, tf.constant(problem.ids), tf.constant(problem.targets))
        train_op = train_step(optimizer, loss, variables, global_step)
        state = state_of(optimizer, PARAMETER_NAMES, variables, global_step)
        initialize = legacy_graph.global_variables_initializer()
        with legacy_graph.session(graph) as session:
            session.run(initialize)
            rate = _timed_steps(lambda: session.run(train_op), steps)
            values = session.run(state)
    return RunResult({key: np.asarray(value) for key, value in values.items()}, rate)


RUNNERS: dict[str, Callable[..., RunResult]] = {
    "eager": run_eager,
    "tf.function": run_function,
    "graph+session": run_graph,
}


def keras_model(problem: Problem):
    """The same network as ``loss_of``, as a Keras 3 ``Sequential`` holding the same values."""
    import keras  # only the Keras row needs it

    model = keras.Sequential(
        [
            keras.Input(shape=(), dtype="int32"),
            keras.layers.Embedding(VOCAB_SIZE, EMBEDDING_DIM),
            keras.layers.Dense(HIDDEN_UNITS, activation="tanh"),
            keras.layers.Dense(1),
        ]
    )
    model.set_weights([problem.initial[name] for name in PARAMETER_NAMES])
    return model


@dataclasses.dataclass(frozen=True)
class KerasResult:
    max_diff: float
    steps_per_second: float | None
    reference_outcome: str  # "fails (ValueError)", or "works" if TF ever accepts Keras 3 variables


def run_keras(problem: Problem, steps: int) -> KerasResult:
    """A Keras 3 model trained by tfv1compat's Adam, vs tfv1compat on plain tf.Variables."""
    model = keras_model(problem)
    ids, targets = tf.constant(problem.ids), tf.constant(problem.targets)
    keras_optimizer = ours.AdamOptimizer(0.01)

    def keras_step() -> None:
        keras_optimizer.minimize(
            lambda: tf.reduce_mean(tf.square(model(ids) - targets)),
            var_list=model.trainable_variables,
        )

    rate = _timed_steps(keras_step, steps)
    keras_state = to_numpy(state_of(keras_optimizer, PARAMETER_NAMES, model.trainable_variables))

    variables, _ = _eager_variables(problem)
    plain_optimizer = ours.AdamOptimizer(0.01)
    for _ in range(steps):
        plain_optimizer.minimize(lambda: loss_of(variables, ids, targets), var_list=variables)
    plain_state = to_numpy(state_of(plain_optimizer, PARAMETER_NAMES, variables))

    # A fresh model: if tf.compat.v1.train ever accepted Keras 3 variables, it must not move
    # the weights compared above.
    other_model = keras_model(problem)
    try:
        REFERENCE.AdamOptimizer(0.01).minimize(
            lambda: tf.reduce_mean(tf.square(other_model(ids) - targets)),
            var_list=other_model.trainable_variables,
        )
        reference_outcome = "works"
    except Exception as error:  # noqa: BLE001 - the exception type is what the row reports
        reference_outcome = "fails (%s)" % type(error).__name__
    return KerasResult(max_abs_difference(keras_state, plain_state), rate, reference_outcome)


# ---------------------------------------------------------------------------------- report


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of the demo's table."""

    optimizer: str
    mode: str
    max_diff: float | None  # None when the run raised
    steps_per_second: float | None  # ours: 1 / median step time, first step excluded
    reference_steps_per_second: float | None
    error: str | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        return row_passes(self.max_diff, self.error)


def row_passes(max_diff: float | None, error: str | None) -> bool:
    """A row passes only if it ran without error and the states are bit-identical."""
    return error is None and max_diff is not None and max_diff == 0.0


def exit_status(rows: Sequence[Row]) -> int:
    """The demo's exit code: 0 if every row passed, 1 otherwise (also for no rows at all)."""
    return 0 if rows and all(row.ok for row in rows) else 1


def _format_rate(rate: float | None) -> str:
    return "-" if rate is None else "%.1f" % rate


def format_table(rows: Sequence[Row]) -> str:
    header = (
        "optimizer",
        "mode",
        "max |diff| vs tf.compat.v1.train",
        "steps/s (ours)",
        "steps/s (tf.compat.v1)",
        "result",
        "note",
    )
    lines = [header]
    for row in rows:
        diff = "-" if row.max_diff is None else repr(row.max_diff)
        note = row.note if row.error is None else row.error
        lines.append(
            (
                row.optimizer,
                row.mode,
                diff,
                _format_rate(row.steps_per_second),
                _format_rate(row.reference_steps_per_second),
                "OK" if row.ok else "FAIL",
                note,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    right_aligned = {2, 3, 4}
    rendered = []
    for index, line in enumerate(lines):
        cells = [
            cell.rjust(width) if i in right_aligned else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(line, widths))
        ]
        rendered.append("  ".join(cells + [line[-1]]).rstrip())
        if index == 0:
            rendered.append("  ".join("-" * width for width in widths) + "  ----")
    return "\n".join(rendered)


class ProgressBar:
    """A one-line ``\\r`` progress bar on a terminal stream; silent when disabled."""

    def __init__(self, total: int, stream: TextIO, enabled: bool, width: int = 30) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.enabled = enabled
        self.width = width
        self.done = 0
        self.label = ""
        self._last_length = 0

    def show(self, label: str | None = None) -> None:
        """Redraw the line; ``label`` (kept for later redraws) names the current task."""
        if label is not None:
            self.label = label
        if not self.enabled:
            return
        filled = self.width * self.done // self.total
        text = "[%s%s] %d/%d %s" % (
            "#" * filled,
            "." * (self.width - filled),
            self.done,
            self.total,
            self.label,
        )
        padding = " " * max(self._last_length - len(text), 0)
        self.stream.write("\r" + text + padding)
        self.stream.flush()
        self._last_length = len(text)

    def advance(self) -> None:
        self.done += 1
        self.show()

    def close(self) -> None:
        if self.enabled and self._last_length:
            self.stream.write("\r" + " " * self._last_length + "\r")
            self.stream.flush()


# TF 2.21's native (C++) log lines that TF_CPP_MIN_LOG_LEVEL cannot hide: absl prints everything
# logged before its InitializeLog() (oneDNN notices, "failed call to cuInit" on machines with
# CUDA libraries but no GPU, MLIR pass notices) whatever the level.
_NATIVE_NOISE = re.compile(
    r"^(?:[IW]\d{4} |WARNING: All log messages before absl::InitializeLog\(\)"
    r"|E\d{4} .*failed call to cuInit)"
)


def is_native_log_noise(line: str) -> bool:
    """True for TF's informational native log lines (never for errors other than cuInit)."""
    return bool(_NATIVE_NOISE.match(line))


@contextlib.contextmanager
def native_logs_filtered() -> Iterator[TextIO]:
    """Hold file descriptor 2 (TF's C++ logging) aside, then replay it without the noise.

    Yields a stream to the real stderr for the progress bar. Everything else written to fd 2
    meanwhile (native logs, Python warnings) is replayed on exit, minus ``is_native_log_noise``
    lines. Used only while the progress bar is on, so ``--no-progress`` leaves stderr raw.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    terminal = os.fdopen(os.dup(saved), "w")
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield terminal
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            terminal.close()
            captured.seek(0)
            for line in captured.read().decode("utf-8", "replace").splitlines(keepends=True):
                if not is_native_log_noise(line):
                    sys.stderr.write(line)
            sys.stderr.flush()


@contextlib.contextmanager
def quiet_tensorflow() -> Iterator[None]:
    """Hide TF's Python-side logging and the tf.compat.v1 deprecation warnings."""
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", UserWarning)
            yield
    finally:
        logger.setLevel(level)


def _describe(error: Exception) -> str:
    """``Type: message`` on one line; for errors raised while tracing a ``tf.function``, whose
    message starts with "in user code:" and a traceback, the message is its last line."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    message = ""
    if lines:
        message = lines[-1] if lines[0].startswith("in user code") else lines[0]
    return "%s: %s" % (type(error).__name__, message[:160])


def collect_rows(
    steps: int,
    optimizers: Sequence[str] | None = None,
    modes: Sequence[str] = MODES,
    keras_row: bool = True,
    progress: ProgressBar | None = None,
) -> list[Row]:
    """Run the comparisons and return one ``Row`` per optimizer x mode (+ the Keras row)."""
    names = optimizer_names() if optimizers is None else list(optimizers)
    problem = make_problem()
    progress = progress or ProgressBar(0, sys.stderr, enabled=False)
    rows = []
    for name in names:
        for mode in modes:
            progress.show("%s, %s" % (name, mode))
            runner = RUNNERS[mode]
            try:
                subject = runner(ours, name, problem, steps)
                reference = runner(REFERENCE, name, problem, steps)
                diff = max_abs_difference(subject.state, reference.state)
                note = "" if diff != float("inf") else "different variables or slots"
                rows.append(
                    Row(
                        name,
                        mode,
                        diff,
                        subject.steps_per_second,
                        reference.steps_per_second,
                        note=note,
                    )
                )
            except Exception as error:  # noqa: BLE001 - reported in the table, exit code 1
                rows.append(Row(name, mode, None, None, None, error=_describe(error)))
            progress.advance()
    if keras_row:
        progress.show("AdamOptimizer, Keras 3 model")
        try:
            result = run_keras(problem, steps)
            rows.append(
                Row(
                    "AdamOptimizer",
                    KERAS_MODE,
                    result.max_diff,
                    result.steps_per_second,
                    None,
                    note="diff vs tfv1compat on tf.Variables; tf.compat.v1.train: %s"
                    % result.reference_outcome,
                )
            )
        except Exception as error:  # noqa: BLE001 - reported in the table, exit code 1
            rows.append(Row("AdamOptimizer", KERAS_MODE, None, None, None, error=_describe(error)))
        progress.advance()
    return rows


def run_demo(
    steps: int = DEFAULT_STEPS,
    progress: bool = True,
    optimizers: Sequence[str] | None = None,
    keras_row: bool = True,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the demo, print the table to ``stdout``, return the exit code."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    names = optimizer_names() if optimizers is None else list(optimizers)
    total = len(names) * len(MODES) + (1 if keras_row else 0)
    enabled = progress and hasattr(stderr, "isatty") and stderr.isatty()
    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        stack.enter_context(quiet_tensorflow())
        if enabled and stderr is sys.stderr:
            stderr = stack.enter_context(native_logs_filtered())
        bar = stack.enter_context(contextlib.closing(ProgressBar(total, stderr, enabled)))
        rows = collect_rows(steps, names, MODES, keras_row, bar)
    elapsed = time.perf_counter() - start
    passed = sum(row.ok for row in rows)
    print(
        "tfv1compat vs tf.compat.v1.train: %d optimizers x %d modes, %d steps each "
        "(compute_gradients -> clip_by_global_norm -> apply_gradients, dense + sparse gradients)"
        % (len(names), len(MODES), steps),
        file=stdout,
    )
    print("", file=stdout)
    print(format_table(rows), file=stdout)
    print("", file=stdout)
    status = exit_status(rows)
    print(
        "%d/%d rows bit-identical (max |diff| == 0.0) in %.1f s: %s"
        % (passed, len(rows), elapsed, "OK" if status == 0 else "FAIL"),
        file=stdout,
    )
    stdout.flush()
    return status
