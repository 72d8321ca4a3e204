"""The report of a scan: files walked, uses grouped by name, as a text table or JSON."""

from __future__ import annotations

import dataclasses
import io
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from tfv1compat.cli.scan.finder import FileError, Use, analyze
from tfv1compat.cli.scan.names import (
    COVERED,
    NOT_COVERED,
    PARTIAL,
    STATUS_LABELS,
    STATUS_ORDER,
    UNCHANGED_STATUS,
)


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


def read_source(path: str) -> bytes:
    """A file's bytes (scanned and rewritten as bytes: its encoding is the parser's business)."""
    with open(path, "rb") as f:
        return f.read()


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
            source = read_source(item)
        except OSError as error:
            report.errors.append(
                FileError(item, None, "%s: %s" % (type(error).__name__, error.strerror))
            )
            continue
        report.files.append(item)
        _, found, error = analyze(source, item)
        if error is not None:
            report.errors.append(error)
        report.uses.extend(f.use for f in found)
    return report
