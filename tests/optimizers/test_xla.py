"""Under XLA (``tf.function(jit_compile=True)``) every optimizer equals ``tf.compat.v1.train``.

Subject and oracle each get one jit-compiled step function (traced, compiled, then called for
3 steps with different loss coefficients) and are compared bit for bit after every step:
variables, every slot, non-slot variables (Adam's beta powers), ``variables()`` and the
global step. Both run the same kernels through the same XLA compiler, so equality is exact.

Dense gradients: every optimizer's default config plus the configs that take a different
kernel or formula (Nesterov, FtrlV2 shrinkage, centered RMSProp, Adam's betas, AdagradDA's
regularization), with ``minimize(<tensor loss>)`` and with ``compute_gradients`` +
``apply_gradients``.

Sparse gradients (``tf.gather`` -> ``IndexedSlices`` with duplicate indices): TF1 compiles
only the optimizers whose sparse update is made of ordinary ops (GradientDescent's
``ResourceScatterAdd``, Adam's composite update; the de-duplication's ``tf.unique`` compiles
too). The others use ``ResourceSparseApply*`` kernels that have no XLA implementation, so TF1
fails to compile them; tfv1compat must fail the same way (same exception type, same
unsupported op), and succeed with equal results wherever TF1 succeeds.
"""

from __future__ import annotations

import re

import pytest
import tensorflow as tf
from optimizer_specs import SPECS, SPECS_BY_NAME
from parity_helpers import EagerParity, build_eager_sides, make_step, step_inputs

DENSE_CONFIGS = [(spec.name, "default") for spec in SPECS] + [
    ("MomentumOptimizer", "nesterov"),
    ("AdagradDAOptimizer", "l1_l2"),
    ("AdamOptimizer", "betas"),
    ("FtrlOptimizer", "shrinkage_v2"),
    ("RMSPropOptimizer", "centered_momentum"),
]
# The optimizers whose sparse path TF1 compiles with XLA (checked, not assumed: the sparse test
# runs the oracle first for every optimizer and requires exactly this set to compile).
SPARSE_COMPILES = {"GradientDescentOptimizer", "AdamOptimizer"}
UNSUPPORTED_OP = re.compile(r"No registered '(\w+)' OpKernel for XLA")


def run_xla_parity(spec_name: str, config_id: str, layout: str, how: str) -> None:
    """One jit-compiled step function per side, 3 steps, compared after each step."""
    spec = SPECS_BY_NAME[spec_name]
    subject, oracle = build_eager_sides(spec, config_id, layout)
    steps = tuple(
        tf.function(make_step(side, how, layout), jit_compile=True) for side in (subject, oracle)
    )
    EagerParity(spec, config_id, subject, oracle, layout, tf.float32).run(
        steps, step_inputs(how, layout)
    )
    assert steps[0].experimental_get_tracing_count() == steps[1].experimental_get_tracing_count()


@pytest.mark.parametrize("how", ["minimize_tensor", "compute_apply"])
@pytest.mark.parametrize(
    "spec_name,config_id", [pytest.param(*c, id="-".join(c)) for c in DENSE_CONFIGS]
)
def test_xla_dense_parity(spec_name: str, config_id: str, how: str) -> None:
    """jit_compile=True, dense gradients (a matrix and a vector in one apply): subject equals
    TF1 under XLA in every variable, slot, non-slot variable and the global step."""
    run_xla_parity(spec_name, config_id, "dense", how)


def first_xla_step_error(module_label: str, spec_name: str) -> Exception | None:
    """The exception of the first jit-compiled sparse step of one side, or None."""
    spec = SPECS_BY_NAME[spec_name]
    sides = dict(zip(("subject", "oracle"), build_eager_sides(spec, "default", "sparse")))
    step = tf.function(
        make_step(sides[module_label], "minimize_tensor", "sparse"), jit_compile=True
    )
    try:
        step(step_inputs("minimize_tensor", "sparse")[0])
    except Exception as error:  # the oracle's failure is what we compare with
        return error
    return None


@pytest.mark.parametrize("spec_name", [spec.name for spec in SPECS])
def test_xla_sparse_matches_tf1_success_or_failure(spec_name: str) -> None:
    """jit_compile=True, sparse gradients with duplicate indices: where TF1 compiles, subject
    equals TF1 step by step; where TF1 cannot compile (a ResourceSparseApply* kernel without
    an XLA implementation), subject fails with the same exception type naming the same op."""
    oracle_error = first_xla_step_error("oracle", spec_name)
    assert (oracle_error is None) == (spec_name in SPARSE_COMPILES), repr(oracle_error)
    if oracle_error is None:
        run_xla_parity(spec_name, "default", "sparse", "minimize_tensor")
        return
    subject_error = first_xla_step_error("subject", spec_name)
    assert subject_error is not None, "subject compiled where TF1 does not"
    assert type(subject_error) is type(oracle_error)
    assert isinstance(oracle_error, tf.errors.InvalidArgumentError)
    oracle_ops = UNSUPPORTED_OP.findall(str(oracle_error))
    assert oracle_ops and oracle_ops[0].startswith("ResourceSparseApply"), str(oracle_error)
    assert UNSUPPORTED_OP.findall(str(subject_error)) == oracle_ops
