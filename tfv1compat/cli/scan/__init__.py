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
    table below, each with the reason), or a name TF2's ``tf.train`` still has.
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
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import functools
import inspect
import io
import json
import os
import sys
import tokenize
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider

from tfv1compat import surface

__all__ = [
    "UNCHANGED",
    "FileError",
    "Group",
    "ScanReport",
    "Use",
    "add_arguments",
    "classify",
    "cli",
    "main",
    "rewrite_source",
    "scan_paths",
    "scan_source",
]

# ----------------------------------------------------------------------------------------------
# Names that keep working unchanged on TF2, through TF1's own code in tf.compat.v1.train.

_SESSIONS = (
    "TF1's session machinery: runs any train op, initializes tfv1compat's slots with the other "
    "global variables, and shares tfv1compat's global step"
)
_HOOKS = "TF1's session-run hooks: they read tensors and the global step, never the optimizer"
_QUEUES = "TF1's queue and thread machinery (graph mode, as in TF1); independent of the optimizer"
_INPUTS = "TF1's queue-based input pipeline (graph mode, as in TF1); independent of the optimizer"
_CLUSTER = "TF1's cluster and device-placement helpers; independent of the optimizer"
_FILES = "TF1's graph and checkpoint-file utilities: files, not optimizer state"

UNCHANGED: dict[str, str] = {
    "Saver": (
        "TF1's name-based checkpoints: tfv1compat's slots are global variables with TF1's names "
        "(w/Adam, w/Adam_1, beta1_power), so the keys match"
    ),
    **dict.fromkeys(
        (
            "MonitoredTrainingSession",
            "MonitoredSession",
            "SingularMonitoredSession",
            "Scaffold",
            "SessionCreator",
            "ChiefSessionCreator",
            "WorkerSessionCreator",
            "SessionManager",
            "Supervisor",
            "basic_train_loop",
        ),
        _SESSIONS,
    ),
    **dict.fromkeys(
        (
            "SessionRunHook",
            "SessionRunArgs",
            "SessionRunContext",
            "SessionRunValues",
            "StopAtStepHook",
            "CheckpointSaverHook",
            "CheckpointSaverListener",
            "LoggingTensorHook",
            "NanTensorHook",
            "NanLossDuringTrainingError",
            "StepCounterHook",
            "SummarySaverHook",
            "GlobalStepWaiterHook",
            "FinalOpsHook",
            "FeedFnHook",
            "ProfilerHook",
            "SecondOrStepTimer",
        ),
        _HOOKS,
    ),
    **dict.fromkeys(
        (
            "Coordinator",
            "LooperThread",
            "QueueRunner",
            "add_queue_runner",
            "start_queue_runners",
            "queue_runner.QueueRunner",
            "queue_runner.add_queue_runner",
            "queue_runner.start_queue_runners",
        ),
        _QUEUES,
    ),
    **dict.fromkeys(
        (
            "batch",
            "batch_join",
            "shuffle_batch",
            "shuffle_batch_join",
            "maybe_batch",
            "maybe_batch_join",
            "maybe_shuffle_batch",
            "maybe_shuffle_batch_join",
            "input_producer",
            "string_input_producer",
            "range_input_producer",
            "slice_input_producer",
            "limit_epochs",
            "match_filenames_once",
        ),
        _INPUTS,
    ),
    **dict.fromkeys(("Server", "ClusterSpec", "replica_device_setter"), _CLUSTER),
    **dict.fromkeys(
        (
            "import_meta_graph",
            "export_meta_graph",
            "write_graph",
            "get_checkpoint_state",
            "update_checkpoint_state",
            "generate_checkpoint_state_proto",
            "get_checkpoint_mtimes",
            "remove_checkpoint",
            "NewCheckpointReader",
            "summary_iterator",
        ),
        _FILES,
    ),
}
"""TF1 names that work unchanged on TF2 through ``tf.compat.v1.train``, with the reason.

Only machinery that does not depend on the optimizer; a name in ``surface.TRAIN`` is always
classified by that table instead.
"""

# ----------------------------------------------------------------------------------------------
# Classification.

NOT_COVERED, PARTIAL, UNCHANGED_STATUS, COVERED = "not_covered", "partial", "unchanged", "covered"
STATUS_ORDER = (NOT_COVERED, PARTIAL, UNCHANGED_STATUS, COVERED)  # worst first
STATUS_LABELS = {
    COVERED: "covered",
    PARTIAL: "partly covered",
    UNCHANGED_STATUS: "works unchanged (TF1's own)",
    NOT_COVERED: "NOT COVERED",
}

TF2_TRAIN, V1_TRAIN = "tf.train", "tf.compat.v1.train"
_NAMESPACES = {"tensorflow.train": TF2_TRAIN, "tensorflow.compat.v1.train": V1_TRAIN}
_GRADIENTS = {
    "tensorflow.gradients": "tf.gradients",
    "tensorflow.compat.v1.gradients": "tf.compat.v1.gradients",
}

COLOCATE = "colocate_gradients_with_ops"
DYNAMIC = "(dynamic)"
_COLOCATE_METHODS = {"compute_gradients": 4, "minimize": 5, "create_train_op": None}
_COLOCATE_CAVEAT = (
    "accepted and kept: TF2 always colocates gradient ops with their forward ops (TF1's True), "
    "so values are identical and only multi-device placement can differ; tf_upgrade_v2 deletes "
    "the argument silently"
)
_DYNAMIC_CAVEAT = (
    "the namespace is used dynamically (passed as a value, getattr with a computed name, or "
    "import *): the scanner cannot tell which names; under `python -m tfv1compat run` the "
    "names tfv1compat implements resolve to tfv1compat"
)


@functools.cache
def _tf_namespaces() -> tuple[Any, Any, str]:
    """TF's ``tf.compat.v1.train`` and TF2's ``tf.train`` modules (the names, not our patch)."""
    import tensorflow as tf

    return tf.compat.v1.train, tf.train, tf.__version__


def _lookup(namespace: Any, dotted_name: str) -> Any:
    found = namespace
    for part in dotted_name.split("."):
        found = getattr(found, part, None)
        if found is None:
            return None
    return found


def _is_subnamespace(part: str) -> bool:
    """True for ``experimental``, ``queue_runner``: modules inside the train namespaces."""
    tf1_train, tf2_train, _ = _tf_namespaces()
    return any(inspect.ismodule(getattr(ns, part, None)) for ns in (tf1_train, tf2_train))


_provided_cache: tuple[object, dict[str, tuple[surface.Name, Any]]] | None = None


def _provided() -> dict[str, tuple[surface.Name, Any]]:
    """``install.provided()``: every name tfv1compat provides (read from the names table)."""
    global _provided_cache
    # The table is the single source of truth; recompute if it is a different table.
    if _provided_cache is None or _provided_cache[0] is not surface.TRAIN:
        from tfv1compat.install import provided

        _provided_cache = (surface.TRAIN, provided())
    return _provided_cache[1]


def classify(name: str, via: str = V1_TRAIN) -> tuple[str, str]:
    """(status, caveat) of using ``name`` through namespace ``via`` ("tf.train" or v1's)."""
    if name == DYNAMIC:
        return PARTIAL, _DYNAMIC_CAVEAT
    found = _provided().get(name)
    entry = found[0] if found is not None else None
    if entry is not None and (via != TF2_TRAIN or entry.on_tf2_train):
        return (COVERED, "") if entry.coverage == "full" else (PARTIAL, entry.caveat)
    tf1_train, tf2_train, version = _tf_namespaces()
    if entry is not None:
        # install() leaves TF2's own tf.train.<name> (a different object) in place.
        if _lookup(tf2_train, name) is not None:
            return UNCHANGED_STATUS, (
                "tf.train.%s stays TF2's own (tfv1compat.install() leaves it); TF1's version "
                "is tf.compat.v1.train.%s, i.e. tfv1compat.train.%s" % (name, name, name)
            )
        return NOT_COVERED, (
            "TF2's tf.train has no %s: write tf.compat.v1.train.%s (tfv1compat's under "
            "install()) or tfv1compat.train.%s" % (name, name, name)
        )
    in_tf1 = _lookup(tf1_train, name) is not None
    in_tf2 = _lookup(tf2_train, name) is not None
    reason = UNCHANGED.get(name)
    if via == TF2_TRAIN and not in_tf2:
        if reason is not None:
            return NOT_COVERED, (
                "TF2's tf.train has no %s, but TF1's own tf.compat.v1.train.%s works unchanged: "
                "write tf.compat.v1.train.%s, or `import tensorflow.compat.v1 as tf`"
                % (name, name, name)
            )
        if in_tf1:
            return NOT_COVERED, (
                "TF2's tf.train has no %s, and tfv1compat does not implement it" % name
            )
        return NOT_COVERED, "not a name of tf.compat.v1.train in TensorFlow %s" % version
    if reason is not None:
        return UNCHANGED_STATUS, reason
    if in_tf2:
        return UNCHANGED_STATUS, "TF2's tf.train still has it (TensorFlow's own)"
    if in_tf1:
        return NOT_COVERED, (
            "tfv1compat does not implement it; TF's own tf.compat.v1.train.%s still exists, "
            "unchecked with tfv1compat" % name
        )
    return NOT_COVERED, "not a name of tf.compat.v1.train in TensorFlow %s" % version


def _colocate_status(via: str) -> tuple[str, str]:
    if via == "tf.gradients":
        return NOT_COVERED, (
            "TF2's tf.gradients has no colocate_gradients_with_ops argument (TypeError); it "
            "always colocates: drop the argument, or call tf.compat.v1.gradients"
        )
    if via == "tf.compat.v1.gradients":
        return UNCHANGED_STATUS, "TF1's own tf.compat.v1.gradients still takes it"
    return PARTIAL, _COLOCATE_CAVEAT


# ----------------------------------------------------------------------------------------------
# The report.


@dataclasses.dataclass(frozen=True)
class Use:
    """One use of the TF1 training API at ``path:line``."""

    path: str
    line: int
    column: int
    name: str  # "AdamOptimizer", "experimental.X", "colocate_gradients_with_ops", "(dynamic)"
    via: str  # "tf.train", "tf.compat.v1.train", "Optimizer.minimize", "tf.gradients", ...
    kind: str  # "attribute", "import", "name", "getattr", "argument", "dynamic"
    status: str
    caveat: str
    code: str  # the source line, stripped

    @property
    def display_name(self) -> str:
        if self.name == COLOCATE:
            return COLOCATE + "="
        if self.name == DYNAMIC:
            return "tf.train " + DYNAMIC
        return "tf.train." + self.name


@dataclasses.dataclass(frozen=True)
class FileError:
    """A file that was skipped: unreadable, or not valid Python."""

    path: str
    line: int | None
    message: str


@dataclasses.dataclass(frozen=True)
class Group:
    """All uses of one name, with its (worst) status and every distinct caveat."""

    name: str
    status: str
    caveats: tuple[str, ...]
    uses: tuple[Use, ...]

    @property
    def display_name(self) -> str:
        return self.uses[0].display_name


@dataclasses.dataclass
class ScanReport:
    """Everything ``scan_paths`` found."""

    files: list[str]
    uses: list[Use]
    errors: list[FileError]

    def groups(self) -> list[Group]:
        """Uses grouped by name, worst status first, then by name."""
        by_name: dict[str, list[Use]] = {}
        for use in self.uses:
            by_name.setdefault(use.name, []).append(use)
        groups = []
        for name, uses in by_name.items():
            status = min((u.status for u in uses), key=STATUS_ORDER.index)
            caveats = tuple(dict.fromkeys(u.caveat for u in uses if u.caveat))
            groups.append(Group(name, status, caveats, tuple(uses)))
        return sorted(groups, key=lambda g: (STATUS_ORDER.index(g.status), g.name.lower()))

    @property
    def exit_status(self) -> int:
        """1 if something used is not covered, else 0."""
        return int(any(use.status == NOT_COVERED for use in self.uses))

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUS_ORDER, 0)
        for group in self.groups():
            counts[group.status] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        """A JSON-serializable dict (``--json`` prints it)."""
        return {
            "files_scanned": len(self.files),
            "errors": [dataclasses.asdict(e) for e in self.errors],
            "names": [
                {
                    "name": g.name,
                    "api": g.display_name,
                    "status": g.status,
                    "label": STATUS_LABELS[g.status],
                    "caveats": list(g.caveats),
                    "uses": [
                        {
                            "path": u.path,
                            "line": u.line,
                            "column": u.column,
                            "via": u.via,
                            "kind": u.kind,
                            "status": u.status,
                            "code": u.code,
                        }
                        for u in g.uses
                    ],
                }
                for g in self.groups()
            ],
            "summary": self.summary(),
            "exit_status": self.exit_status,
        }

    def render_table(self, width: int = 100) -> str:
        """The human-readable report: one row per name, its uses and caveats below it."""
        out = io.StringIO()
        groups = self.groups()
        out.write(
            "Scanned %d file%s: %d use%s of %d TF1 training-API name%s.\n"
            % (
                len(self.files),
                "" if len(self.files) == 1 else "s",
                len(self.uses),
                "" if len(self.uses) == 1 else "s",
                len(groups),
                "" if len(groups) == 1 else "s",
            )
        )
        if groups:
            name_width = max(len("NAME"), *(len(g.display_name) for g in groups))
            status_width = max(len(label) for label in STATUS_LABELS.values())
            out.write("\n%-*s  %-*s  %s\n" % (name_width, "NAME", status_width, "STATUS", "USES"))
            out.write("%s  %s  %s\n" % ("-" * name_width, "-" * status_width, "----"))
            for g in groups:
                out.write(
                    "%-*s  %-*s  %d\n"
                    % (
                        name_width,
                        g.display_name,
                        status_width,
                        STATUS_LABELS[g.status],
                        len(g.uses),
                    )
                )
                mixed = len({u.status for u in g.uses}) > 1
                for status in STATUS_ORDER:
                    for caveat in dict.fromkeys(
                        u.caveat for u in g.uses if u.status == status and u.caveat
                    ):
                        label = " (%s)" % STATUS_LABELS[status] if mixed else ""
                        out.write(_wrap("note%s: %s" % (label, caveat), width, "    "))
                for use in g.uses:
                    location = "%s:%d" % (use.path, use.line)
                    if mixed:
                        location += " [%s]" % STATUS_LABELS[use.status]
                    code = _clip(use.code, max(60, width - 6 - len(location)))
                    out.write("    %s  %s\n" % (location, code))
        if self.errors:
            out.write(
                "\nSkipped %d file%s:\n" % (len(self.errors), "" if len(self.errors) == 1 else "s")
            )
            for error in self.errors:
                where = error.path if error.line is None else "%s:%d" % (error.path, error.line)
                out.write("    %s: %s\n" % (where, error.message))
        summary = self.summary()
        out.write(
            "\n%d covered, %d partly covered, %d working unchanged, %d not covered.\n"
            % (summary[COVERED], summary[PARTIAL], summary[UNCHANGED_STATUS], summary[NOT_COVERED])
        )
        return out.getvalue()


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _wrap(text: str, width: int, indent: str) -> str:
    import textwrap

    return (
        textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent + "  ")
        + "\n"
    )


# ----------------------------------------------------------------------------------------------
# Finding uses in one module.


@dataclasses.dataclass
class _Found:
    """A use, plus what ``--rewrite`` needs: the namespace node to replace, or the import."""

    use: Use
    namespace_node: cst.CSTNode | None = None  # replaced by tfv1compat.train[.sub]
    subnamespace: str = ""  # "experimental" for experimental.X
    import_node: cst.ImportFrom | None = None
    alias: cst.ImportAlias | None = None


def _dotted(node: cst.CSTNode) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return None if base is None else base + "." + node.attr.value
    return None


class _Finder(cst.CSTVisitor):
    """Collects ``_Found`` uses of one module (see the module docstring for what counts)."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider)

    def __init__(self, path: str, lines: list[str]) -> None:
        super().__init__()
        self.path = path
        self.lines = lines
        self.found: list[_Found] = []
        self.aliases: dict[str, set[str]] = {}  # qualified local name -> TF module paths
        self.alias_values: set[int] = set()  # id() of alias-assignment values (not uses)
        self.handled: set[int] = set()  # id() of nodes already reported through a parent
        self.collecting_aliases = True

    # -- resolution

    def qualified(self, node: cst.CSTNode) -> set[str]:
        names = {q.name for q in self.get_metadata(QualifiedNameProvider, node, set())}
        resolved = set()
        for name in names:
            resolved |= self._resolve_alias(name)
        return resolved

    def _resolve_alias(self, name: str) -> set[str]:
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            targets = self.aliases.get(".".join(parts[:cut]))
            if targets:
                rest = parts[cut:]
                return {".".join([t, *rest]) for t in targets}
        return {name}

    def namespace_of(self, node: cst.CSTNode) -> tuple[str, str] | None:
        """(via, rest) if ``node`` is inside a train namespace; rest "" for the namespace."""
        candidates = []
        for name in self.qualified(node):
            for prefix, via in _NAMESPACES.items():
                if name == prefix:
                    candidates.append((via, ""))
                elif name.startswith(prefix + "."):
                    candidates.append((via, name[len(prefix) + 1 :]))
        if not candidates:
            return None
        # `try: import tensorflow.compat.v1 as tf / except ImportError: import tensorflow as tf`
        # binds both; on TF2 the first succeeds, so prefer v1.
        candidates.sort(key=lambda c: c[0] != V1_TRAIN)
        return candidates[0]

    def position(self, node: cst.CSTNode) -> tuple[int, int]:
        start = self.get_metadata(PositionProvider, node).start
        return start.line, start.column + 1

    def record(self, node: cst.CSTNode, name: str, via: str, kind: str, **extra: Any) -> None:
        line, column = self.position(node)
        if name == COLOCATE:
            status, caveat = _colocate_status(via)
        else:
            status, caveat = classify(name, via)
        code = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        use = Use(self.path, line, column, name, via, kind, status, caveat, code)
        self.found.append(_Found(use, **extra))

    # -- aliases (first pass): `tf_v1 = tf.compat.v1`, `train = tf.train`

    def visit_Assign(self, node: cst.Assign) -> bool | None:
        if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            return None
        target = node.targets[0].target
        target_names = {q.name for q in self.get_metadata(QualifiedNameProvider, target, set())}
        values = {v for v in self.qualified(node.value) if v.split(".")[0] == "tensorflow"}
        if self.collecting_aliases:
            for key in target_names or {target.value}:
                if values and all(_is_tf_module_path(v) for v in values):
                    self.aliases.setdefault(key, set()).update(values)
                else:
                    self.aliases[key] = set()  # also bound to something else: ambiguous
        elif values and all(_is_tf_module_path(v) for v in values):
            self.alias_values.update((id(node.value), id(target)))  # a binding, not a use
        return None

    # -- uses (second pass)

    def visit_Import(self, node: cst.Import) -> bool:
        return False  # `import tensorflow.compat.v1.train as T` binds; its uses are reported

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if self.collecting_aliases or node.relative or node.module is None:
            return False
        module = _dotted(node.module)
        via = _NAMESPACES.get(module or "")
        subnamespace = ""
        if via is None and module is not None:
            head, _, sub = module.rpartition(".")
            if head in _NAMESPACES and _is_subnamespace(sub):
                via, subnamespace = _NAMESPACES[head], sub
        if via is None:
            return False
        if isinstance(node.names, cst.ImportStar):
            self.record(node, DYNAMIC, via, "dynamic")
            return False
        for alias in node.names:
            imported = _dotted(alias.name) or ""
            if not subnamespace and _is_subnamespace(imported):
                continue  # `from tensorflow.compat.v1.train import experimental`: uses reported
            name = (subnamespace + "." if subnamespace else "") + imported
            self.record(alias, name, via, "import", import_node=node, alias=alias)
        return False

    def visit_Call(self, node: cst.Call) -> bool | None:
        if self.collecting_aliases:
            return None
        self._check_colocate(node)
        func_names = {q.name for q in self.get_metadata(QualifiedNameProvider, node.func, set())}
        if "builtins.getattr" in func_names and len(node.args) >= 2:
            target = node.args[0].value
            spot = self.namespace_of(target)
            attribute = node.args[1].value
            if spot is not None and spot[1] == "" and isinstance(attribute, cst.SimpleString):
                name = attribute.evaluated_value
                if isinstance(name, str):
                    self.handled.add(id(target))
                    self.record(node, name, spot[0], "getattr", namespace_node=target)
        return None

    def _check_colocate(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
        elif isinstance(node.func, cst.Name):
            method = node.func.value
        else:
            return
        via, position = None, None
        gradients = self.qualified(node.func) & set(_GRADIENTS)
        if gradients:
            via = _GRADIENTS[min(gradients, key=lambda g: "compat" not in g)]
            position = 4
        elif method in _COLOCATE_METHODS and isinstance(node.func, cst.Attribute):
            via = (
                "tf_slim.create_train_op" if method == "create_train_op" else "Optimizer." + method
            )
            position = _COLOCATE_METHODS[method]
        if via is None:
            return
        for index, arg in enumerate(node.args):
            if arg.star:
                break
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword == COLOCATE or (keyword is None and index == position):
                self.record(arg, COLOCATE, via, "argument")
                return

    def visit_Attribute(self, node: cst.Attribute) -> bool | None:
        if self.collecting_aliases:
            return None
        if id(node) in self.handled or id(node) in self.alias_values:
            return False
        return self._visit_reference(node)

    def visit_Name(self, node: cst.Name) -> bool | None:
        if self.collecting_aliases or id(node) in self.handled or id(node) in self.alias_values:
            return None
        self._visit_reference(node)
        return None

    def _visit_reference(self, node: cst.Attribute | cst.Name) -> bool | None:
        spot = self.namespace_of(node)
        if spot is None:
            return None
        via, rest = spot
        parts = rest.split(".") if rest else []
        if not parts:
            self.record(node, DYNAMIC, via, "dynamic")
            return False
        if len(parts) == 1 and _is_subnamespace(parts[0]):
            if isinstance(node, cst.Name):
                return None  # `experimental` imported by name and used bare: not resolvable
            self.record(node, DYNAMIC, via, "dynamic")
            return False
        wanted = 2 if _is_subnamespace(parts[0]) else 1
        if len(parts) > wanted:
            return None  # `tf.train.AdamOptimizer.GATE_OP`: the inner attribute is the use
        name = ".".join(parts)
        if isinstance(node, cst.Attribute):
            subnamespace = parts[0] if wanted == 2 else ""
            self.record(
                node, name, via, "attribute", namespace_node=node.value, subnamespace=subnamespace
            )
            return False
        self.record(node, name, via, "name")  # a name bound by `from ... import`
        return None


def _is_tf_module_path(path: str) -> bool:
    """True for ``tensorflow``, ``tensorflow.compat.v1``, the train namespaces and their subs."""
    if path in ("tensorflow", "tensorflow.compat", "tensorflow.compat.v1"):
        return True
    for prefix in _NAMESPACES:
        if path == prefix:
            return True
        if path.startswith(prefix + ".") and _is_subnamespace(path[len(prefix) + 1 :]):
            return True
    return False


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _source_lines(source: bytes) -> list[str]:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        return source.decode(encoding).splitlines()
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return source.decode("utf-8", "replace").splitlines()


def _analyze(source: bytes, path: str) -> tuple[cst.Module | None, list[_Found], FileError | None]:
    """Parse ``source`` (never executing it) and find its uses."""
    try:
        compile(source, path, "exec", flags=0x400, dont_inherit=True)  # ast.PyCF_ONLY_AST
    except SyntaxError as error:
        return None, [], FileError(path, error.lineno, "%s: %s" % (type(error).__name__, error.msg))
    except (ValueError, UnicodeDecodeError) as error:
        return None, [], FileError(path, None, "%s: %s" % (type(error).__name__, error))
    if (b"tensorflow" not in source or b"train" not in source) and COLOCATE.encode() not in source:
        return None, [], None  # cheap skip: nothing this scanner looks for can be here
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        return (
            None,
            [],
            FileError(
                path,
                error.raw_line,
                "libcst %s cannot parse this file (Python accepts it): %s"
                % (_libcst_version(), error.message),
            ),
        )
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    finder = _Finder(path, _source_lines(source))
    wrapper.visit(finder)  # first pass: aliases
    finder.collecting_aliases = False
    wrapper.visit(finder)
    return module, finder.found, None


def _libcst_version() -> str:
    try:
        from importlib.metadata import version

        return version("libcst")
    except Exception:  # pragma: no cover - metadata missing
        return "?"


def scan_source(source: str | bytes, path: str = "<source>") -> tuple[list[Use], FileError | None]:
    """The uses in one module's source (and the error, if it was skipped)."""
    if isinstance(source, str):
        source = source.encode("utf-8")
    _, found, error = _analyze(source, path)
    return [f.use for f in found], error


def _python_files(paths: Sequence[str]) -> Iterator[str | FileError]:
    """Files named explicitly, and ``*.py`` under directories (hidden dirs skipped), sorted."""
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
                for name in sorted(files):
                    if name.endswith(".py"):
                        yield os.path.join(root, name)
        elif os.path.exists(path):
            yield path
        else:
            yield FileError(path, None, "No such file or directory")


def scan_paths(paths: Iterable[str | os.PathLike]) -> ScanReport:
    """Scan files and directories (recursively, ``*.py``) for uses of the TF1 training API."""
    report = ScanReport([], [], [])
    for item in _python_files([os.fspath(p) for p in paths]):
        if isinstance(item, FileError):
            report.errors.append(item)
            continue
        try:
            source = _read(item)
        except OSError as error:
            report.errors.append(
                FileError(item, None, "%s: %s" % (type(error).__name__, error.strerror))
            )
            continue
        report.files.append(item)
        _, found, error = _analyze(source, item)
        if error is not None:
            report.errors.append(error)
        report.uses.extend(f.use for f in found)
    return report


# ----------------------------------------------------------------------------------------------
# --rewrite


@functools.cache
def _rewrite_targets(name: str) -> tuple[str, str] | None:
    """(expression, module) that reach tfv1compat's ``name``, or None.

    ``("tfv1compat.train", "tfv1compat.train")`` for a top-level name, to rewrite ``X.train``
    into ``tfv1compat.train`` and ``from ... import`` into ``from tfv1compat.train import``;
    for ``experimental.Y``, the sub-namespace's expression and its real module name.
    """
    from tfv1compat import train

    found = _provided().get(name)
    if found is None or _lookup(train, name) is not found[1]:
        return None
    sub = name.rpartition(".")[0]
    if not sub:
        return "tfv1compat.train", "tfv1compat.train"
    holder = _lookup(train, sub)
    if not inspect.ismodule(holder):
        return None
    return "tfv1compat.train." + sub, holder.__name__


class _Rewriter(cst.CSTTransformer):
    def __init__(self, found: list[_Found]) -> None:
        super().__init__()
        self.replace: dict[int, cst.BaseExpression] = {}
        self.imports: dict[int, list[tuple[cst.ImportAlias, str]]] = {}  # ImportFrom -> moved
        self.changes = 0
        self.needs_import = False
        for item in found:
            if item.use.status not in (COVERED, PARTIAL) or item.use.name == DYNAMIC:
                continue
            if item.use.name == COLOCATE:
                continue
            targets = _rewrite_targets(item.use.name)
            if targets is None:
                continue
            expression, module = targets
            if item.namespace_node is not None:
                self.replace[id(item.namespace_node)] = cst.parse_expression(expression)
                self.needs_import = True
            elif item.import_node is not None and item.alias is not None:
                self.imports.setdefault(id(item.import_node), []).append((item.alias, module))

    def _swap(self, original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:
        replacement = self.replace.get(id(original))
        if replacement is None:
            return updated
        self.changes += 1
        return replacement

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> Any:
        return self._swap(original_node, updated_node)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> Any:
        return self._swap(original_node, updated_node)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> Any:
        new_lines: list[cst.SimpleStatementLine] = []
        body = []
        for original, updated in zip(original_node.body, updated_node.body):
            moved = self.imports.get(id(original)) if isinstance(original, cst.ImportFrom) else None
            if not moved or not isinstance(updated, cst.ImportFrom):
                body.append(updated)
                continue
            assert not isinstance(original.names, cst.ImportStar)
            assert not isinstance(updated.names, cst.ImportStar)
            self.changes += len(moved)
            target_of = {id(alias): target for alias, target in moved}
            kept: list[cst.ImportAlias] = []
            by_target: dict[str, list[cst.ImportAlias]] = {}
            for new_alias, old_alias in zip(updated.names, original.names):
                target = target_of.get(id(old_alias))
                if target is None:
                    kept.append(new_alias)
                else:
                    by_target.setdefault(target, []).append(new_alias)
            if not kept and len(by_target) == 1:
                (target,) = by_target
                body.append(updated.with_changes(module=cst.parse_expression(target)))
                continue
            if kept:
                body.append(updated.with_changes(names=_fit_aliases(updated, kept)))
            for target, aliases in sorted(by_target.items()):
                new_import = updated.with_changes(
                    module=cst.parse_expression(target),
                    names=_fit_aliases(updated, aliases),
                    lpar=_without_comment(updated.lpar),
                )
                new_lines.append(cst.SimpleStatementLine(body=[new_import]))
        if body == list(updated_node.body) and not new_lines:
            return updated_node
        lines: list[cst.SimpleStatementLine] = []
        if body:
            lines.append(updated_node.with_changes(body=body))
        else:
            new_lines[0] = new_lines[0].with_changes(leading_lines=updated_node.leading_lines)
        lines.extend(new_lines)
        return cst.FlattenSentinel(lines)


def _fit_aliases(node: cst.ImportFrom, aliases: list[cst.ImportAlias]) -> list[cst.ImportAlias]:
    """``aliases`` (a part of ``node``'s names) laid out to end ``node``'s statement.

    Without parentheses the last may not keep a comma. In parentheses each alias keeps its
    comma and the comment after it, and the last one takes the layout the original last alias
    had before the closing parenthesis.
    """
    if not aliases:
        return aliases
    tail, original_tail = aliases[-1], node.names[-1]
    if not node.lpar:
        tail = tail.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    elif tail is not original_tail:
        own, end = tail.comma, original_tail.comma
        if (
            isinstance(own, cst.Comma)
            and isinstance(end, cst.Comma)
            and isinstance(own.whitespace_after, cst.ParenthesizedWhitespace)
            and isinstance(end.whitespace_after, cst.ParenthesizedWhitespace)
        ):
            layout = own.whitespace_after.with_changes(
                indent=end.whitespace_after.indent, last_line=end.whitespace_after.last_line
            )
            tail = tail.with_changes(comma=own.with_changes(whitespace_after=layout))
        else:
            tail = tail.with_changes(comma=end)
    return [*aliases[:-1], tail]


def _without_comment(lpar: cst.LeftParen | None) -> cst.LeftParen | None:
    """The opening parenthesis of a split-off import: same layout, the comment stays behind."""
    if lpar is None or not isinstance(lpar.whitespace_after, cst.ParenthesizedWhitespace):
        return lpar
    first_line = lpar.whitespace_after.first_line.with_changes(
        whitespace=cst.SimpleWhitespace(""), comment=None
    )
    return lpar.with_changes(
        whitespace_after=lpar.whitespace_after.with_changes(first_line=first_line)
    )


def rewrite_source(source: str | bytes, path: str = "<source>") -> tuple[bytes, int]:
    """``source`` with covered uses rewritten to tfv1compat, and the number of changes.

    Only uses of names tfv1compat covers (fully or partly) change; everything else, comments
    and formatting included, stays byte for byte. ``import tfv1compat`` is added when an
    attribute use was rewritten. A file with a syntax error comes back unchanged.
    """
    if isinstance(source, str):
        source = source.encode("utf-8")
    module, found, error = _analyze(source, path)
    if module is None or error is not None:
        return source, 0
    rewriter = _Rewriter(found)
    if not rewriter.replace and not rewriter.imports:
        return source, 0
    new_module = module.visit(rewriter)
    if rewriter.needs_import and rewriter.changes:
        from libcst.codemod import CodemodContext
        from libcst.codemod.visitors import AddImportsVisitor

        context = CodemodContext()
        AddImportsVisitor.add_needed_import(context, "tfv1compat")
        new_module = AddImportsVisitor(context).transform_module(new_module)
    return new_module.bytes, rewriter.changes


def _diff(path: str, old: bytes, new: bytes) -> str:
    old_text = _decode(old)
    new_text = _decode(new)
    return "".join(
        difflib.unified_diff(
            old_text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            fromfile="a/" + path.lstrip("/"),
            tofile="b/" + path.lstrip("/"),
        )
    )


def _decode(source: bytes) -> str:
    return "\n".join(_source_lines(source)) + ("\n" if source.endswith((b"\n", b"\r")) else "")


# ----------------------------------------------------------------------------------------------
# Command line


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
            source = _read(path)
            new_source, changes = rewrite_source(source, path)
            if not changes:
                continue
            rewritten += 1
            if args.diff:
                stream.write(_diff(path, source, new_source))
            if args.rewrite:
                with open(path, "wb") as f:
                    f.write(new_source)
        if args.rewrite:
            stream.write("Rewrote %d file%s.\n" % (rewritten, "" if rewritten == 1 else "s"))
    if any(e.message == "No such file or directory" for e in report.errors):
        return 2
    return report.exit_status
