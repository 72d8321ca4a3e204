"""The import rules of ARCHITECTURE.md, checked on the package's source (AST, never executed).

* No module imports ``tensorflow.python`` or ``keras.src``.
* ``tf.__internal__`` is read only in ``_tf/internals.py``.
* ``tf.compat`` is reached only in ``_tf/legacy_graph.py``, and as the ``tf.compat.v1.train``
  *module* in ``install.py`` (which patches it), ``cli/scan`` (which lists its names) and the
  demo's reference (``cli/parity_demo.py``).
* An underscored attribute that tfv1compat itself does not define (TF's private API) is read
  only in ``_tf/internals.py``.
* ``surface.py`` and ``_tf/requirement.py`` import no TensorFlow at module level.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

import tfv1compat

PACKAGE = pathlib.Path(tfv1compat.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))
INTERNALS = PACKAGE / "_tf" / "internals.py"
LEGACY_GRAPH = PACKAGE / "_tf" / "legacy_graph.py"
READS_V1_TRAIN_MODULE = {
    PACKAGE / "install.py",
    PACKAGE / "cli" / "parity_demo.py",
    *(PACKAGE / "cli" / "scan").rglob("*.py"),
}


def _tree(path: pathlib.Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _relative(path: pathlib.Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def _dotted(node: ast.AST) -> str | None:
    """``tf.compat.v1.train`` for that attribute chain, None for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _our_underscored_names() -> set[str]:
    """Every ``_name`` tfv1compat defines: functions, classes, attributes set, class fields."""
    names = set()
    for path in MODULES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    from tfv1compat import train  # the declared hyperparameters are set with setattr

    for cls in vars(train).values():
        for hyperparameter in getattr(cls, "_HYPERPARAMETERS", ()):
            names |= {hyperparameter.attribute, hyperparameter.tensor_attribute()}
    return {name for name in names if name.startswith("_")}


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_no_tensorflow_python_or_keras_src_imports(path: pathlib.Path) -> None:
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [node.module or ""]
        else:
            continue
        for module in modules:
            assert not module.startswith(("tensorflow.python", "keras.src")), (path, module)


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_tf_internal_and_tf_compat_only_in_their_rooms(path: pathlib.Path) -> None:
    for node in ast.walk(_tree(path)):
        if not isinstance(node, ast.Attribute):
            continue
        dotted = _dotted(node) or ""
        if dotted.startswith("tf.__internal__"):
            assert path == INTERNALS, (_relative(path), node.lineno, dotted)
        if dotted == "tf.compat":
            parent_ok = path == LEGACY_GRAPH or path in READS_V1_TRAIN_MODULE
            assert parent_ok, (_relative(path), node.lineno, "tf.compat")


def test_tf_compat_outside_legacy_graph_is_only_the_v1_train_module() -> None:
    """Outside ``legacy_graph``, ``tf.compat`` is only ever ``tf.compat.v1.train`` (the module)."""
    for path in READS_V1_TRAIN_MODULE:
        tree = _tree(path)
        chains = {
            _dotted(node)
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and (_dotted(node) or "").startswith("tf.compat.")
        }
        longest = {c for c in chains if not any(o != c and o.startswith(c + ".") for o in chains)}
        assert all(c.startswith("tf.compat.v1.train") for c in longest), (_relative(path), longest)


def test_private_tf_attributes_are_read_only_in_internals() -> None:
    ours = _our_underscored_names()
    offenders = []
    for path in MODULES:
        if path == INTERNALS:
            continue
        for node in ast.walk(_tree(path)):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and node.attr not in ours
            ):
                offenders.append("%s:%d %s" % (_relative(path), node.lineno, node.attr))
    assert not offenders, offenders


@pytest.mark.parametrize("relative", ["surface.py", "_tf/requirement.py"])
def test_data_modules_import_no_tensorflow_at_module_level(relative: str) -> None:
    tree = _tree(PACKAGE / relative)
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            assert not any((n or "").split(".")[0] in ("tensorflow", "keras") for n in names)
