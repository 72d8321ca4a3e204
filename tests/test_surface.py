"""The public namespace and the names table agree, and every name imports from its module."""

from __future__ import annotations

import importlib

import tensorflow as tf

from tfv1compat import surface, train


def test_train_exports_exactly_the_table():
    assert sorted(train.__all__) == sorted(entry.name for entry in surface.TRAIN)


def test_every_name_lives_where_the_table_says():
    for entry in surface.TRAIN:
        module = importlib.import_module(entry.module)
        assert getattr(module, entry.name) is getattr(train, entry.name), entry.name


def test_every_name_exists_in_tf1():
    for entry in surface.TRAIN:
        assert hasattr(tf.compat.v1.train, entry.name), entry.name


def test_partial_coverage_says_why():
    for entry in surface.TRAIN:
        assert entry.coverage in ("full", "partial"), entry
        assert (entry.coverage == "partial") == bool(entry.caveat), entry
