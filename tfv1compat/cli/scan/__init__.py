"""``python -m tfv1compat scan PATH...``: what a TF1 codebase uses from ``tf.train``, and coverage.

The scanner parses Python files (it never imports or runs them) and reports every use of the
TF1 training API:

* attributes of the namespace, however it is spelled: ``tf.train.X`` (``import tensorflow as
  tf``), ``tf.compat.v1.train.X``, aliases (``import tensorflow.compat.v1 as tf1``,
  ``tf_v1 = tf.compat.v1``), ``from tensorflow.compat.v1 import train`` then ``train.X``,
  sub-namespaces (``tf.compat.v1.train.experimental.X``) and ``getattr(tf.train, "X")``;
* names imported from it (``from tensorflow.compat.v1.train import AdamOptimizer as Adam``:
  the import and every use of ``Adam``);
* the ``colocate_gradients_with_ops`` argument of ``compute_gradients``, ``minimize``,
  ``tf.gradients`` and tf_slim's ``create_train_op`` (``tf_upgrade_v2`` deletes it silently;
  we keep it and say what TF2 does instead);
* dynamic uses of the namespace that cannot be resolved statically (passed around, ``getattr``
  with a computed name, ``import *``).

Each use is classified, and uses are grouped by name:

``covered``
    tfv1compat implements the name (a row of ``tfv1compat.surface.TRAIN`` with full coverage).
``partly covered``
    a row with ``coverage == "partial"``; its caveat is shown.
``works unchanged (TF1's own)``
    TF1 machinery that does not depend on the optimizer and keeps working on TF2 through
    ``tf.compat.v1`` (``Saver``, ``MonitoredTrainingSession``, hooks, ...: the ``UNCHANGED``
    table in ``names``, each with the reason), or a name TF2's ``tf.train`` still has.
``NOT COVERED``
    anything else, including a TF1-only name spelled through TF2's ``tf.train``
    (``import tensorflow as tf; tf.train.Saver``), which fails on TF2 even though
    ``tf.compat.v1.train.Saver`` works.

The exit status is 1 when something used is not covered, else 0. ``--json`` prints the report
as JSON. ``--rewrite`` rewrites uses of covered and partly covered names to tfv1compat
(``tf.train.AdamOptimizer`` -> ``tfv1compat.train.AdamOptimizer`` with ``import tfv1compat``
added; ``from tensorflow.compat.v1.train import AdamOptimizer`` -> ``from tfv1compat.train
import AdamOptimizer``), keeping all other code, formatting and comments (libcst); ``--diff``
prints the changes as a unified diff (without writing unless ``--rewrite`` is also given).
Files with syntax errors are reported and skipped.

The package: ``names`` (the namespaces, statuses, ``UNCHANGED`` and the lookups in TensorFlow
and in the names table), ``finder`` (the libcst visitor: a module's ``Use`` records),
``classify`` (each use's status and caveat), ``report`` (walking PATHs, ``ScanReport``, the
table and JSON) and ``rewrite`` (``--rewrite``, ``--diff``); this module is the command.
"""

from __future__ import annotations

import argparse
import json
import sys

import libcst as cst  # noqa: F401  (scan.cst: the tests patch libcst through it)

from tfv1compat.cli.scan import names
from tfv1compat.cli.scan.classify import classify
from tfv1compat.cli.scan.finder import FileError, Use, scan_source
from tfv1compat.cli.scan.names import (
    COLOCATE,
    COVERED,
    DYNAMIC,
    NOT_COVERED,
    PARTIAL,
    STATUS_LABELS,
    STATUS_ORDER,
    TF2_TRAIN,
    UNCHANGED,
    UNCHANGED_STATUS,
    V1_TRAIN,
)
from tfv1compat.cli.scan.report import Group, ScanReport, read_source, scan_paths
from tfv1compat.cli.scan.rewrite import rewrite_source, unified_diff

__all__ = [
    "COLOCATE",
    "COVERED",
    "DYNAMIC",
    "NOT_COVERED",
    "PARTIAL",
    "STATUS_LABELS",
    "STATUS_ORDER",
    "TF2_TRAIN",
    "UNCHANGED",
    "UNCHANGED_STATUS",
    "V1_TRAIN",
    "FileError",
    "Group",
    "ScanReport",
    "Use",
    "add_arguments",
    "classify",
    "main",
    "rewrite_source",
    "scan_paths",
    "scan_source",
]

_lookup = names.lookup  # the tests read scan._lookup


HELP = "report a codebase's uses of TF1's tf.train and whether tfv1compat covers them"
DESCRIPTION = (
    "Report every use of TF1's tf.train API in Python files (never executed) and "
    "whether tfv1compat covers it. Exit status 1 if something used is not covered."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``scan``."""
    parser.add_argument("paths", nargs="+", metavar="PATH", help="Python files or directories")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--rewrite",
        action="store_true",
        help="rewrite uses of covered names to tfv1compat, in place (formatting kept)",
    )
    parser.add_argument(
        "--diff",
        action="store_true",
        help="print the rewrite as a unified diff (writes nothing unless --rewrite is given)",
    )


def main(args: argparse.Namespace) -> int:
    """``scan``'s entry point: 0 if everything used is covered or unchanged, else 1.

    Exit status 2 if a PATH does not exist.
    """
    report = scan_paths(args.paths)
    if args.json:
        json.dump(report.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(report.render_table())
    if args.rewrite or args.diff:
        rewritten = 0
        stream = sys.stderr if args.json else sys.stdout
        for path in report.files:
            source = read_source(path)
            new_source, changes = rewrite_source(source, path)
            if not changes:
                continue
            rewritten += 1
            if args.diff:
                stream.write(unified_diff(path, source, new_source))
            if args.rewrite:
                with open(path, "wb") as f:
                    f.write(new_source)
        if args.rewrite:
            stream.write("Rewrote %d file%s.\n" % (rewritten, "" if rewritten == 1 else "s"))
    if any(e.message == "No such file or directory" for e in report.errors):
        return 2
    return report.exit_status
