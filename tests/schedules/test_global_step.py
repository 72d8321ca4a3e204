"""tfv1compat.global_step against tf.compat.v1.train (the oracle), in eager mode and in graphs."""

from __future__ import annotations

import ast
import contextlib
import logging
import pathlib
import re

import numpy as np
import pytest
import signatures
import tensorflow as tf

from tfv1compat import global_step as gs

TF1 = tf.compat.v1.train
GLOBAL_STEP = tf.compat.v1.GraphKeys.GLOBAL_STEP
GLOBAL_VARIABLES = tf.compat.v1.GraphKeys.GLOBAL_VARIABLES


@pytest.fixture(autouse=True)
def _no_eager_global_step():
    """Eager mode keeps GLOBAL_STEP in TF's one global eager graph: empty it around each test."""
    collection = tf.compat.v1.get_default_graph().get_collection_ref(GLOBAL_STEP)
    saved = list(collection)
    collection.clear()
    yield
    collection[:] = saved


@contextlib.contextmanager
def in_mode(mode):
    """Run the body eagerly, or in a fresh ``tf.Graph`` that is the default graph."""
    if mode == "graph":
        with tf.Graph().as_default() as graph:
            yield graph
    else:
        yield tf.compat.v1.get_default_graph()


MODES = ["eager", "graph"]


def _describe(step, graph):
    """What the issue promises about a global step, as comparable data."""
    return dict(
        name=step.name,
        dtype=step.dtype,
        shape=step.shape.as_list(),
        trainable=step.trainable,
        in_global_step=any(s is step for s in graph.get_collection(GLOBAL_STEP)),
        in_global_variables=any(v is step for v in graph.get_collection(GLOBAL_VARIABLES)),
        aggregation=step.aggregation,
        device=step.device,
    )


@pytest.mark.parametrize("mode", MODES)
def test_create_global_step_matches_tf1(mode):
    with in_mode(mode) as graph:
        expected = _describe(TF1.create_global_step(), graph)
    graph.get_collection_ref(GLOBAL_STEP).clear()
    with in_mode(mode) as graph:
        got = _describe(gs.create_global_step(), graph)
    assert got == expected
    assert got["name"] == "global_step:0" and got["dtype"] == tf.int64 and got["shape"] == []
    assert got["in_global_step"] and not got["trainable"]
    # TF1 (and we) add eager variables to GLOBAL_STEP only, graph variables to both.
    assert got["in_global_variables"] == (mode == "graph")


@pytest.mark.parametrize("mode", MODES)
def test_created_once_then_found_again(mode):
    with in_mode(mode):
        step = gs.get_or_create_global_step()
        assert gs.get_or_create_global_step() is step
        assert gs.get_global_step() is step
        for create in (gs.create_global_step, TF1.create_global_step):
            with pytest.raises(ValueError, match=re.escape('"global_step" already exists.') + "$"):
                create()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("creator", ["tfv1compat", "tf1"])
def test_one_step_shared_with_tf1(mode, creator):
    with in_mode(mode):
        make, other = (gs, TF1) if creator == "tfv1compat" else (TF1, gs)
        step = make.get_or_create_global_step()
        assert other.get_global_step() is step
        assert other.get_or_create_global_step() is step


def test_eager_step_is_found_inside_tf_function():
    step = gs.get_or_create_global_step()
    step.assign(4)

    @tf.function(autograph=False)
    def read():
        found = gs.get_global_step()
        assert found is step and TF1.get_global_step() is found
        return found.read_value()

    assert read().numpy() == 4


@pytest.mark.parametrize("scope", ["name_scope", "variable_scope"])
def test_graph_step_name_inside_scopes_matches_tf1(scope):
    def create(module):
        with tf.Graph().as_default():
            opened = (
                tf.name_scope("outer")
                if scope == "name_scope"
                else tf.compat.v1.variable_scope("vs")
            )
            with opened:
                return module.create_global_step().name

    expected = create(TF1)
    assert create(gs) == expected
    # TF1 ignores name scopes but, through get_variable, honours variable scopes.
    assert expected == ("global_step:0" if scope == "name_scope" else "vs/global_step:0")


@pytest.mark.parametrize("fn", ["create_global_step", "get_or_create_global_step"])
def test_graph_argument_is_used_instead_of_the_default_graph(fn):
    def create(module):
        target = tf.Graph()
        with tf.Graph().as_default() as default:
            step = getattr(module, fn)(target)
        return (
            step.graph is target,
            len(target.get_collection(GLOBAL_STEP)),
            len(default.get_collection(GLOBAL_STEP)),
        )

    assert create(gs) == create(TF1) == (True, 1, 0)


def test_resource_variable_named_global_step_is_returned():
    """TF1's bug: it finds the resource handle ``global_step:0`` and raises TypeError."""
    with tf.Graph().as_default():
        variable = tf.compat.v1.Variable(0, name="global_step", dtype=tf.int64)
        assert not tf.compat.v1.get_collection(GLOBAL_STEP)
        message = "Existing \"global_step\" does not have integer type: <dtype: 'resource'>"
        with pytest.raises(TypeError, match=re.escape(message)):
            TF1.get_global_step()
        assert gs.get_global_step() is variable
        assert gs.get_or_create_global_step() is variable
        with pytest.raises(ValueError, match='"global_step" already exists'):
            gs.create_global_step()
        with tf.compat.v1.Session() as sess:
            sess.run(variable.assign(3))
            assert gs.global_step(sess, gs.get_global_step()) == 3


def test_resource_variable_named_global_step_with_float_dtype_is_rejected():
    with tf.Graph().as_default():
        tf.compat.v1.Variable(0.0, name="global_step")
        message = "Existing \"global_step\" does not have integer type: <dtype: 'float32'>"
        with pytest.raises(TypeError, match=re.escape(message) + "$"):
            gs.get_global_step()


def test_integer_tensor_named_global_step_is_found_by_name_as_in_tf1():
    with tf.Graph().as_default():
        tensor = tf.constant(5, tf.int64, name="global_step")
        assert TF1.get_global_step() is tensor
        assert gs.get_global_step() is tensor


@pytest.mark.parametrize("mode", MODES)
def test_no_global_step_gives_none(mode):
    with in_mode(mode):
        assert TF1.get_global_step() is None
        assert gs.get_global_step() is None


def test_several_global_steps_give_none_and_log_an_error(caplog):
    with tf.Graph().as_default() as graph:
        for name in ("a", "b"):
            graph.add_to_collection(
                GLOBAL_STEP, tf.compat.v1.Variable(0, dtype=tf.int64, name=name)
            )
        with caplog.at_level(logging.ERROR, logger="tensorflow"):
            caplog.clear()
            assert gs.get_global_step() is None
            ours = [r.getMessage() for r in caplog.records]
            caplog.clear()
            assert TF1.get_global_step() is None
            theirs = [r.getMessage() for r in caplog.records]
    assert ours == theirs == ["Multiple tensors in global_step collection."]


@pytest.mark.parametrize("mode", MODES)
def test_bad_item_in_collection_raises_type_error(mode):
    with in_mode(mode) as graph:
        graph.add_to_collection(GLOBAL_STEP, tf.Variable(0.5, name="float_step"))
        for fn in (TF1.get_global_step, gs.get_global_step, gs.get_or_create_global_step):
            with pytest.raises(TypeError, match="does not have integer type: <dtype: 'float32'>$"):
                fn()


# --- assert_global_step -------------------------------------------------------------------


def _placeholder(dtype, shape):
    return tf.compat.v1.placeholder(dtype, shape)


ASSERT_CASES = [
    # (id, graph-mode factory, expected message or None when valid)
    ("int", lambda: 1, 'Existing "global_step" must be a Variable or Tensor: 1.'),
    (
        "str",
        lambda: "global_step",
        'Existing "global_step" must be a Variable or Tensor: global_step.',
    ),
    ("np-int", lambda: np.int64(3), 'Existing "global_step" must be a Variable or Tensor: 3.'),
    (
        "float-tensor",
        lambda: tf.constant(1.0),
        "Existing \"global_step\" does not have integer type: <dtype: 'float32'>",
    ),
    (
        "bool-tensor",
        lambda: tf.constant(True),
        "Existing \"global_step\" does not have integer type: <dtype: 'bool'>",
    ),
    (
        "float-variable",
        lambda: tf.Variable(1.0),
        "Existing \"global_step\" does not have integer type: <dtype: 'float32'>",
    ),
    ("vector", lambda: tf.constant([1, 2]), 'Existing "global_step" is not scalar: (2,)'),
    (
        "vector-variable",
        lambda: tf.Variable([[1, 2]]),
        'Existing "global_step" is not scalar: (1, 2)',
    ),
    ("scalar-int32", lambda: tf.constant(1), None),
    ("scalar-int64-variable", lambda: tf.Variable(1, dtype=tf.int64), None),
    ("uint8", lambda: tf.constant(1, tf.uint8), None),
    ("unknown-shape", lambda: _placeholder(tf.int64, None), None),
    ("partly-known-shape", lambda: _placeholder(tf.int64, [None, 2]), None),
]


ASSERT_PARAMS = [
    pytest.param(mode, make, message, id=f"{mode}-{name}")
    for mode in MODES
    for name, make, message in ASSERT_CASES
    if not (mode == "eager" and "shape" in name)  # placeholders exist only in graphs
]


@pytest.mark.parametrize("mode,make,message", ASSERT_PARAMS)
def test_assert_global_step_matches_tf1(mode, make, message):
    with in_mode(mode):
        value = make()
        if message is None:
            assert TF1.assert_global_step(value) is None
            assert gs.assert_global_step(value) is None
        else:
            for fn in (TF1.assert_global_step, gs.assert_global_step):
                with pytest.raises(TypeError, match=re.escape(message) + "$"):
                    fn(value)


def test_assert_global_step_prints_a_tuple_whole():
    """TF1's ``%`` formatting turns a tuple into an unrelated message; ours names the value."""
    with pytest.raises(TypeError, match="not all arguments converted"):
        TF1.assert_global_step((1, 2))
    with pytest.raises(TypeError, match=re.escape("Variable or Tensor: (1, 2).") + "$"):
        gs.assert_global_step((1, 2))


# --- global_step(sess, tensor) ------------------------------------------------------------


def test_global_step_value_eager():
    step = gs.get_or_create_global_step()
    step.assign(7)
    for value in (gs.global_step(None, step), TF1.global_step(None, step)):
        assert value == 7 and type(value) is int


def test_global_step_value_graph():
    with tf.Graph().as_default():
        step = gs.get_or_create_global_step()
        tf.constant(11, tf.int64, name="named_step")
        with tf.compat.v1.Session() as sess:
            sess.run(step.initializer)
            sess.run(step.assign(9))
            for fn in (gs.global_step, TF1.global_step):
                assert fn(sess, step) == 9 and type(fn(sess, step)) is int
                assert fn(sess, "named_step:0") == 11


# --- public surface ------------------------------------------------------------------------


def test_all_and_signatures_match_tf1():
    names = [
        "assert_global_step",
        "create_global_step",
        "get_global_step",
        "get_or_create_global_step",
        "global_step",
    ]
    assert sorted(gs.__all__) == names
    for name in names:
        ours = signatures.without_annotations(getattr(gs, name)).parameters.values()
        theirs = signatures.without_annotations(getattr(TF1, name)).parameters.values()
        assert [(p.name, p.default) for p in ours] == [(p.name, p.default) for p in theirs], name


def test_uses_no_tf_compat_or_private_tf():
    tree = ast.parse(pathlib.Path(gs.__file__).read_text())
    modules = {alias.name for n in ast.walk(tree) if isinstance(n, ast.Import) for alias in n.names}
    modules |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not any(m and (m.startswith("tensorflow.") or "keras" in m) for m in modules), modules
    attributes = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert "compat" not in attributes
