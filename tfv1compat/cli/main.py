"""``python -m tfv1compat [COMMAND] ...``: parse the command line, dispatch to ``cli.COMMANDS``.

With no command, the demo runs (``python -m tfv1compat`` is ``python -m tfv1compat demo``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import types

# Must precede the first `import tensorflow` to have any effect; nothing imported so far
# (the package, this module, the command modules) imports TensorFlow.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tfv1compat._tf import requirement  # noqa: E402
from tfv1compat.cli import COMMANDS  # noqa: E402


def command_module(name: str) -> types.ModuleType:
    return importlib.import_module("tfv1compat.cli." + COMMANDS[name])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tfv1compat",
        description="TF1's tf.train optimizers, bit-exact, on TensorFlow 2.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = command_module(name)
        module.add_arguments(
            commands.add_parser(name, help=module.HELP, description=module.DESCRIPTION)
        )
    return parser


def command_parser(name: str) -> argparse.ArgumentParser:
    """The parser of one command on its own (``prog`` is ``tfv1compat NAME``)."""
    module = command_module(name)
    parser = argparse.ArgumentParser(prog="tfv1compat " + name, description=module.DESCRIPTION)
    module.add_arguments(parser)
    return parser


def run_command(name: str, argv: list[str]) -> int:
    """Run one command with its own arguments: ``run_command("scan", ["src/", "--json"])``."""
    return command_module(name).main(command_parser(name).parse_args(argv))


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["demo"])
    try:
        return command_module(args.command).main(args)
    except requirement.TensorFlowRequirementError as error:
        print("tfv1compat %s: %s" % (args.command, error), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
