"""Resume is bit-exact across processes: stopping is indistinguishable from never stopping.

For each mode (eager, ``tf.function``, Graph + Session), one subprocess trains every one of the
ten optimizers for ``SAVE_AFTER`` steps and saves (ours and TF1's); a second, fresh subprocess
restores into new objects (ours from ours, ours from TF1, TF1 from ours; object-based, and
name-based ``Saver`` in graph mode) and trains on. Every variable, slot, non-slot variable and
the global step after every resumed step equal, bit for bit, ``tf.compat.v1.train``'s
uninterrupted run in this process, in the same mode.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import oracle
import pytest
from checkpoint_scripts.ckpt_harness import MODES, SAVE_AFTER, TOTAL_STEPS, uninterrupted
from optimizer_specs import SPECS

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "checkpoint_scripts", "resume.py")


def _run_phase(phase: str, mode: str, directory: str) -> None:
    oracle.require()  # both phases also train tf.compat.v1.train's twin
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run(
        [sys.executable, SCRIPT, phase, mode, directory],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    assert f"done {phase} {mode}" in result.stdout


@pytest.mark.parametrize("mode", MODES)
def test_resume_in_new_process_equals_uninterrupted_run(mode: str, tmp_path) -> None:
    """Save after 2 steps in one process, restore in another and train 2 more: every piece
    of state after each resumed step equals the oracle's uninterrupted run exactly, for all
    ten optimizers and every writer/reader pairing of ours and TF1's."""
    directory = str(tmp_path)
    _run_phase("save", mode, directory)
    _run_phase("continue", mode, directory)
    compared = 0
    for spec in SPECS:
        history = uninterrupted(spec.name, mode, TOTAL_STEPS)
        results = sorted(
            f for f in os.listdir(os.path.join(directory, spec.name)) if f.endswith(".npz")
        )
        expected_files = 6 if mode == "graph" else 3
        assert len(results) == expected_files, results
        for filename in results:
            with np.load(os.path.join(directory, spec.name, filename)) as arrays:
                for step in range(SAVE_AFTER, TOTAL_STEPS):
                    expected = history[step]
                    got = {
                        key.split("/", 1)[1]: arrays[key]
                        for key in arrays.files
                        if key.startswith(f"{step}/")
                    }
                    assert sorted(got) == sorted(expected), (spec.name, filename)
                    for key, value in expected.items():
                        np.testing.assert_array_equal(
                            got[key], value, err_msg=f"{spec.name} {filename} step {step} {key}"
                        )
                        assert got[key].dtype == value.dtype
                        compared += 1
    assert compared > 0
