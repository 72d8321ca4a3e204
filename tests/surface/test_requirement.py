"""Without TensorFlow >= 2.16, tfv1compat says so in one ImportError (and the CLI in one line).

Each case runs in a subprocess: "no TensorFlow" is a copy of the package under ``python -S``
(no site-packages), "too old" a stand-in ``tensorflow`` package first on ``PYTHONPATH``.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import pytest

import tfv1compat
from tfv1compat._tf import requirement

PACKAGE = pathlib.Path(tfv1compat.__file__).parent


def _run(args: list[str], pythonpath: pathlib.Path, *flags: str) -> subprocess.CompletedProcess:
    environment = {"PYTHONPATH": str(pythonpath), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, *flags, *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )


@pytest.fixture
def package_alone(tmp_path: pathlib.Path) -> pathlib.Path:
    """A directory holding only a copy of the tfv1compat package."""
    shutil.copytree(PACKAGE, tmp_path / "tfv1compat", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


@pytest.fixture
def old_tensorflow(tmp_path: pathlib.Path) -> pathlib.Path:
    """A directory with a ``tensorflow`` package that says it is 2.15.1."""
    (tmp_path / "tensorflow").mkdir()
    (tmp_path / "tensorflow" / "__init__.py").write_text('__version__ = "2.15.1"\n')
    return tmp_path


def test_without_tensorflow_importing_train_names_the_packages(package_alone) -> None:
    result = _run(["-c", "from tfv1compat import train"], package_alone, "-S")
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("tfv1compat._tf.requirement.TensorFlowRequirementError: ")
    assert "needs TensorFlow 2.16 or newer" in last_line and "none is installed" in last_line
    for extra in ("tfv1compat[tf]", "tfv1compat[cpu]", "tfv1compat[and-cuda]"):
        assert extra in last_line


def test_without_tensorflow_the_package_and_install_table_still_import(package_alone) -> None:
    """Importing the package, its names table and its version needs no TensorFlow."""
    code = "import tfv1compat, tfv1compat.surface; print(tfv1compat.__version__)"
    result = _run(["-c", code], package_alone, "-S")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == tfv1compat.__version__


def test_an_old_tensorflow_is_named(old_tensorflow) -> None:
    result = _run(["-c", "from tfv1compat import train"], old_tensorflow)
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert "this environment has TensorFlow 2.15.1" in last_line, result.stderr
    assert isinstance(requirement.TensorFlowRequirementError("x"), ImportError)


@pytest.mark.parametrize("command", [["demo", "--steps", "1"], ["convert-checkpoint", "a", "b"]])
def test_cli_answers_an_old_tensorflow_in_one_line(old_tensorflow, command) -> None:
    if command[0] == "convert-checkpoint":
        command = command + ["--model", "m.py:f", "--optimizer", "adam"]
    result = _run(["-m", "tfv1compat", *command], old_tensorflow)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("tfv1compat %s: tfv1compat needs TensorFlow 2.16" % command[0])


@pytest.mark.parametrize(
    "version, parsed",
    [
        ("2.16.2", (2, 16)),
        ("2.21.0-rc1", (2, 21)),
        ("2.17.0.dev20240101", (2, 17)),
        ("3.0", (3, 0)),
    ],
)
def test_versions_parse(version: str, parsed: tuple[int, int]) -> None:
    assert requirement.parse_version(version) == parsed


def test_an_unreadable_version_is_a_requirement_error() -> None:
    with pytest.raises(requirement.TensorFlowRequirementError, match="cannot read"):
        requirement.parse_version("unknown")
