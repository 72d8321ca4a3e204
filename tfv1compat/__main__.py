"""Command line: ``python -m tfv1compat [demo]`` (also installed as ``tfv1compat``).

Commands:
  demo   run a bundled TF1 training program with tfv1compat and with tf.compat.v1.train, in
         eager, tf.function and Graph+Session modes, and print a parity table (the default).

Planned commands (``run``, ``scan``, ``convert-checkpoint``) will be added as subparsers in
``build_parser``; unknown commands are an argparse error (exit status 2).
"""

from __future__ import annotations

import argparse
import os
import sys

# Must precede the first `import tensorflow` to have any effect. Note that `python -m tfv1compat`
# and the console script import the package (and so TensorFlow) before this module runs.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive integer, got %s" % text)
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tfv1compat",
        description="TF1's tf.train optimizers, bit-exact, on TensorFlow 2.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="compare tfv1compat with tf.compat.v1.train on a bundled TF1 program (default)",
        description=(
            "Train a tiny TF1-style model with every tfv1compat optimizer and with "
            "tf.compat.v1.train, in eager, tf.function and Graph+Session modes, and print the "
            "largest difference (0.0 expected). Exit status 1 if any row differs or fails."
        ),
    )
    demo.add_argument(
        "--steps",
        type=_positive_int,
        default=20,
        help="training steps per run (default: 20)",
    )
    demo.add_argument(
        "--no-progress",
        action="store_true",
        help=(
            "no progress bar on stderr (it is also off when stderr is not a terminal); "
            "TF's native log lines then reach stderr unfiltered"
        ),
    )
    from tfv1compat import convert, runner, scan  # none of them imports TensorFlow

    for name, module, help_text in (
        (
            "run",
            runner,
            "run an unmodified TF1 script on tfv1compat (as `python SCRIPT ARGS` would)",
        ),
        (
            "scan",
            scan,
            "report a codebase's uses of TF1's tf.train and whether tfv1compat covers them",
        ),
        (
            "convert-checkpoint",
            convert,
            "write a Keras 3 optimizer checkpoint from a TF1/tfv1compat one",
        ),
    ):
        module.add_arguments(
            commands.add_parser(name, help=help_text, description=module.build_parser().description)
        )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["demo"])
    if args.command == "demo":
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")
        from tfv1compat import demo

        return demo.run_demo(steps=args.steps, progress=not args.no_progress)
    if args.command in ("run", "scan", "convert-checkpoint"):
        from tfv1compat import convert, runner, scan

        return {"run": runner, "scan": scan, "convert-checkpoint": convert}[args.command].main(args)
    parser.error("unknown command %r" % args.command)  # unreachable: argparse checks choices
    return 2


if __name__ == "__main__":
    sys.exit(main())
