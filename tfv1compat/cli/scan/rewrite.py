"""``--rewrite`` and ``--diff``: covered uses rewritten to tfv1compat, formatting kept (libcst)."""

from __future__ import annotations

import difflib
import functools
import inspect
from typing import Any

import libcst as cst

from tfv1compat.cli.scan.finder import Found, analyze, source_lines
from tfv1compat.cli.scan.names import COLOCATE, COVERED, DYNAMIC, PARTIAL, lookup, provided_names


@functools.cache
def _rewrite_targets(name: str) -> tuple[str, str] | None:
    """(expression, module) that reach tfv1compat's ``name``, or None.

    ``("tfv1compat.train", "tfv1compat.train")`` for a top-level name, to rewrite ``X.train``
    into ``tfv1compat.train`` and ``from ... import`` into ``from tfv1compat.train import``;
    for ``experimental.Y``, the sub-namespace's expression and its real module name.
    """
    from tfv1compat import train

    found = provided_names().get(name)
    if found is None or lookup(train, name) is not found[1]:
        return None
    sub = name.rpartition(".")[0]
    if not sub:
        return "tfv1compat.train", "tfv1compat.train"
    holder = lookup(train, sub)
    if not inspect.ismodule(holder):
        return None
    return "tfv1compat.train." + sub, holder.__name__


class _Rewriter(cst.CSTTransformer):
    def __init__(self, found: list[Found]) -> None:
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
    module, found, error = analyze(source, path)
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


def unified_diff(path: str, old: bytes, new: bytes) -> str:
    """``--diff``'s text for one file: ``a/PATH`` -> ``b/PATH``."""
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
    return "\n".join(source_lines(source)) + ("\n" if source.endswith((b"\n", b"\r")) else "")
