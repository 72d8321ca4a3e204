"""``tfv1compat.install()`` / ``uninstall()``: drop-in patching of ``tf.train`` and v1's, undone.

Every test reads the names table (``surface.TRAIN``); none keeps its own list of names.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import types

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfv1compat import surface, train
from tfv1compat.install import implementation, install, is_installed, provided, uninstall

_MISSING = object()


@pytest.fixture(autouse=True)
def _always_uninstall():
    """No test leaks an installed patch into another, even when it fails."""
    yield
    uninstall()


def _lookup(namespace, dotted_name: str):
    found = namespace
    for part in dotted_name.split("."):
        found = getattr(found, part, _MISSING)
        if found is _MISSING:
            return _MISSING
    return found


def _namespace_objects() -> list[object]:
    """Every object whose state install() may change: both namespaces, wrappers, sub-modules."""
    objects = []
    for namespace in (tf.train, tf.compat.v1.train):
        objects.append(namespace)
        wrapped = vars(namespace).get("_tfmw_wrapped_module")
        if wrapped is not None:
            objects.append(wrapped)
        for value in list(vars(namespace).values()):
            if isinstance(value, types.ModuleType) and value.__name__.startswith("tensorflow"):
                objects.append(value)
                inner = vars(value).get("_tfmw_wrapped_module")
                if inner is not None:
                    objects.append(inner)
    return objects


def _snapshot() -> dict:
    """Identity-level picture of the namespaces: every dict entry, ``__all__``, ``sys.modules``."""
    return {
        "dicts": [(obj, dict(vars(obj))) for obj in _namespace_objects()],
        "all": [(obj, list(getattr(obj, "__all__", []) or [])) for obj in _namespace_objects()],
        "modules": dict(sys.modules),
        "train": tf.train,
        "v1_train": tf.compat.v1.train,
    }


def _assert_same(before: dict, after: dict) -> None:
    assert after["train"] is before["train"] and after["v1_train"] is before["v1_train"]
    for (obj, old), (obj2, new) in zip(before["dicts"], after["dicts"]):
        assert obj is obj2
        assert old.keys() == new.keys(), (obj, old.keys() ^ new.keys())
        changed = [k for k in old if old[k] is not new[k]]
        assert not changed, (obj, changed)
    for (obj, old), (_, new) in zip(before["all"], after["all"]):
        assert old == new, obj
    assert before["modules"].keys() == after["modules"].keys()
    assert all(before["modules"][k] is after["modules"][k] for k in before["modules"])


def test_install_points_every_table_name_at_ours():
    """Each provided name resolves to tfv1compat's object on v1's namespace and (if its row
    allows) on TF2's; a namespace row is installed name by name into TF's sub-namespace."""
    names = provided()
    assert {dotted.split(".")[0] for dotted in names} == {e.name for e in surface.TRAIN}
    originals = {dotted: _lookup(tf.train, dotted) for dotted in names}
    install()
    assert is_installed()
    for dotted, (entry, ours) in names.items():
        assert _lookup(tf.compat.v1.train, dotted) is ours, dotted
        expected_tf2 = ours if entry.on_tf2_train else originals[dotted]
        assert _lookup(tf.train, dotted) is expected_tf2, dotted


def test_implementation_is_what_tfv1compat_train_exports():
    """install() installs exactly the objects users import from ``tfv1compat.train``."""
    for entry in surface.TRAIN:
        assert implementation(entry) is _lookup(train, entry.name), entry.name
    for dotted, (_, ours) in provided().items():
        assert _lookup(train, dotted) is ours, dotted


def _public_names() -> dict:
    """(namespace id, dotted name) -> object, for both namespaces and their sub-namespaces."""
    found = {}
    for ns in (tf.train, tf.compat.v1.train):
        for name in dir(ns):
            if name.startswith("_"):
                continue
            value = getattr(ns, name)
            found[(id(ns), name)] = value
            if isinstance(value, types.ModuleType):
                for inner in dir(value):
                    if not inner.startswith("_"):
                        found[(id(ns), name + "." + inner)] = getattr(value, inner)
    return found


def test_names_not_in_the_table_are_untouched():
    """Saver, TF2's Checkpoint, protos, the sub-namespace modules themselves and the names in
    them tfv1compat does not provide: every other public name keeps its object."""
    ours = set(provided())
    before = {key: value for key, value in _public_names().items() if key[1] not in ours}
    assert len(before) > 100
    install()
    after = _public_names()
    changed = [key[1] for key, value in before.items() if after.get(key, _MISSING) is not value]
    assert changed == []


def test_table_functions_do_not_call_themselves_when_installed(tmp_path):
    """Package code must reach TF's own functions, not the patched names (regression:
    ``latest_checkpoint`` called ``tf.train.latest_checkpoint``, i.e. itself, under install())."""
    variable = tf.Variable([1.0, 2.0])
    path = tf.train.Checkpoint(v=variable).save(str(tmp_path / "ckpt"))
    key = "v/.ATTRIBUTES/VARIABLE_VALUE"
    calls = {
        "latest_checkpoint": lambda ns: ns.latest_checkpoint(str(tmp_path)),
        "load_checkpoint": lambda ns: sorted(ns.load_checkpoint(path).get_variable_to_shape_map()),
        "list_variables": lambda ns: ns.list_variables(path),
        "load_variable": lambda ns: ns.load_variable(path, key).tolist(),
        "checkpoint_exists": lambda ns: ns.checkpoint_exists(path),
    }
    names = provided()
    expected = {name: call(tf.compat.v1.train) for name, call in calls.items() if name in names}
    assert expected, "no checkpoint function in the table"
    install()
    for name, value in expected.items():
        assert calls[name](tf.compat.v1.train) == value, name
        if names[name][0].on_tf2_train and hasattr(tf.train, name):
            assert calls[name](tf.train) == value, name


def test_uninstall_restores_both_namespaces_exactly():
    """Same objects, no added names left (AdamOptimizer on TF2's tf.train), same __all__."""
    before = _snapshot()
    assert not hasattr(tf.train, "AdamOptimizer")
    install()
    assert tf.train.AdamOptimizer is train.AdamOptimizer
    uninstall()
    assert not is_installed()
    assert not hasattr(tf.train, "AdamOptimizer")
    assert tf.compat.v1.train.AdamOptimizer is not train.AdamOptimizer
    _assert_same(before, _snapshot())


def test_install_twice_then_uninstall_once_restores():
    """Calling install() again is harmless; one uninstall() undoes both; extra uninstalls too."""
    before = _snapshot()
    install()
    installed = _snapshot()
    install()
    _assert_same(installed, _snapshot())
    uninstall()
    uninstall()
    _assert_same(before, _snapshot())


def test_failed_install_changes_nothing(monkeypatch):
    """A row whose module cannot be imported: install() raises and leaves TF as it was."""
    before = _snapshot()
    bogus = surface.Name("AdamOptimizer", "tfv1compat.no_such_module")
    monkeypatch.setattr(surface, "TRAIN", (*surface.TRAIN[:3], bogus))
    with pytest.raises(ImportError):
        install()
    assert not is_installed()
    _assert_same(before, _snapshot())


def test_install_reads_rows_added_to_the_table(monkeypatch):
    """The table is the only list: a new row is installed (and removed) with no other change."""
    extra = surface.Name("SessionRunHook", "tfv1compat.train")
    marker = type("SessionRunHook", (), {})
    monkeypatch.setattr(surface, "TRAIN", (*surface.TRAIN, extra))
    monkeypatch.setattr(train, "SessionRunHook", marker, raising=False)
    original = tf.compat.v1.train.SessionRunHook
    install()
    assert tf.compat.v1.train.SessionRunHook is marker
    uninstall()
    assert tf.compat.v1.train.SessionRunHook is original


def test_code_that_looks_names_up_at_call_time_sees_ours():
    """``isinstance(opt, tf.compat.v1.train.Optimizer)`` in library code accepts our optimizers."""

    def is_tf1_optimizer(opt) -> bool:  # as tf_slim, Estimator and tensor2tensor check
        return isinstance(opt, tf.compat.v1.train.Optimizer)

    opt = train.GradientDescentOptimizer(0.1)
    assert not is_tf1_optimizer(opt)
    install()
    assert is_tf1_optimizer(opt)
    assert is_tf1_optimizer(tf.compat.v1.train.AdamOptimizer(0.1))


def test_unchanged_tf1_code_trains_keras3_variables_once_installed():
    """The issue's example: ``tf.compat.v1.train.MomentumOptimizer`` on Keras 3 variables fails in
    TF 2.21 and works after install(), equal to tfv1compat called directly (same kernels)."""
    x = np.array([[1.0, 2.0], [3.0, -1.0]], np.float32)

    def run() -> list[np.ndarray]:
        keras.utils.set_random_seed(3)
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        opt = tf.compat.v1.train.MomentumOptimizer(0.1, momentum=0.9)
        for _ in range(3):
            opt.minimize(lambda: tf.reduce_sum(model(x) ** 2), var_list=model.trainable_variables)
        return [v.numpy() for v in model.trainable_variables]

    with pytest.raises(ValueError, match="not tf.Tensor or tf.Variable"):  # TF's own v1 code
        run()
    install()
    patched = run()
    uninstall()
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    opt = train.MomentumOptimizer(0.1, momentum=0.9)
    for _ in range(3):
        opt.minimize(lambda: tf.reduce_sum(model(x) ** 2), var_list=model.trainable_variables)
    for got, want in zip(patched, model.trainable_variables):
        np.testing.assert_array_equal(got, want.numpy())


_SPELLINGS = textwrap.dedent(
    """
    import os, sys
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    from tfv1compat import train
    from tfv1compat.install import install, uninstall

    ours = train.AdamOptimizer
    failures = []

    def check(label, value, expected=ours):
        if value is not expected:
            failures.append(label)

    def all_spellings(phase):
        check(phase + " tf.train", tf.train.AdamOptimizer)
        check(phase + " tf.compat.v1.train", tf.compat.v1.train.AdamOptimizer)
        import tensorflow.compat.v1 as tf1
        check(phase + " tf1.train", tf1.train.AdamOptimizer)
        from tensorflow.compat.v1 import train as v1_train
        check(phase + " from compat.v1 import train", v1_train.AdamOptimizer)
        from tensorflow.compat.v1.train import AdamOptimizer
        check(phase + " from compat.v1.train import", AdamOptimizer)
        from tensorflow.train import AdamOptimizer as tf2_adam
        check(phase + " from tensorflow.train import", tf2_adam)
        import tensorflow.compat.v1.train as imported
        check(phase + " import compat.v1.train", imported.AdamOptimizer)
        from tensorflow import train as tf2_train
        check(phase + " from tensorflow import train", tf2_train.AdamOptimizer)
        # The imports above must not have swapped in fresh, unpatched copies.
        check(phase + " tf.train afterwards", tf.train.AdamOptimizer)
        check(phase + " tf.compat.v1.train afterwards", tf.compat.v1.train.AdamOptimizer)

    install()
    all_spellings("imported after install:")
    uninstall()
    check("uninstalled tf.train", getattr(tf.train, "AdamOptimizer", None), None)
    if tf.compat.v1.train.AdamOptimizer is ours:
        failures.append("uninstalled tf.compat.v1.train")

    # TF itself re-executes its API package for these imports and rebinds tf.train and
    # tf.compat.v1.train to fresh copies; install() must patch those copies too.
    from tensorflow.train import Checkpoint  # noqa: F401
    from tensorflow.compat.v1.train import Saver  # noqa: F401
    install()
    all_spellings("imported before install:")
    uninstall()
    print("FAILURES:", failures)
    sys.exit(1 if failures else 0)
    """
)


@pytest.mark.slow
def test_every_import_spelling_sees_the_patch_in_a_fresh_process():
    """``import tensorflow as tf``, ``tensorflow.compat.v1 as tf1``, ``from ... import``: all of
    them reach the patched namespaces, whether imported before or after ``install()``."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run(
        [sys.executable, "-c", _SPELLINGS], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAILURES: []" in result.stdout


def test_package_exports_install_and_uninstall():
    """``tfv1compat.install()`` / ``tfv1compat.uninstall()``, as the issue and README spell them."""
    import importlib

    import tfv1compat

    # Not `import tfv1compat.install as module`: once exported, the function shadows the module.
    module = importlib.import_module("tfv1compat.install")
    assert tfv1compat.install is module.install
    assert tfv1compat.uninstall is module.uninstall
