"""``tfv1compat.checkpoint``: ``init_from_checkpoint`` and the checkpoint utilities vs TF1.

``tf.compat.v1.train`` is the oracle: for every assignment-map form the same variables get the
same values (graphs: through ``global_variables_initializer()``; eager: at once), the same
errors are raised, and the signatures match. Where TF1 cannot work at all (names in eager mode,
Keras 3 variables), the expected values come from ``tf.compat.v1.train.load_variable``. Missing,
truncated and corrupt checkpoints raise TF1's error types, name the file and change nothing.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import pytest
import signatures
import tensorflow as tf

from tfv1compat import checkpoint as ours
from tfv1compat import train as ours_train

TF1 = tf.compat.v1.train
MODULES = {"ours": ours, "tf1": TF1}

# What a TF1 program saved with ``Saver``: name -> value (all distinct, nothing is zero).
_rng = np.random.default_rng(7)
SAVED = {
    "old_scope/w": _rng.uniform(1, 2, (2, 3)).astype(np.float32),
    "old_scope/b": _rng.uniform(1, 2, (3,)).astype(np.float32),
    "old_scope/inner/v": _rng.uniform(1, 2, (2,)).astype(np.float32),
    "old_scope/big": _rng.uniform(1, 2, (4, 2)).astype(np.float32),
    "root_var": _rng.uniform(1, 2, (4,)).astype(np.float32),
    "dense_ckpt/kernel": _rng.uniform(1, 2, (3, 2)).astype(np.float32),
    "dense_ckpt/bias": _rng.uniform(1, 2, (2,)).astype(np.float32),
}


@pytest.fixture(scope="module")
def saver_checkpoint(tmp_path_factory) -> str:
    """A name-based checkpoint written by ``tf.compat.v1.train.Saver`` in a TF1 graph."""
    directory = tmp_path_factory.mktemp("saver")
    with tf.Graph().as_default() as graph:
        for name, value in SAVED.items():
            tf.compat.v1.get_variable(name, initializer=tf.constant(value))
        saver = TF1.Saver()
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            return saver.save(session, str(directory / "model.ckpt"), global_step=7)


# ---------------------------------------------------------------------------- graph mode

# Each form: the variables to create in the graph (name -> shape) and the assignment map,
# built from the dict of created variables (values may be names or the variables).
GraphForm = tuple[dict[str, tuple[int, ...]], Callable[[dict[str, Any]], Any]]
GRAPH_FORMS: dict[str, GraphForm] = {
    "scope_to_scope": (
        {"new_scope/w": (2, 3), "new_scope/b": (3,), "new_scope/inner/v": (2,), "other/x": (4,)},
        lambda v: {"old_scope/": "new_scope/"},
    ),
    "name_to_name": (
        {"new/w": (2, 3), "new/b": (3,)},
        lambda v: {"old_scope/w": "new/w"},
    ),
    "root_to_root": (
        {"old_scope/w": (2, 3), "root_var": (4,), "dense_ckpt/bias": (2,)},
        lambda v: {"/": "/"},
    ),
    "root_to_scope": (
        {"top/root_var": (4,), "top/old_scope/b": (3,)},
        lambda v: {"/": "top/"},
    ),
    "scope_to_root": (
        {"w": (2, 3), "inner/v": (2,)},
        lambda v: {"old_scope/": "/"},
    ),
    "variable_objects": (
        {"a": (2, 3), "c": (4,), "untouched": (3,)},
        lambda v: {"old_scope/w": v["a"], "root_var": v["c"]},
    ),
    "list_of_pairs_one_tensor_twice": (
        {"x/w": (2, 3), "y/w": (2, 3)},
        lambda v: [("old_scope/w", "x/w"), ("old_scope/w", v["y/w"])],
    ),
    "partitioned_by_name": (
        {"new/big": (4, 2)},
        lambda v: {"old_scope/big": "new/big"},
    ),
    "partitioned_scope": (
        {"new_scope/big": (4, 2), "new_scope/b": (3,)},
        lambda v: {"old_scope/": "new_scope/"},
    ),
    "partitioned_as_list": (
        {"new/big": (4, 2)},
        lambda v: {"old_scope/big": v["new/big"]},
    ),
}


def _graph_init(
    module, path: str, form: GraphForm, *, ref: bool = False
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Build ``form``'s variables (zeros) in a fresh graph, ``init_from_checkpoint``, run
    ``global_variables_initializer()``; return the values and the ``initial_value``s."""
    shapes, make_map = form
    with tf.Graph().as_default() as graph:
        variables = {}
        for name, shape in shapes.items():
            partitioner = tf.compat.v1.fixed_size_partitioner(2) if name.endswith("big") else None
            variable = tf.compat.v1.get_variable(
                name,
                shape=shape,
                initializer=tf.compat.v1.zeros_initializer(),
                partitioner=partitioner,
                use_resource=not ref,
            )
            # A partitioned variable is given as the list of its parts (TF1's list form).
            variables[name] = list(variable) if partitioner is not None else variable
        module.init_from_checkpoint(path, make_map(variables))
        flat = {}
        for name, variable in variables.items():
            for i, part in enumerate(variable if isinstance(variable, list) else [variable]):
                flat[name if not isinstance(variable, list) else f"{name}/part_{i}"] = part
        initial_values = {k: v.initial_value for k, v in flat.items()}
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            return session.run(flat), session.run(initial_values)


@pytest.mark.parametrize("ref", [False, True], ids=["resource", "ref"])
@pytest.mark.parametrize("form", sorted(GRAPH_FORMS))
def test_graph_assignment_map_forms_match_tf1(form: str, ref: bool, saver_checkpoint) -> None:
    """In a Graph, every assignment-map form initializes exactly the variables TF1's does,
    with the same values (checked to be the checkpoint's, not zeros), and ``initial_value``
    becomes the loaded tensor as in TF1; for resource and ref variables."""
    got, got_initial = _graph_init(ours, saver_checkpoint, GRAPH_FORMS[form], ref=ref)
    expected, expected_initial = _graph_init(TF1, saver_checkpoint, GRAPH_FORMS[form], ref=ref)
    assert sorted(got) == sorted(expected)
    for name in expected:
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)
        np.testing.assert_array_equal(got_initial[name], expected_initial[name], err_msg=name)
    loaded = [name for name, value in expected.items() if np.any(value != 0)]
    assert loaded, "the form loaded nothing"
    for name in loaded:
        assert np.any(np.isin(expected[name], np.concatenate([v.ravel() for v in SAVED.values()])))


def test_graph_names_resolve_like_tf1_variable_store(tmp_path) -> None:
    """In a Graph, names resolve through TF1's variable store: ``{'/': '/'}`` after building
    an Adam train op loads the ``get_variable`` variables and their slots, and leaves alone
    what TF1 leaves alone: variables made with ``tf.Variable`` (Adam's ``beta1_power``, and
    ``old_scope/counter``, which the checkpoint does not even hold)."""

    def model(module) -> tf.Operation:
        w = tf.compat.v1.get_variable("old_scope/w", initializer=tf.constant([[1.0, -2.0]]))
        optimizers = ours_train if module is ours else TF1
        return optimizers.AdamOptimizer(0.1).minimize(tf.reduce_sum(w * w))

    with tf.Graph().as_default() as graph:
        train_op = model(TF1)
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            session.run(train_op)
            path = TF1.Saver().save(session, str(tmp_path / "adam"))

    def build_and_load(module) -> dict[str, np.ndarray]:
        with tf.Graph().as_default() as graph:
            model(module)
            tf.Variable(5.0, name="old_scope/counter")
            module.init_from_checkpoint(path, {"/": "/"})
            with tf.compat.v1.Session(graph=graph) as session:
                session.run(tf.compat.v1.global_variables_initializer())
                return session.run({v.op.name: v for v in tf.compat.v1.global_variables()})

    got, expected = build_and_load(ours), build_and_load(TF1)
    assert sorted(got) == sorted(expected)
    for name, value in expected.items():
        np.testing.assert_array_equal(got[name], value, err_msg=name)
    assert expected["beta1_power"] == np.float32(0.9)  # not loaded: not in the store
    np.testing.assert_array_equal(
        expected["old_scope/w/Adam"], TF1.load_variable(path, "old_scope/w/Adam")
    )


def test_graph_directory_means_latest_checkpoint(saver_checkpoint) -> None:
    """A directory stands for its latest checkpoint (``Saver`` wrote the state file)."""
    form = GRAPH_FORMS["name_to_name"]
    got, _ = _graph_init(ours, os.path.dirname(saver_checkpoint), form)
    expected, _ = _graph_init(TF1, saver_checkpoint, form)
    np.testing.assert_array_equal(got["new/w"], expected["new/w"])
    np.testing.assert_array_equal(got["new/w"], SAVED["old_scope/w"])


# ---------------------------------------------------------------------------- errors


ERROR_CASES: dict[str, tuple[dict[str, tuple[int, ...]], Callable, type, str]] = {
    "missing_tensor_by_variable": (
        {"a": (2, 3)},
        lambda v: {"old_scope/nope": v["a"]},
        ValueError,
        r"Tensor old_scope/nope is not found in .* checkpoint",
    ),
    "missing_tensor_in_scope": (
        {"new/w": (2, 3), "new/extra": (1,)},
        lambda v: {"old_scope/": "new/"},
        ValueError,
        r"Tensor old_scope/extra \(extra in old_scope/\) is not found in .* checkpoint",
    ),
    "shape_mismatch": (
        {"a": (3, 2)},
        lambda v: {"old_scope/w": v["a"]},
        ValueError,
        r"Shape of variable a:0 \(\(3, 2\)\) doesn't match with shape of tensor old_scope/w "
        r"\(\[2, 3\]\) from checkpoint reader\.",
    ),
    "scope_to_unknown_name": (
        {"a": (2, 3)},
        lambda v: {"old_scope/w": "no/such_var"},
        ValueError,
        r"Assignment map with scope only name no should map to scope only old_scope/w\. "
        r"Should be 'scope/': 'other_scope/'\.",
    ),
}


def _graph_error(module, path: str, case) -> tuple[Exception, list[np.ndarray]]:
    shapes, make_map, _, _ = case
    with tf.Graph().as_default() as graph:
        variables = {
            name: tf.compat.v1.get_variable(name, initializer=tf.ones(shape), use_resource=True)
            for name, shape in shapes.items()
        }
        with pytest.raises(Exception) as info:
            module.init_from_checkpoint(path, make_map(variables))
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            return info.value, session.run(list(variables.values()))


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_errors_match_tf1_in_graphs(case: str, saver_checkpoint) -> None:
    """A missing tensor, a shape mismatch, a scope mapped to a single name: the same
    exception type as TF1 with TF1's message, and no variable loses its own initializer."""
    error, values = _graph_error(ours, saver_checkpoint, ERROR_CASES[case])
    expected_error, expected_values = _graph_error(TF1, saver_checkpoint, ERROR_CASES[case])
    assert type(error) is type(expected_error) is ERROR_CASES[case][2]
    assert re.search(ERROR_CASES[case][3], str(error)), str(error)
    assert re.search(ERROR_CASES[case][3], str(expected_error)), str(expected_error)
    for got, expected in zip(values, expected_values):
        np.testing.assert_array_equal(got, expected)
        np.testing.assert_array_equal(got, np.ones_like(got))


def test_errors_in_eager_change_nothing(saver_checkpoint) -> None:
    """Eager, with variable objects: a shape mismatch in a later entry of the map raises
    TF1's ValueError, and (unlike TF1, which assigned the earlier entries) nothing changed."""
    a = tf.Variable(tf.ones((2, 3)))
    bad = tf.Variable(tf.ones((5,)))
    with pytest.raises(ValueError, match=r"Shape of variable .* doesn't match"):
        ours.init_from_checkpoint(saver_checkpoint, {"old_scope/w": a, "root_var": bad})
    np.testing.assert_array_equal(a.numpy(), np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"Tensor nope is not found in .* checkpoint"):
        ours.init_from_checkpoint(saver_checkpoint, {"old_scope/w": a, "nope": bad})
    np.testing.assert_array_equal(a.numpy(), np.ones((2, 3)))
    # The oracle agrees on the error types.
    with pytest.raises(ValueError, match=r"Shape of variable .* doesn't match"):
        TF1.init_from_checkpoint(saver_checkpoint, {"root_var": bad})
    with pytest.raises(ValueError, match=r"Tensor nope is not found in .* checkpoint"):
        TF1.init_from_checkpoint(saver_checkpoint, {"nope": bad})


def test_directory_without_checkpoint(tmp_path) -> None:
    """An empty directory: TF1's ValueError from both ``init_from_checkpoint`` and the
    readers, naming the directory."""
    for module in MODULES.values():
        for call in (
            lambda m: m.init_from_checkpoint(str(tmp_path), {"/": "/"}),
            lambda m: m.load_checkpoint(str(tmp_path)),
            lambda m: m.list_variables(str(tmp_path)),
        ):
            with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file"):
                call(module)


# ---------------------------------------------------------------------------- eager mode


def test_eager_variable_objects_match_tf1(saver_checkpoint) -> None:
    """Eager ``tf.Variable`` values: assigned at once, exactly as TF1's eager assignment."""
    results = []
    for module in (ours, TF1):
        a = tf.Variable(tf.zeros((2, 3)))
        c = tf.Variable(tf.zeros((4,)))
        module.init_from_checkpoint(saver_checkpoint, {"old_scope/w": a, "root_var": c})
        results.append((a.numpy(), c.numpy()))
    for got, expected in zip(*results):
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(results[0][0], TF1.load_variable(saver_checkpoint, "old_scope/w"))


def test_eager_names_and_scopes_resolve_live_variables(saver_checkpoint) -> None:
    """Eager, names: TF1 finds no variables (no store in eager TF2); ours resolves scope and
    variable names against live variables. Values equal TF1's ``load_variable``."""
    with tf.name_scope("ifc_eager_scope"):
        w = tf.Variable(tf.zeros((2, 3)), name="w")
        v = tf.Variable(tf.zeros((2,)), name="inner/v")
    with tf.name_scope("ifc_eager_named"):
        b = tf.Variable(tf.zeros((3,)), name="b")
    # TF1 silently loads nothing for a scope in eager mode: the reason for our extension.
    TF1.init_from_checkpoint(saver_checkpoint, {"old_scope/": "ifc_eager_scope/"})
    assert not np.any(w.numpy())
    ours.init_from_checkpoint(saver_checkpoint, {"old_scope/": "ifc_eager_scope/"})
    ours.init_from_checkpoint(saver_checkpoint, {"old_scope/b": "ifc_eager_named/b"})
    np.testing.assert_array_equal(w.numpy(), TF1.load_variable(saver_checkpoint, "old_scope/w"))
    np.testing.assert_array_equal(
        v.numpy(), TF1.load_variable(saver_checkpoint, "old_scope/inner/v")
    )
    np.testing.assert_array_equal(b.numpy(), TF1.load_variable(saver_checkpoint, "old_scope/b"))


def test_eager_name_shared_by_several_variables_loads_all(saver_checkpoint) -> None:
    """Eager names are not unique: every live variable with the name gets the tensor."""
    first = tf.Variable(tf.zeros((3,)), name="ifc_shared/b")
    second = tf.Variable(tf.zeros((3,)), name="ifc_shared/b")
    ours.init_from_checkpoint(saver_checkpoint, {"old_scope/b": "ifc_shared/b"})
    for variable in (first, second):
        np.testing.assert_array_equal(
            variable.numpy(), TF1.load_variable(saver_checkpoint, "old_scope/b")
        )


def test_list_value_must_be_partitions(saver_checkpoint) -> None:
    """A list value means the partitions of one variable, as in TF1: a list of plain
    variables raises TF1's AttributeError, and nothing changes."""
    a = tf.Variable(tf.zeros((2, 3)))
    b = tf.Variable(tf.zeros((2, 3)))
    for module in (ours, TF1):
        with pytest.raises(AttributeError):
            module.init_from_checkpoint(saver_checkpoint, {"old_scope/w": [a, b]})
    assert not np.any(a.numpy()) and not np.any(b.numpy())


def test_keras_variables_by_object_and_by_name(saver_checkpoint) -> None:
    """Keras 3 variables: as values (TF1 raises AttributeError on them) and by their names
    (a Dense layer's scope); values equal TF1's ``load_variable``."""
    layer = keras.layers.Dense(2, name="ifc_dense")
    layer.build((None, 3))
    with pytest.raises(AttributeError):
        TF1.init_from_checkpoint(saver_checkpoint, {"dense_ckpt/bias": layer.bias})
    ours.init_from_checkpoint(saver_checkpoint, {"dense_ckpt/bias": layer.bias})
    np.testing.assert_array_equal(
        layer.bias.numpy(), TF1.load_variable(saver_checkpoint, "dense_ckpt/bias")
    )
    other = keras.layers.Dense(2, name="ifc_dense_by_name")
    other.build((None, 3))
    ours.init_from_checkpoint(saver_checkpoint, {"dense_ckpt/": "ifc_dense_by_name/"})
    for variable, key in ((other.kernel, "dense_ckpt/kernel"), (other.bias, "dense_ckpt/bias")):
        np.testing.assert_array_equal(variable.numpy(), TF1.load_variable(saver_checkpoint, key))


def test_inside_tf_function_assigns_eager_variables(saver_checkpoint) -> None:
    """Called while tracing a ``tf.function`` on eager variables, the values are assigned
    right away (outside the function), as an eager call would."""
    a = tf.Variable(tf.zeros((2, 3)))

    @tf.function
    def load() -> tf.Tensor:
        ours.init_from_checkpoint(saver_checkpoint, {"old_scope/w": a})
        return tf.constant(0)

    load()
    np.testing.assert_array_equal(a.numpy(), TF1.load_variable(saver_checkpoint, "old_scope/w"))


def test_object_based_checkpoint_keys(tmp_path) -> None:
    """Keys of an object-based checkpoint (``.../.ATTRIBUTES/VARIABLE_VALUE``) load too."""
    source = tf.Variable([3.0, 4.0])
    path = tf.train.Checkpoint(model=tf.train.Checkpoint(w=source)).write(str(tmp_path / "ck"))
    results = []
    for module in (ours, TF1):
        target = tf.Variable([0.0, 0.0])
        module.init_from_checkpoint(path, {"model/w/.ATTRIBUTES/VARIABLE_VALUE": target})
        results.append(target.numpy())
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(results[0], [3.0, 4.0])


# ---------------------------------------------------------------------------- utilities


NAMES = (
    "init_from_checkpoint",
    "list_variables",
    "load_variable",
    "load_checkpoint",
    "latest_checkpoint",
    "checkpoint_exists",
)


@pytest.mark.parametrize("name", NAMES)
def test_signatures_match_tf1(name: str) -> None:
    """Same parameters and defaults as ``tf.compat.v1.train.<name>``."""
    assert signatures.without_annotations(getattr(ours, name)) == signatures.without_annotations(
        getattr(TF1, name)
    )


def test_checkpoint_class_signatures_match_tf1() -> None:
    """``Checkpoint``'s constructor, ``save``, ``write`` and ``restore`` take TF1's arguments."""
    for method in ("__init__", "save", "write", "restore"):
        assert signatures.without_annotations(
            getattr(ours.Checkpoint, method)
        ) == signatures.without_annotations(getattr(TF1.Checkpoint, method)), method


def test_readers_match_tf1(saver_checkpoint) -> None:
    """``list_variables``, ``load_variable`` (also with ``:0`` and a directory),
    ``load_checkpoint``, ``latest_checkpoint`` and ``checkpoint_exists`` give TF1's answers."""
    directory = os.path.dirname(saver_checkpoint)
    assert ours.list_variables(saver_checkpoint) == TF1.list_variables(saver_checkpoint)
    assert ours.list_variables(directory) == TF1.list_variables(directory)
    for name in ("old_scope/w", "old_scope/w:0", "root_var"):
        np.testing.assert_array_equal(
            ours.load_variable(directory, name), TF1.load_variable(directory, name)
        )
    reader = ours.load_checkpoint(directory)
    assert (
        reader.get_variable_to_shape_map()
        == TF1.load_checkpoint(saver_checkpoint).get_variable_to_shape_map()
    )
    assert ours.latest_checkpoint(directory) == TF1.latest_checkpoint(directory)
    assert ours.latest_checkpoint(directory) == saver_checkpoint
    assert ours.latest_checkpoint(directory, "nonexistent_state") is None
    assert TF1.latest_checkpoint(directory, "nonexistent_state") is None
    for prefix in (
        saver_checkpoint,
        saver_checkpoint + "-nope",
        os.path.join(directory, "model.ckpt-*"),
        os.path.join(directory, "nonexistent", "x"),
        os.path.join(directory, "checkpoint"),  # a plain file matches as a V1 checkpoint
    ):
        assert ours.checkpoint_exists(prefix) == TF1.checkpoint_exists(prefix), prefix
    with pytest.raises(tf.errors.NotFoundError, match="nope"):
        ours.load_variable(saver_checkpoint, "nope")


# ---------------------------------------------------------------------------- corrupt files


def _truncate(path: str, size: int) -> None:
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[:size])


def _flip(path: str) -> None:
    with open(path, "r+b") as f:
        f.write(b"\xff" * 16)


CORRUPTIONS: dict[str, Callable[[str], None]] = {
    "missing": lambda prefix: [os.remove(p) for p in tf.io.gfile.glob(prefix + ".*")],
    "truncated_data": lambda prefix: _truncate(prefix + ".data-00000-of-00001", 100),
    "empty_data": lambda prefix: _truncate(prefix + ".data-00000-of-00001", 0),
    "missing_data": lambda prefix: os.remove(prefix + ".data-00000-of-00001"),
    "corrupt_data": lambda prefix: _flip(prefix + ".data-00000-of-00001"),
    "truncated_index": lambda prefix: _truncate(prefix + ".index", 20),
    "garbage_index": lambda prefix: pathlib.Path(prefix + ".index").write_bytes(b"x" * 200),
}


@pytest.fixture(scope="module")
def good_checkpoint(tmp_path_factory) -> str:
    """An object-based checkpoint of two variables and an Adam optimizer with slots."""
    directory = tmp_path_factory.mktemp("good")
    w = tf.Variable(np.arange(500, dtype=np.float32))
    b = tf.Variable(np.arange(3, dtype=np.float32))
    opt = TF1.AdamOptimizer(0.1)
    opt.minimize(lambda: tf.reduce_sum(w * w) + tf.reduce_sum(b), var_list=[w, b])
    return tf.train.Checkpoint(optimizer=opt, model=tf.train.Checkpoint(w=w, b=b)).write(
        str(directory / "ck")
    )


def _corrupt_copy(good: str, kind: str, tmp_path) -> str:
    directory = tmp_path / kind
    shutil.copytree(os.path.dirname(good), directory)
    prefix = str(directory / os.path.basename(good))
    CORRUPTIONS[kind](prefix)
    return prefix


def _error_of(call: Callable[[], Any]) -> Exception | None:
    try:
        call()
    except Exception as error:  # the test compares types with the oracle's
        return error
    return None


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_corrupt_checkpoints_fail_naming_the_file(kind: str, good_checkpoint, tmp_path) -> None:
    """Missing, truncated or corrupt files: every reader and ``init_from_checkpoint`` (eager)
    and ``Checkpoint.restore`` raise what TF1 raises (same type, or none when TF1 reads the
    index only), with a message naming the file; no variable (nor slot) changes."""
    prefix = _corrupt_copy(good_checkpoint, kind, tmp_path)
    key = "model/w/.ATTRIBUTES/VARIABLE_VALUE"
    calls = {
        "load_checkpoint": lambda m: m.load_checkpoint(prefix),
        "list_variables": lambda m: m.list_variables(prefix),
        "load_variable": lambda m: m.load_variable(prefix, key),
    }
    for label, call in calls.items():
        error = _error_of(lambda c=call: c(ours))
        expected = _error_of(lambda c=call: c(TF1))
        assert type(error) is type(expected), label
        if error is not None:
            assert prefix in str(error), (label, str(error))

    # init_from_checkpoint: two variables, the first of which would load fine alone.
    results = []
    for module in (ours, TF1):
        b = tf.Variable(np.full(3, -1, np.float32))
        w = tf.Variable(np.full(500, -1, np.float32))
        error = _error_of(
            lambda m=module, b=b, w=w: m.init_from_checkpoint(
                prefix, {"model/b/.ATTRIBUTES/VARIABLE_VALUE": b, key: w}
            )
        )
        results.append((error, b.numpy(), w.numpy()))
    (error, b_value, w_value), (expected, _, _) = results
    assert type(error) is type(expected) and error is not None
    assert prefix in str(error)
    np.testing.assert_array_equal(b_value, np.full(3, -1, np.float32))
    np.testing.assert_array_equal(w_value, np.full(500, -1, np.float32))

    # Checkpoint.restore with existing slots: nothing changes.
    states = []
    for module in (ours, TF1):
        w = tf.Variable(np.full(500, -1, np.float32))
        b = tf.Variable(np.full(3, -1, np.float32))
        opt = TF1.AdamOptimizer(0.1)
        opt.minimize(lambda w=w, b=b: tf.reduce_sum(w * w) + tf.reduce_sum(b), var_list=[w, b])
        before = [v.numpy() for v in [w, b] + opt.variables()]
        checkpoint = module.Checkpoint(optimizer=opt, model=tf.train.Checkpoint(w=w, b=b))
        error = _error_of(lambda c=checkpoint: c.restore(prefix))
        after = [v.numpy() for v in [w, b] + opt.variables()]
        states.append((error, before, after))
    (error, before, after), (expected, _, _) = states
    assert type(error) is type(expected) and error is not None
    assert prefix in str(error)
    for old, new in zip(before, after):
        np.testing.assert_array_equal(old, new)


@pytest.mark.parametrize("kind", ["truncated_data", "corrupt_data", "truncated_index"])
def test_corrupt_checkpoints_in_graphs(kind: str, good_checkpoint, tmp_path) -> None:
    """In a Graph, ``init_from_checkpoint`` reads the tensors once at build time, so a bad
    file raises there (TF1: only when the initializer runs, with the same error type)
    naming the file, and the variables keep their own initializers."""
    prefix = _corrupt_copy(good_checkpoint, kind, tmp_path)
    key = "model/w/.ATTRIBUTES/VARIABLE_VALUE"
    outcomes = []
    for module in (ours, TF1):
        with tf.Graph().as_default() as graph:
            w = tf.compat.v1.get_variable("w", initializer=tf.fill([500], -1.0))
            error = _error_of(lambda m=module, w=w: m.init_from_checkpoint(prefix, {key: w}))
            with tf.compat.v1.Session(graph=graph) as session:
                if error is None:
                    error = _error_of(
                        lambda s=session: s.run(tf.compat.v1.global_variables_initializer())
                    )
                    outcomes.append((error, None))
                else:
                    session.run(tf.compat.v1.global_variables_initializer())
                    outcomes.append((error, session.run(w)))
    (error, value), (expected, _) = outcomes
    assert type(error) is type(expected) and error is not None
    assert prefix in str(error)
    np.testing.assert_array_equal(value, np.full(500, -1, np.float32))
