"""``python -m tfv1compat demo``: the CLI runs, covers every optimizer and mode, and fails loudly.

The demo's own numbers come from running ``tf.compat.v1.train`` next to tfv1compat, so these
tests hold no expected values: they check that the table is complete, that the exit status is 0
only when every row is bit-identical, and that an injected difference turns it non-zero.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import oracle
import pytest
import tensorflow as tf

from tfv1compat import surface
from tfv1compat import train as ours
from tfv1compat.cli import main as cli
from tfv1compat.cli import parity_demo as demo

TEN_OPTIMIZERS = [info.class_name for info in surface.OPTIMIZERS]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> subprocess.CompletedProcess:
    """One real ``python -m tfv1compat demo --steps 3 --no-progress`` in a subprocess.

    It runs from an empty directory, so ``-m tfv1compat`` finds the installed package, not
    the source tree.
    """
    oracle.require()  # the demo runs tf.compat.v1.train beside tfv1compat
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run(
        [sys.executable, "-m", "tfv1compat", "demo", "--steps", "3", "--no-progress"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path_factory.mktemp("demo_cwd"),
        timeout=300,
    )


def _table_rows(stdout: str) -> dict[tuple[str, str], list[str]]:
    """(optimizer, mode) -> the row's cells, parsed from the demo's fixed-width table."""
    rows = {}
    modes = "|".join(re.escape(mode) for mode in (*demo.MODES, demo.KERAS_MODE))
    pattern = re.compile(r"^(\w+)\s+(%s)\s+(\S+)\s+(\S+)\s+(\S+)\s+(OK|FAIL)\b(.*)$" % modes)
    for line in stdout.splitlines():
        match = pattern.match(line)
        if match:
            rows[(match.group(1), match.group(2))] = [g.strip() for g in match.groups()[2:]]
    return rows


@pytest.mark.slow
def test_demo_subprocess_passes_and_covers_every_optimizer_and_mode(demo_run):
    """Exit status 0, and one OK row with max |diff| 0.0 per optimizer x mode, plus Keras."""
    assert demo_run.returncode == 0, demo_run.stdout + demo_run.stderr[-3000:]
    rows = _table_rows(demo_run.stdout)
    for name in TEN_OPTIMIZERS:
        for mode in demo.MODES:
            diff, _, _, result, _ = rows[(name, mode)]
            assert (diff, result) == ("0.0", "OK"), (name, mode, rows[(name, mode)])
    assert len(rows) == len(TEN_OPTIMIZERS) * len(demo.MODES) + 1
    diff, _, _, result, note = rows[("AdamOptimizer", demo.KERAS_MODE)]
    assert (diff, result) == ("0.0", "OK")
    assert re.search(r"tf\.compat\.v1\.train: fails \(\w+Error\)", note), note
    assert "31/31 rows bit-identical" in demo_run.stdout


@pytest.mark.slow
def test_demo_subprocess_keeps_progress_and_logs_off_stdout(demo_run):
    """stdout holds only the report (no progress bar, no TF log lines), so it can be piped."""
    assert "\r" not in demo_run.stdout
    assert not re.search(r"^(I|W|E)0000 |^WARNING", demo_run.stdout, re.MULTILINE)
    assert "\r" not in demo_run.stderr  # --no-progress (and stderr is not a terminal)


def test_demo_covers_exactly_the_ten_tf1_optimizers():
    """The demo iterates over the registry's optimizers; that set is TF1's ten."""
    assert sorted(demo.optimizer_names()) == sorted(TEN_OPTIMIZERS)
    assert sorted(TEN_OPTIMIZERS) == sorted(
        name
        for name in tf.compat.v1.train.__all__
        if name.endswith("Optimizer")
        and name not in ("Optimizer", "SyncReplicasOptimizer")
        and getattr(tf.compat.v1.train, name).__module__.startswith("tensorflow.python.training.")
    )
    assert all(name in ours.__all__ for name in TEN_OPTIMIZERS)


@pytest.mark.parametrize(
    "max_diff, error, passes",
    [
        (0.0, None, True),
        (5.960464477539063e-08, None, False),  # one float32 ulp at 1.0
        (1e-45, None, False),  # the smallest float32 subnormal
        (float("nan"), None, False),
        (float("inf"), None, False),
        (None, "ValueError: boom", False),
        (0.0, "ValueError: boom", False),
    ],
)
def test_row_passes_only_for_an_exact_zero_without_error(max_diff, error, passes):
    """The parity rule: anything but max |diff| == 0.0 with no error is a failure."""
    assert demo.row_passes(max_diff, error) is passes


def test_exit_status_is_nonzero_if_any_row_fails():
    """One differing row among passing ones makes the exit status 1; no rows at all too."""
    good = demo.Row("AdamOptimizer", "eager", 0.0, 100.0, 100.0)
    bad = demo.Row("AdamOptimizer", "tf.function", 1e-7, 100.0, 100.0)
    assert demo.exit_status([good, good]) == 0
    assert demo.exit_status([good, bad, good]) == 1
    assert demo.exit_status([]) == 1


def test_max_abs_difference_sees_values_and_missing_state():
    """A changed value is measured; a missing slot or a shape change counts as infinite."""
    import numpy as np

    base = {"w": np.zeros(3, np.float32), "w/m": np.ones(3, np.float32)}
    changed = {"w": np.array([0, 0, 0.25], np.float32), "w/m": np.ones(3, np.float32)}
    assert demo.max_abs_difference(base, dict(base)) == 0.0
    assert demo.max_abs_difference(changed, base) == 0.25
    assert demo.max_abs_difference({"w": base["w"]}, base) == float("inf")
    assert demo.max_abs_difference({**base, "w": np.zeros(4, np.float32)}, base) == float("inf")


def test_injected_difference_makes_the_demo_fail(monkeypatch):
    """End to end: if the comparison sees any difference, the table says FAIL and exit is 1.

    The real runs execute (one optimizer, one step, three modes); only the measured difference
    is replaced, as a bug in the package would change it.
    """
    real = demo.max_abs_difference

    def off_by_one_ulp(subject, reference):
        return real(subject, reference) + 5.960464477539063e-08

    monkeypatch.setattr(demo, "max_abs_difference", off_by_one_ulp)
    stdout = io.StringIO()
    status = demo.run_demo(
        steps=1,
        progress=False,
        optimizers=["GradientDescentOptimizer"],
        keras_row=False,
        stdout=stdout,
        stderr=io.StringIO(),
    )
    assert status == 1
    rows = _table_rows(stdout.getvalue())
    assert {row[3] for row in rows.values()} == {"FAIL"}
    assert len(rows) == len(demo.MODES)


def test_a_raising_run_is_a_failing_row(monkeypatch):
    """An exception inside a run is reported in the table and makes the exit status 1."""

    def broken(*args, **kwargs):
        raise RuntimeError("kernel exploded")

    monkeypatch.setitem(demo.RUNNERS, "eager", broken)
    rows = demo.collect_rows(1, ["GradientDescentOptimizer"], ["eager"], keras_row=False)
    assert [row.error for row in rows] == ["RuntimeError: kernel exploded"]
    assert demo.exit_status(rows) == 1


def test_errors_from_tf_function_tracing_are_described_by_their_last_line():
    """A tracing error's first line is "in user code:"; the table shows the real message."""
    traced = TypeError(
        'in user code:\n\n    File "x.py", line 1, in step\n\n    TypeError: bad arg'
    )
    assert demo._describe(traced) == "TypeError: TypeError: bad arg"
    assert demo._describe(ValueError("first\nsecond")) == "ValueError: first"


def test_progress_bar_writes_carriage_returns_only_when_enabled():
    """The bar redraws one line with \\r on a terminal, and writes nothing when disabled."""
    stream = io.StringIO()
    bar = demo.ProgressBar(2, stream, enabled=True, width=4)
    bar.show("first")
    bar.advance()
    bar.show("second")
    bar.advance()
    bar.close()
    text = stream.getvalue()
    assert text.startswith("\r[....] 0/2 first\r[##..] 1/2 first")
    assert "\r[####] 2/2 second" in text
    assert "\n" not in text
    silent = io.StringIO()
    quiet = demo.ProgressBar(2, silent, enabled=False)
    quiet.show("x")
    quiet.advance()
    quiet.close()
    assert silent.getvalue() == ""


def test_native_log_filter_drops_tf_notices_but_keeps_errors():
    """Only TF's informational native lines are dropped from stderr; real errors stay."""
    noise = [
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
        "I0000 00:00:1795600033.595578    9676 port.cc:153] oneDNN custom operations are on.",
        "E0000 00:00:1795600035.077429    9676 cuda_platform.cc:52] failed call to cuInit: x",
    ]
    kept = [
        "E0000 00:00:1795600035.077429    9676 op_kernel.cc:1] OOM when allocating tensor",
        "F0000 00:00:1795600035.077429    9676 check failed",
        "Traceback (most recent call last):",
        "UserWarning: something",
    ]
    assert [demo.is_native_log_noise(line) for line in noise] == [True] * len(noise)
    assert [demo.is_native_log_noise(line) for line in kept] == [False] * len(kept)


def test_cli_rejects_unknown_commands_and_bad_steps(capsys):
    """argparse errors (exit status 2) for an unknown command and a non-positive --steps."""
    for argv in (["bogus"], ["demo", "--steps", "0"], ["run"]):
        with pytest.raises(SystemExit) as raised:
            cli.main(argv)
        assert raised.value.code == 2, argv
    assert "invalid choice" in capsys.readouterr().err
