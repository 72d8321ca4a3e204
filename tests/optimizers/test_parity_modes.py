"""Bit-for-bit parity with ``tf.compat.v1.train`` in every mode, for every table config.

Modes: inside ``tf.function`` (apply_gradients; minimize with a tensor loss; compute_gradients
then apply_gradients; minimize with a callable loss), eager minimize with a callable loss, and
legacy ``tf.Graph`` + ``Session`` on resource and on ref variables (TF1's ``Apply*`` ref
kernels). Subject and oracle always run in the same mode and are compared exactly after each
step: variables, slots, ``variables()`` (in fresh graphs with identical names), global step.
Finally, the traced graphs must contain the same training kernels as TF1's.
"""

from __future__ import annotations

import contextlib
import re

import pytest
import tensorflow as tf
from optimizer_specs import SPECS, spec_configs
from parity_helpers import (
    LAYOUTS,
    MODULES,
    EagerParity,
    build_eager_side,
    build_eager_sides,
    build_graph_side,
    make_step,
    op_type_counts,
    run_graph_parity,
    step_inputs,
    training_op_counts,
)

CONFIGS = [pytest.param(spec, cid, id=f"{spec.name}-{cid}") for spec, cid in spec_configs()]
# The gradient-path variants below (compute_gradients + apply, var_list=None) share the apply
# path that every config already exercises; running them once per optimizer keeps the file fast.
DEFAULT_CONFIGS = [pytest.param(spec, "default", id=spec.name) for spec in SPECS]


def run_function_parity(spec, config_id: str, how: str, var_list_given: bool = True) -> None:
    """One tf.function per side, traced once and called for every step."""
    layout = "mixed"
    subject, oracle = build_eager_sides(spec, config_id, layout)
    steps = tuple(
        tf.function(make_step(side, how, layout, var_list_given)) for side in (subject, oracle)
    )
    EagerParity(spec, config_id, subject, oracle, layout, tf.float32).run(
        steps, step_inputs(how, layout)
    )
    assert steps[0].experimental_get_tracing_count() == steps[1].experimental_get_tracing_count()


def run_callable_loss_parity(spec, config_id: str, mode: str, var_list_given: bool) -> None:
    """minimize(<callable loss>) per step, eagerly or in one tf.function per side."""
    if mode == "function":
        run_function_parity(spec, config_id, "minimize_callable", var_list_given)
        return
    layout = "mixed"
    subject, oracle = build_eager_sides(spec, config_id, layout)
    steps = tuple(
        make_step(side, "minimize_callable", layout, var_list_given) for side in (subject, oracle)
    )
    EagerParity(spec, config_id, subject, oracle, layout, tf.float32).run(
        steps, step_inputs("minimize_callable", layout)
    )


@pytest.mark.parametrize("how", ["apply", "minimize_tensor"])
@pytest.mark.parametrize("spec,config_id", CONFIGS)
def test_tf_function_parity(spec, config_id, how):
    """Inside tf.function, dense and sparse (tf.gather) gradients together: apply_gradients
    and minimize(<tensor loss>, var_list) equal TF1."""
    run_function_parity(spec, config_id, how)


@pytest.mark.parametrize("spec,config_id", DEFAULT_CONFIGS)
def test_tf_function_compute_then_apply_parity(spec, config_id):
    """Inside tf.function: compute_gradients(<tensor loss>, var_list) + apply_gradients."""
    run_function_parity(spec, config_id, "compute_apply")


@pytest.mark.parametrize("mode", ["eager", "function"])
@pytest.mark.parametrize("spec,config_id", CONFIGS)
def test_minimize_callable_loss_parity(spec, config_id, mode):
    """minimize(<callable loss>, var_list) whose gradients are dense (w, b) and sparse
    (tf.gather on emb, duplicate rows)."""
    run_callable_loss_parity(spec, config_id, mode, var_list_given=True)


@pytest.mark.parametrize("mode", ["eager", "function"])
@pytest.mark.parametrize("spec,config_id", DEFAULT_CONFIGS)
def test_minimize_callable_loss_default_var_list_parity(spec, config_id, mode):
    """minimize(<callable loss>) with var_list=None: the tape's watched trainable variables."""
    run_callable_loss_parity(spec, config_id, mode, var_list_given=False)


@pytest.mark.parametrize("how", ["apply", "minimize"])
@pytest.mark.parametrize("spec,config_id", CONFIGS)
def test_graph_session_parity(spec, config_id, how):
    """tf.Graph + Session with resource variables: apply_gradients of placeholder gradients
    (dense and sparse), or minimize(<tensor loss>) with var_list=None (graph collections).
    Names of slots, non-slot variables and the train op equal TF1's exactly."""
    run_graph_parity(spec, config_id, "mixed", how, ref=False)


@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("spec,config_id", CONFIGS)
def test_ref_variable_parity(spec, config_id, layout):
    """Ref variables (get_variable(use_resource=False)), where TF1 runs its Apply* ref kernels
    and ref scatter ops: dense and sparse parity, slots and non-slot variables are ref too."""
    run_graph_parity(spec, config_id, layout, "apply", ref=True)


# The dense kernel TF1 runs per optimizer (ref name; resource variables add "Resource").
DENSE_KERNELS = {
    "GradientDescentOptimizer": "ApplyGradientDescent",
    "MomentumOptimizer": "ApplyMomentum",
    "AdagradOptimizer": "ApplyAdagrad",
    "AdagradDAOptimizer": "ApplyAdagradDA",
    "AdadeltaOptimizer": "ApplyAdadelta",
    "AdamOptimizer": "ApplyAdam",
    "FtrlOptimizer": "ApplyFtrl",
    "ProximalGradientDescentOptimizer": "ApplyProximalGradientDescent",
    "ProximalAdagradOptimizer": "ApplyProximalAdagrad",
    "RMSPropOptimizer": "ApplyRMSProp",
}
DENSE_KERNEL_BY_CONFIG = {
    ("FtrlOptimizer", "shrinkage_v2"): "ApplyFtrlV2",
    ("RMSPropOptimizer", "centered"): "ApplyCenteredRMSProp",
    ("RMSPropOptimizer", "centered_momentum"): "ApplyCenteredRMSProp",
}


def traced_graph(module, spec, config_id: str, mode: str, layout: str) -> tf.Graph:
    """The graph holding one apply_gradients of ``module``'s optimizer, in ``mode``."""
    if mode == "function":
        side = build_eager_side("traced", module, spec, config_id, layout)
        step = tf.function(make_step(side, "apply", layout))
        return step.get_concrete_function(step_inputs("apply", layout)[0]).graph
    with contextlib.ExitStack() as stack:
        built = build_graph_side(
            "traced",
            module,
            spec,
            config_id,
            layout,
            "apply",
            ref=mode == "graph_ref",
            stack=stack,
        )
    return built.graph


@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("mode", ["function", "graph", "graph_ref"])
@pytest.mark.parametrize("spec,config_id", CONFIGS)
def test_same_training_kernels(spec, config_id, mode, layout):
    """Guards "same kernel": the state-writing ops (``*Apply*``, ``*Scatter*``, ``*Assign*``)
    of one apply_gradients are TF1's, type for type and count for count; a dense apply runs
    TF1's fused kernel; and the whole traced graph has TF1's op types and counts."""
    graphs = {
        label: traced_graph(module, spec, config_id, mode, layout) for label, module in MODULES
    }
    kernels = {label: training_op_counts(graph) for label, graph in graphs.items()}
    assert kernels["subject"] == kernels["oracle"]
    assert any(re.search("Apply|Scatter", t) for t in kernels["oracle"]), kernels["oracle"]
    if layout == "dense":
        kernel = DENSE_KERNEL_BY_CONFIG.get((spec.name, config_id), DENSE_KERNELS[spec.name])
        if mode != "graph_ref":
            kernel = "Resource" + kernel
        assert kernels["subject"][kernel] == len(LAYOUTS[layout]), kernels["subject"]
    # Ref variables never run resource ops, resource variables never ref ops.
    resource_ops = {t for t in kernels["subject"] if t.startswith("Resource")}
    assert (not resource_ops) == (mode == "graph_ref"), kernels["subject"]
    # The same graph as TF1's, not only the same kernels (DESIGN.md: "same graph as TF1").
    assert op_type_counts(graphs["subject"]) == op_type_counts(graphs["oracle"])
