"""The public namespace and the names table agree, and every name imports from its module."""

from __future__ import annotations

import importlib
import inspect

import pytest
import tensorflow as tf

from tfv1compat import surface, train


def test_train_exports_exactly_the_table():
    assert sorted(train.__all__) == sorted(entry.name for entry in surface.TRAIN)


def test_every_name_lives_where_the_table_says():
    for entry in surface.TRAIN:
        module = importlib.import_module(entry.module)
        exported = getattr(train, entry.name)
        if inspect.ismodule(exported):  # a namespace row: the row's module is the namespace
            assert exported is module, entry.name
        else:
            assert getattr(module, entry.name) is exported, entry.name


def test_every_name_exists_in_tf1():
    for entry in surface.TRAIN:
        assert hasattr(tf.compat.v1.train, entry.name), entry.name


def test_partial_coverage_says_why():
    for entry in surface.TRAIN:
        assert entry.coverage in ("full", "partial"), entry
        assert (entry.coverage == "partial") == bool(entry.caveat), entry


def _parameters(function) -> list[tuple[str, object, object]]:
    """Name, kind and default of each parameter: what callers depend on (not annotations)."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


@pytest.mark.parametrize("entry", surface.TRAIN, ids=lambda e: e.name)
def test_signature_equals_tf1(entry):
    """Every exported name is called exactly like TF1's (constructors and public methods too)."""
    ours, theirs = getattr(train, entry.name), getattr(tf.compat.v1.train, entry.name)
    if inspect.ismodule(ours):
        for name in ours.__all__:
            assert _parameters(getattr(ours, name)) == _parameters(getattr(theirs, name)), name
        return
    if inspect.isclass(theirs):
        methods = ["__init__"] + [n for n in dir(theirs) if not n.startswith("_")]
        for method in methods:
            if callable(getattr(theirs, method)):
                assert _parameters(getattr(ours, method)) == _parameters(getattr(theirs, method)), (
                    f"{entry.name}.{method}"
                )
    else:
        assert _parameters(ours) == _parameters(theirs), entry.name
