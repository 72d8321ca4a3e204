"""``python -m tfv1compat run SCRIPT ARGS``: an unmodified script, run as ``python SCRIPT ARGS``.

In-process tests call ``runner.run_script`` / ``runner.main``; one subprocess runs a legacy
Graph + Session script through the ``cli`` entry point, as the command line would.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

from tfv1compat import train
from tfv1compat.cli import run as runner
from tfv1compat.install import install, is_installed, uninstall


@pytest.fixture(autouse=True)
def _always_uninstall():
    yield
    uninstall()


def _write(path, text: str) -> str:
    path.write_text(textwrap.dedent(text))
    return str(path)


_PROBE = """
    import json
    import os
    import sys

    import tensorflow as tf

    report = {
        "argv": sys.argv,
        "name": __name__,
        "file": __file__,
        "path0": sys.path[0],
        "main_is_me": sys.modules["__main__"].__dict__ is globals(),
        "adam": tf.train.AdamOptimizer.__module__,
        "v1_adam": tf.compat.v1.train.AdamOptimizer.__module__,
    }
    with open(sys.argv[1], "w") as f:
        json.dump(report, f)
    if len(sys.argv) > 2 and sys.argv[2].startswith("exit:"):
        code = sys.argv[2][len("exit:"):]
        sys.exit(int(code) if code.lstrip("-").isdigit() else code)
"""


def test_script_sees_argv_main_file_and_tfv1compat(tmp_path):
    """What ``python SCRIPT ARGS`` gives a script, plus tf.train resolving to tfv1compat."""
    script = _write(tmp_path / "probe.py", _PROBE)
    out = tmp_path / "report.json"
    argv_before, path_before = sys.argv[:], sys.path[:]
    assert runner.run_script(script, [str(out), "--flag"]) == 0
    report = json.loads(out.read_text())
    assert report["argv"] == [script, str(out), "--flag"]
    assert report["name"] == "__main__" and report["main_is_me"]
    assert report["file"] == script
    assert report["path0"] == os.path.dirname(os.path.realpath(script))
    assert report["adam"] == report["v1_adam"] == train.AdamOptimizer.__module__
    # Afterwards everything is as it was (run_script installed, so it uninstalls).
    assert sys.argv == argv_before and sys.path == path_before
    assert not is_installed() and not hasattr(tf.train, "AdamOptimizer")


@pytest.mark.parametrize(
    "code, status, stderr",
    [("0", 0, ""), ("3", 3, ""), ("-1", -1, ""), ("stopped: bad flag", 1, "stopped: bad flag")],
)
def test_exit_status_is_what_python_gives(tmp_path, capsys, code, status, stderr):
    """``sys.exit(n)`` -> n; ``sys.exit("message")`` -> the message on stderr and status 1."""
    script = _write(tmp_path / "probe.py", _PROBE)
    assert runner.run_script(script, [str(tmp_path / "r.json"), "exit:" + code]) == status
    assert capsys.readouterr().err.strip() == stderr


def test_uncaught_exception_prints_the_scripts_traceback_only(tmp_path, capsys):
    """Status 1 and a traceback that starts at the user's file: no runner or runpy frames."""
    script = _write(
        tmp_path / "fails.py",
        """
        def build():
            raise ValueError("bad shape")

        build()
        """,
    )
    assert runner.run_script(script) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n")
    frames = [line for line in err.splitlines() if line.startswith("  File ")]
    assert frames == [
        '  File "%s", line 5, in <module>' % script,
        '  File "%s", line 3, in build' % script,
    ]
    assert err.rstrip().endswith("ValueError: bad shape")


def test_missing_script_is_status_2(tmp_path, capsys):
    assert runner.run_script(str(tmp_path / "nope.py")) == 2
    assert "nope.py" in capsys.readouterr().err


def test_an_existing_install_is_left_in_place(tmp_path):
    script = _write(tmp_path / "probe.py", _PROBE)
    install()
    assert runner.run_script(script, [str(tmp_path / "r.json")]) == 0
    assert is_installed() and tf.train.AdamOptimizer is train.AdamOptimizer


def test_main_takes_everything_after_the_script_for_the_script(tmp_path):
    """Registered as a subcommand (as ``__main__`` does), options after SCRIPT go to the script."""
    parser = argparse.ArgumentParser(prog="tfv1compat")
    commands = parser.add_subparsers(dest="command")
    runner.add_arguments(commands.add_parser("run"))
    script = _write(tmp_path / "probe.py", _PROBE)
    out = tmp_path / "r.json"
    args = parser.parse_args(["run", script, str(out), "exit:7", "--steps", "3", "-v"])
    assert runner.main(args) == 7
    assert json.loads(out.read_text())["argv"] == [script, str(out), "exit:7", "--steps", "3", "-v"]


_LEGACY = """
    \"\"\"A TF1 script, unmodified: Graph, Session, tf.train.AdamOptimizer, a global step.\"\"\"
    import sys

    import numpy as np
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()

    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    w = tf.get_variable("w", initializer=tf.constant([[0.5], [-0.5]]))
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - 1.0))
    global_step = tf.train.get_or_create_global_step()
    opt = tf.train.AdamOptimizer(0.1)
    train_op = opt.minimize(loss, global_step=global_step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(int(sys.argv[1])):
            sess.run(train_op)
        values = sess.run([w, opt.get_slot(w, "m"), global_step])
    print(type(opt).__module__)
    np.save(sys.argv[2], np.concatenate([values[0].ravel(), values[1].ravel()]))
    if values[2] != int(sys.argv[1]):
        raise SystemExit("global step %d" % values[2])
    raise RuntimeError("done")  # the traceback must point here
"""


@pytest.mark.slow
def test_cli_runs_a_legacy_graph_script_like_python(tmp_path):
    """End to end in a fresh process: the script trains with tfv1compat, its traceback points at
    its own line, the exit status is 1; the values equal TF1's Adam on the same graph."""
    script = _write(tmp_path / "legacy_train.py", _LEGACY)
    out = tmp_path / "values.npy"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from tfv1compat.cli.main import run_command; "
            "raise SystemExit(run_command('run', sys.argv[1:]))",
            script,
            "3",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.strip().splitlines()[-1] == train.AdamOptimizer.__module__
    raise_line = 1 + textwrap.dedent(_LEGACY).splitlines().index(
        'raise RuntimeError("done")  # the traceback must point here'
    )
    frames = [line for line in result.stderr.splitlines() if line.startswith("  File ")]
    assert frames == ['  File "%s", line %d, in <module>' % (script, raise_line)]
    assert result.stderr.rstrip().endswith("RuntimeError: done")

    # The oracle: TF1's own AdamOptimizer on the same graph (Graph + Session, as the script),
    # in this process. The script's disable_v2_behavior() makes ref variables (ApplyAdam) where
    # this graph has resource ones (ResourceApplyAdam): both run the same CPU functor, so the
    # values are equal exactly.
    with tf.Graph().as_default():
        x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        w = tf.compat.v1.get_variable("w", initializer=tf.constant([[0.5], [-0.5]]))
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - 1.0))
        opt = tf.compat.v1.train.AdamOptimizer(0.1)
        train_op = opt.minimize(loss)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            for _ in range(3):
                sess.run(train_op)
            expected = np.concatenate([a.ravel() for a in sess.run([w, opt.get_slot(w, "m")])])
    np.testing.assert_array_equal(np.load(out), expected)
