"""``migration_guide/README.md``: every code block is a file of the guide or a command that runs.

* ```` ```python file=NAME ```` blocks must equal ``migration_guide/NAME`` byte for byte;
* ```` ```console ```` blocks hold ``$ command`` lines, each followed by the output it must
  print on stdout (matched in order, line by line; ``...`` matches any text, alone on a line it
  skips any number of lines). Commands run in order, in a fresh copy of ``migration_guide/``,
  and must exit 0 (``console exit=N`` for another status);
* no other code block is allowed, so nothing in the guide goes unchecked.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

GUIDE_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "migration_guide"
)
README = os.path.join(GUIDE_DIR, "README.md")
_FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```\s*$", re.S | re.M)
_COMMANDS = {"run": "runner", "scan": "scan", "convert-checkpoint": "convert"}


@dataclasses.dataclass
class Block:
    info: str
    body: str
    line: int

    @property
    def language(self) -> str:
        return self.info.split()[0] if self.info.split() else ""

    def option(self, key: str) -> str | None:
        for word in self.info.split()[1:]:
            name, _, value = word.partition("=")
            if name == key:
                return value
        return None


def _blocks() -> list[Block]:
    with open(README) as f:
        text = f.read()
    return [
        Block(m["info"].strip(), m["body"], text.count("\n", 0, m.start()) + 1)
        for m in _FENCE.finditer(text)
    ]


def test_every_block_is_a_checked_kind():
    kinds = [(b.language, b.option("file")) for b in _blocks()]
    assert all(
        (lang == "python" and name) or (lang == "console" and name is None) for lang, name in kinds
    ), kinds
    assert sum(lang == "console" for lang, _ in kinds) >= 5


@pytest.mark.parametrize(
    "block", [b for b in _blocks() if b.language == "python"], ids=lambda b: b.option("file")
)
def test_file_blocks_are_the_files(block):
    """What the guide shows is exactly what runs (and what a reader runs from the directory)."""
    with open(os.path.join(GUIDE_DIR, block.option("file"))) as f:
        assert f.read() == block.body


def _registered_commands() -> set[str]:
    """Subcommands ``python -m tfv1compat`` knows (the lead registers run/scan/convert)."""
    from tfv1compat.cli import main as entry

    parser = entry.build_parser()
    for action in parser._actions:  # argparse keeps subparsers here; no public accessor
        if hasattr(action, "choices") and isinstance(action.choices, dict):
            return set(action.choices)
    return set()


def _argv(command: str) -> list[str]:
    """The command as a process: ``python`` is this interpreter; a ``python -m tfv1compat X``
    whose X is not registered yet runs the same module's ``cli`` instead."""
    words = shlex.split(command)
    assert words[0] == "python", command
    words[0] = sys.executable
    if words[1:3] == ["-m", "tfv1compat"] and words[3] not in _registered_commands():
        module = _COMMANDS[words[3]]
        code = "import sys; from tfv1compat import %s as m; raise SystemExit(m.cli(sys.argv[1:]))"
        return [sys.executable, "-c", code % module, *words[4:]]
    return words


def _matches(expected: list[str], actual: list[str]) -> str | None:
    """None if ``expected`` (with ``...`` wildcards) appears in order in ``actual``."""
    position = 0
    skip = False
    for pattern in expected:
        if pattern.strip() == "...":
            skip = True
            continue
        regex = re.compile(
            ".*".join(re.escape(part) for part in pattern.rstrip().split("...")) + "$"
        )
        while position < len(actual) and not regex.match(actual[position].rstrip()):
            if not skip:
                return "expected %r, got %r" % (pattern, actual[position])
            position += 1
        if position == len(actual):
            return "expected %r, not found" % pattern
        position += 1
        skip = False
    return None


def _commands(block: Block) -> list[tuple[str, list[str]]]:
    commands: list[tuple[str, list[str]]] = []
    for line in block.body.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        else:
            assert commands, "output before any command in the block at line %d" % block.line
            commands[-1][1].append(line)
    return commands


@pytest.mark.slow
def test_console_blocks_run_in_order_and_print_what_the_guide_shows(tmp_path):
    """The guide end to end: scan, run (step 1), step 2, convert + step 3, Saver conversion."""
    workdir = tmp_path / "migration_guide"
    shutil.copytree(GUIDE_DIR, workdir, ignore=shutil.ignore_patterns("ckpt", "__pycache__"))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONDONTWRITEBYTECODE="1")
    ran = 0
    for block in _blocks():
        if block.language != "console":
            continue
        status = int(block.option("exit") or 0)
        for command, expected in _commands(block):
            result = subprocess.run(
                _argv(command), cwd=workdir, env=env, capture_output=True, text=True, timeout=300
            )
            where = "README.md line %d: %s" % (block.line, command)
            assert result.returncode == status, "%s\n%s%s" % (where, result.stdout, result.stderr)
            mismatch = _matches(expected, result.stdout.splitlines())
            assert mismatch is None, "%s: %s\n--- stdout:\n%s" % (where, mismatch, result.stdout)
            ran += 1
    assert ran >= 6
