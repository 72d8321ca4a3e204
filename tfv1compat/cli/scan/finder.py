"""Finding uses in one module's source (libcst, never executed): ``Use`` records.

Two passes of ``_Finder`` over a module: the first collects aliases of the TF namespaces
(``tf_v1 = tf.compat.v1``), the second reports each use and classifies it (``classify``).
``analyze`` also keeps what ``--rewrite`` needs (``Found``).
"""

from __future__ import annotations

import dataclasses
import io
import tokenize
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider

from tfv1compat.cli.scan.classify import classify, colocate_status
from tfv1compat.cli.scan.names import (
    COLOCATE,
    COLOCATE_METHODS,
    DYNAMIC,
    GRADIENTS,
    NAMESPACES,
    V1_TRAIN,
    is_subnamespace,
    is_tf_module_path,
)


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


@dataclasses.dataclass
class Found:
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
    """Collects ``Found`` uses of one module (see the module docstring for what counts)."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider)

    def __init__(self, path: str, lines: list[str]) -> None:
        super().__init__()
        self.path = path
        self.lines = lines
        self.found: list[Found] = []
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
            for prefix, via in NAMESPACES.items():
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
            status, caveat = colocate_status(via)
        else:
            status, caveat = classify(name, via)
        code = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        use = Use(self.path, line, column, name, via, kind, status, caveat, code)
        self.found.append(Found(use, **extra))

    # -- aliases (first pass): `tf_v1 = tf.compat.v1`, `train = tf.train`

    def visit_Assign(self, node: cst.Assign) -> bool | None:
        if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            return None
        target = node.targets[0].target
        target_names = {q.name for q in self.get_metadata(QualifiedNameProvider, target, set())}
        values = {v for v in self.qualified(node.value) if v.split(".")[0] == "tensorflow"}
        if self.collecting_aliases:
            for key in target_names or {target.value}:
                if values and all(is_tf_module_path(v) for v in values):
                    self.aliases.setdefault(key, set()).update(values)
                else:
                    self.aliases[key] = set()  # also bound to something else: ambiguous
        elif values and all(is_tf_module_path(v) for v in values):
            self.alias_values.update((id(node.value), id(target)))  # a binding, not a use
        return None

    # -- uses (second pass)

    def visit_Import(self, node: cst.Import) -> bool:
        return False  # `import tensorflow.compat.v1.train as T` binds; its uses are reported

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if self.collecting_aliases or node.relative or node.module is None:
            return False
        module = _dotted(node.module)
        via = NAMESPACES.get(module or "")
        subnamespace = ""
        if via is None and module is not None:
            head, _, sub = module.rpartition(".")
            if head in NAMESPACES and is_subnamespace(sub):
                via, subnamespace = NAMESPACES[head], sub
        if via is None:
            return False
        if isinstance(node.names, cst.ImportStar):
            self.record(node, DYNAMIC, via, "dynamic")
            return False
        for alias in node.names:
            imported = _dotted(alias.name) or ""
            if not subnamespace and is_subnamespace(imported):
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
        gradients = self.qualified(node.func) & set(GRADIENTS)
        if gradients:
            via = GRADIENTS[min(gradients, key=lambda g: "compat" not in g)]
            position = 4
        elif method in COLOCATE_METHODS and isinstance(node.func, cst.Attribute):
            via = (
                "tf_slim.create_train_op" if method == "create_train_op" else "Optimizer." + method
            )
            position = COLOCATE_METHODS[method]
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
        if len(parts) == 1 and is_subnamespace(parts[0]):
            if isinstance(node, cst.Name):
                return None  # `experimental` imported by name and used bare: not resolvable
            self.record(node, DYNAMIC, via, "dynamic")
            return False
        wanted = 2 if is_subnamespace(parts[0]) else 1
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


def source_lines(source: bytes) -> list[str]:
    """``source``'s lines, decoded with its declared encoding (else UTF-8, replacing errors)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        return source.decode(encoding).splitlines()
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return source.decode("utf-8", "replace").splitlines()


def analyze(source: bytes, path: str) -> tuple[cst.Module | None, list[Found], FileError | None]:
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
    finder = _Finder(path, source_lines(source))
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
    _, found, error = analyze(source, path)
    return [f.use for f in found], error
