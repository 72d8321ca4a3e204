"""``tfv1compat demo``: the bundled TF1 program, tfv1compat next to ``tf.compat.v1.train``.

The program itself is ``parity_demo`` (it imports TensorFlow); this module is the command.
"""

from __future__ import annotations

import argparse

from tfv1compat._tf import requirement

HELP = "compare tfv1compat with tf.compat.v1.train on a bundled TF1 program (default)"
DESCRIPTION = (
    "Train a tiny TF1-style model with every tfv1compat optimizer and with "
    "tf.compat.v1.train, in eager, tf.function and Graph+Session modes, and print the "
    "largest difference (0.0 expected). Exit status 1 if any row differs or fails."
)
DEFAULT_STEPS = 20


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive integer, got %s" % text)
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--steps",
        type=_positive_int,
        default=DEFAULT_STEPS,
        help="training steps per run (default: %d)" % DEFAULT_STEPS,
    )
    parser.add_argument(
        "--no-progress",
        action="store_true",
        help=(
            "no progress bar on stderr (it is also off when stderr is not a terminal); "
            "TF's native log lines then reach stderr unfiltered"
        ),
    )


def main(args: argparse.Namespace) -> int:
    requirement.check()
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    from tfv1compat.cli import parity_demo

    return parity_demo.run_demo(steps=args.steps, progress=not args.no_progress)
