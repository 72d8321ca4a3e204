"""Drop-in mode: make ``tf.train`` and ``tf.compat.v1.train`` resolve to tfv1compat's names.

``install()`` sets, on TF2's ``tf.train`` module and on ``tf.compat.v1.train``, every name of
``tfv1compat.surface.TRAIN`` (the one table of names tfv1compat implements; see ``provided()``)
to tfv1compat's object (on TF2's ``tf.train`` only the rows with ``on_tf2_train``), so
unchanged TF1 code such as ``tf.train.AdamOptimizer(0.1)`` runs on TensorFlow 2, and
code that looks a name up at call time (``isinstance(opt, tf.compat.v1.train.Optimizer)``) sees
ours. Names tfv1compat does not implement (``tf.train.Checkpoint``, ``Saver``, ...) are never
touched; a name present in both TF and the table (``latest_checkpoint``, say) is replaced only
because the table lists it.

``uninstall()`` puts both namespaces back exactly as they were: the same objects under the same
names, names that TF2's ``tf.train`` did not have deleted again, and ``tf.compat.v1.train``'s
``__all__`` and lookup cache restored. Both calls are idempotent and thread-safe.

Every spelling of the namespaces sees the patch, whether the user's code imports TensorFlow
before or after ``install()``: ``import tensorflow as tf; tf.train``, ``tf.compat.v1.train``,
``import tensorflow.compat.v1 as tf1; tf1.train``, ``from tensorflow.compat.v1 import train``,
``from tensorflow import train``, ``from tensorflow.train import X``, ``from
tensorflow.compat.v1.train import X`` and ``import tensorflow.compat.v1.train``. The last three
need care: TF registers no ``sys.modules`` entry under those public names, so such an import
executes TF's API package a second time and *replaces* ``tf.train`` (or
``tf.compat.v1.train``) with the fresh, unpatched copy. ``install()`` therefore registers the
patched namespaces (and the sub-namespaces it patches, such as ``.experimental``) in
``sys.modules`` under their public names, and also patches a copy that such an import made
before ``install()``. A name bound before ``install()`` (``from tensorflow.compat.v1.train
import AdamOptimizer`` executed earlier) keeps the object it was bound to, as with any import.

Example::

    import tensorflow as tf
    import tfv1compat

    tfv1compat.install()
    opt = tf.train.AdamOptimizer(0.1)   # tfv1compat.train.AdamOptimizer
    tfv1compat.uninstall()
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
import threading
import types
from typing import Any

from tfv1compat import surface

__all__ = ["implementation", "install", "is_installed", "provided", "uninstall"]

_MISSING = object()
_LOCK = threading.RLock()


@dataclasses.dataclass
class _Saved:
    """What one namespace object held before ``install()``, for an exact undo."""

    namespace: Any  # a module, or TF's TFModuleWrapper around one
    entries: dict[str, Any]  # name -> previous ``vars(namespace)`` entry, or _MISSING
    all_names: list[str] | None  # a copy of ``__all__`` (the wrapper appends to it)


_saved: list[_Saved] | None = None  # None while not installed
_registered: list[tuple[str, Any]] = []  # sys.modules entries install() added


def implementation(entry: surface.Name) -> Any:
    """tfv1compat's object for one row of the names table.

    The row's ``module`` is imported and its (possibly dotted) ``name`` looked up there. A
    namespace row (``experimental``, whose module *is* ``tfv1compat.train.experimental``)
    gives the module itself.

    Raises:
      ImportError: The row's module does not import.
      AttributeError: The module has no such name and is not the row's namespace.
    """
    module = importlib.import_module(entry.module)
    found = _lookup(module, entry.name)
    if found is not _MISSING:
        return found
    from tfv1compat import train

    if _lookup(train, entry.name) is module:
        return module
    raise AttributeError("module %r has no attribute %r" % (entry.module, entry.name))


def provided() -> dict[str, tuple[surface.Name, Any]]:
    """Every name tfv1compat provides, dotted from the train namespace, with its row and object.

    A namespace row stands for the names in its module's ``__all__``
    (``experimental.MixedPrecisionLossScaleOptimizer``, ...), which take the row's coverage;
    the names TF has in that sub-namespace and tfv1compat does not are not provided.
    """
    names: dict[str, tuple[surface.Name, Any]] = {}
    for entry in surface.TRAIN:
        ours = implementation(entry)
        if isinstance(ours, types.ModuleType):
            for inner in getattr(ours, "__all__", ()):
                names["%s.%s" % (entry.name, inner)] = (entry, getattr(ours, inner))
        else:
            names[entry.name] = (entry, ours)
    return names


def _lookup(holder: Any, dotted_name: str) -> Any:
    found = holder
    for part in dotted_name.split("."):
        found = getattr(found, part, _MISSING)
        if found is _MISSING:
            return _MISSING
    return found


TF2_TRAIN, V1_TRAIN = "tensorflow.train", "tensorflow.compat.v1.train"


def _namespaces() -> list[tuple[str, Any]]:
    """(public name, module) of TF2's ``tf.train`` and ``tf.compat.v1.train``.

    The modules reached the way user code reaches them, plus any different copy that an
    ``import tensorflow.train``-style statement already put in ``sys.modules``.
    """
    import tensorflow as tf

    found = [(TF2_TRAIN, tf.train), (V1_TRAIN, tf.compat.v1.train)]
    for public_name, namespace in list(found):
        copy = sys.modules.get(public_name)
        if copy is not None and copy is not namespace:
            found.append((public_name, copy))
    return found


def _backing_objects(namespace: Any) -> list[Any]:
    """The objects whose ``__dict__`` an attribute assignment on ``namespace`` changes.

    TF wraps ``tf.compat.v1.train`` in a ``TFModuleWrapper`` whose ``__setattr__`` writes both
    the wrapper and the wrapped module (and appends to the shared ``__all__``).
    """
    wrapped = vars(namespace).get("_tfmw_wrapped_module")
    return [namespace] if wrapped is None else [namespace, wrapped]


def _parent(namespace: Any, dotted_name: str) -> tuple[Any, list[str], str] | None:
    """(holder, path to it, leaf): where the last part of ``dotted_name`` lives, if anywhere."""
    *parents, leaf = dotted_name.split(".")
    holder = namespace
    for part in parents:
        holder = getattr(holder, part, None)
        if not isinstance(holder, types.ModuleType):
            return None
    return holder, parents, leaf


def _register(public_name: str, module: Any) -> None:
    """Make ``import <public_name>`` return ``module`` instead of executing a fresh copy."""
    if public_name not in sys.modules:
        sys.modules[public_name] = module
        _registered.append((public_name, module))


def is_installed() -> bool:
    """True between ``install()`` and ``uninstall()``."""
    return _saved is not None


def install() -> None:
    """Point every name of ``surface.TRAIN`` on ``tf.train`` and ``tf.compat.v1.train`` at ours.

    Calling it again while installed does nothing. Names tfv1compat does not implement are
    left untouched, and so is a name of TF2's ``tf.train`` whose row says ``on_tf2_train=False``
    (``Checkpoint``: TF2 has its own, different class by that name, which TF2 code relies on).
    A namespace row (``experimental``) is installed name by name into TF's existing
    sub-namespace (``tf.compat.v1.train.experimental.MixedPrecisionLossScaleOptimizer``), so
    the names of that sub-namespace tfv1compat does not implement stay TF's.
    """
    global _saved
    with _LOCK:
        if _saved is not None:
            return
        replacements = provided()
        saved: dict[int, _Saved] = {}
        try:
            for public_name, namespace in _namespaces():
                _register(public_name, namespace)
                for dotted_name, (entry, ours) in replacements.items():
                    if public_name == TF2_TRAIN and not entry.on_tf2_train:
                        continue  # TF2's tf.train has its own, different object by that name
                    found = _parent(namespace, dotted_name)
                    if found is None:
                        continue
                    holder, parents, leaf = found
                    if parents:
                        _register(".".join([public_name, *parents]), holder)
                    for backing in _backing_objects(holder):
                        record = saved.get(id(backing))
                        if record is None:
                            all_names = vars(backing).get("__all__")
                            record = _Saved(
                                backing,
                                {},
                                list(all_names) if isinstance(all_names, list) else None,
                            )
                            saved[id(backing)] = record
                        record.entries.setdefault(leaf, vars(backing).get(leaf, _MISSING))
                    setattr(holder, leaf, ours)
        except BaseException:
            _restore(list(saved.values()))
            _unregister()
            raise
        _saved = list(saved.values())


def uninstall() -> None:
    """Restore ``tf.train`` and ``tf.compat.v1.train`` exactly; a no-op when not installed."""
    global _saved
    with _LOCK:
        if _saved is None:
            return
        _restore(_saved)
        _unregister()
        _saved = None


def _unregister() -> None:
    while _registered:
        public_name, module = _registered.pop()
        if sys.modules.get(public_name) is module:
            del sys.modules[public_name]


def _restore(records: list[_Saved]) -> None:
    from tfv1compat._tf import internals  # TensorFlow is imported by now (install() ran)

    for record in reversed(records):
        namespace_dict = vars(record.namespace)
        for name, previous in record.entries.items():
            if previous is _MISSING:
                namespace_dict.pop(name, None)
            else:
                namespace_dict[name] = previous
            # TFModuleWrapper keeps a C-level attribute cache next to its __dict__; drop our
            # entry so the next lookup goes through the restored dict (or the wrapped module).
            internals.forget_cached_attribute(record.namespace, name)
        if record.all_names is not None:
            current = namespace_dict.get("__all__")
            if isinstance(current, list):
                current[:] = record.all_names  # in place: wrapper and module share the list
