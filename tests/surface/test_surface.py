"""The public namespace and the names table agree, and every name imports from its module."""

from __future__ import annotations

import importlib
import inspect

import pytest
import signatures
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


def _parameters(function, signature=None) -> list[tuple[str, object, object]]:
    """Name, kind and default of each parameter: what callers depend on (not annotations)."""
    signature = signature or inspect.signature(function)
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()]


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
                mine = signatures.as_oracle_has_it(
                    entry.name, getattr(ours, method), getattr(theirs, method)
                )
                assert _parameters(None, mine) == _parameters(getattr(theirs, method)), (
                    f"{entry.name}.{method}"
                )
    else:
        assert _parameters(ours) == _parameters(theirs), entry.name


# ------------------------------------------------------------------ the optimizer registry


def test_registry_lists_every_concrete_optimizer() -> None:
    """``surface.OPTIMIZERS`` holds exactly the exported classes built from a learning rate."""
    concrete = sorted(
        name
        for name in train.__all__
        if isinstance(getattr(train, name), type)
        and issubclass(getattr(train, name), train.Optimizer)
        and next(iter(inspect.signature(getattr(train, name)).parameters), None) == "learning_rate"
    )
    assert sorted(info.class_name for info in surface.OPTIMIZERS) == concrete


@pytest.mark.parametrize("info", surface.OPTIMIZERS, ids=lambda info: info.class_name)
def test_registry_facts_hold_for_ours_and_tf1(info) -> None:
    """Default name, slot names (in creation order) and non-slot names are what both libraries
    create when built with the registry's arguments; the arguments are accepted by both."""
    for module in (train, tf.compat.v1.train):
        cls = getattr(module, info.class_name)
        assert inspect.signature(cls).parameters["name"].default == info.default_name
        kwargs = dict(info.arguments)
        learning_rate = kwargs.pop("learning_rate")
        with tf.Graph().as_default():
            global_step = tf.compat.v1.train.get_or_create_global_step()
            args = (learning_rate, global_step) if info.needs_global_step else (learning_rate,)
            optimizer = cls(*args, **kwargs)
            w = tf.compat.v1.get_variable("w", initializer=tf.ones([2, 2]))
            optimizer.minimize(tf.reduce_sum(w * w), var_list=[w])
            variables = [v for v in tf.compat.v1.global_variables() if v is not w]
            created = [v.op.name for v in variables]
            slots_in_creation_order = [
                name
                for v in variables
                for name in info.slot_names
                if optimizer.get_slot(w, name) is v
            ]
            assert tuple(slots_in_creation_order) == info.slots_for(info.arguments)
            assert sorted(optimizer.get_slot_names()) == sorted(slots_in_creation_order)
            for slot_name in slots_in_creation_order:
                assert optimizer.get_slot(w, slot_name).op.name.startswith("w/" + info.default_name)
            for non_slot in info.non_slot_names:
                assert non_slot in created, (non_slot, created)
