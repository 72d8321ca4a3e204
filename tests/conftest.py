"""Test configuration: run against the installed package, quiet TF, isolate eager state, and
optionally hide the oracle (``--hide-oracle``, see ``oracle.py``)."""

from __future__ import annotations

import importlib.machinery
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# The tests exercise the installed package (`pip install .`), not the source tree: when an
# installed copy is importable without the repository root, drop the root from sys.path, so a
# packaging mistake (a subpackage left out of the wheel) fails here too. With an editable or
# development install the source tree *is* the installed package, and the root stays.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_TESTS = os.path.dirname(os.path.abspath(__file__))
_without_root = [p for p in sys.path if os.path.abspath(p or os.curdir) != _ROOT]
if importlib.machinery.PathFinder.find_spec("tfv1compat", _without_root) is not None:
    sys.path[:] = _without_root
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

import oracle  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402


def pytest_addoption(parser):
    parser.addoption(
        "--hide-oracle",
        action="store_true",
        help="hide tf.compat.v1.train, as on a TensorFlow without it (see tests/oracle.py)",
    )


def pytest_configure(config):
    if config.getoption("--hide-oracle"):
        os.environ[oracle.ENVIRONMENT_VARIABLE] = "1"
    if oracle.hidden():
        oracle.hide(tf)


def pytest_collection_modifyitems(config, items):
    """Skip a parametrized case whose optimizer configuration the installed oracle cannot
    build (an argument TF1 gained in a later TF: ``optimizer_specs.oracle_lacks``)."""
    import optimizer_specs

    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        specs = [v for v in params.values() if isinstance(v, optimizer_specs.OptimizerSpec)]
        if not specs:
            continue
        spec = specs[0]
        for value in params.values():
            if isinstance(value, str) and value in spec.configs:
                reason = optimizer_specs.oracle_lacks(spec.name, spec.configs[value])
                if reason:
                    item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _clean_eager_collections():
    """Eager mode keeps TF1 collections (GLOBAL_STEP, ...) in one global graph: reset them."""
    graph = tf.compat.v1.get_default_graph()
    saved = {key: list(graph.get_collection(key)) for key in graph.get_all_collection_keys()}
    yield
    for key in graph.get_all_collection_keys():
        graph.clear_collection(key)
    for key, values in saved.items():
        for value in values:
            graph.add_to_collection(key, value)
