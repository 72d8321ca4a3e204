"""Bit-for-bit parity of every optimizer with ``tf.compat.v1.train``, eager mode.

Subject (``tfv1compat.train.X``) and oracle (``tf.compat.v1.train.X``) are built from the
same arguments on separate, identically initialized variables, fed the same gradients, and
compared after every step: variables, every slot, ``variables()`` (values and names), the
global step. Exact equality throughout: both run the same kernels in the same mode.

Axes: every config of ``optimizer_specs`` on float32 dense and sparse gradients; every dtype
and every learning-rate form on the default config. Other modes: ``test_parity_modes.py``.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import tensorflow as tf
from optimizer_specs import SPECS, learning_rate_forms, spec_configs
from parity_helpers import (
    MODULES,
    EagerParity,
    build_eager_side,
    build_eager_sides,
    initial_values,
    make_step,
    step_inputs,
)

CONFIGS = [pytest.param(spec, cid, id=f"{spec.name}-{cid}") for spec, cid in spec_configs()]
SPEC_PARAMS = [pytest.param(spec, id=spec.name) for spec in SPECS]


def assert_same_error_type(errors: dict[str, BaseException]) -> None:
    """Subject and oracle failed alike, and with an error TF1 really raises for bad input
    (a slip in this test's own code would fail both sides with some other type)."""
    assert type(errors["subject"]) is type(errors["oracle"]), errors
    expected = (tf.errors.InvalidArgumentError, TypeError, ValueError)
    assert isinstance(errors["oracle"], expected), errors


def run_eager_apply(spec, config_id, layout, dtype=tf.float32, lr_factory=None, overrides=None):
    subject, oracle = build_eager_sides(spec, config_id, layout, dtype, lr_factory, overrides)
    steps = (make_step(subject, "apply", layout), make_step(oracle, "apply", layout))
    EagerParity(spec, config_id, subject, oracle, layout, dtype).run(
        steps, step_inputs("apply", layout, dtype)
    )


@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("spec,config_id", CONFIGS)
def test_eager_apply_gradients_parity(spec, config_id, layout):
    """apply_gradients on two variables at once, dense Tensors or IndexedSlices with duplicate
    indices: variables, slots, variables() and global step equal the oracle's at every step."""
    run_eager_apply(spec, config_id, layout)


def tensor_hyperparameters(spec, config_id: str, dtype: tf.DType) -> dict[str, tf.Tensor]:
    """The kernel hyperparameters as tensors of ``dtype`` (for dense paths that don't cast)."""
    defaults = inspect.signature(spec.oracle.__init__).parameters
    config = spec.configs[config_id]
    return {
        name: tf.constant(config.get(name, parameter.default), dtype)
        for name, parameter in defaults.items()
        if name.endswith("_regularization_strength")
    }


def dtype_cases():
    for spec in SPECS:
        for dtype in spec.dtypes:
            uncast = not spec.dense_casts_hyperparameters and dtype != tf.float32
            for layout in ("dense", "sparse"):
                if uncast:
                    yield pytest.param(
                        spec,
                        dtype,
                        layout,
                        "tensor",
                        id=f"{spec.name}-{dtype.name}-{layout}-tensor",
                    )
                # The sparse paths cast Python floats for every optimizer (Proximal* too).
                if not uncast or layout == "sparse":
                    yield pytest.param(
                        spec, dtype, layout, "python", id=f"{spec.name}-{dtype.name}-{layout}"
                    )


@pytest.mark.parametrize("spec,dtype,layout,hyperparameters", list(dtype_cases()))
def test_dtype_parity(spec, dtype, layout, hyperparameters):
    """float16/32/64 variables: parity holds in every dtype TF1 supports (TF1 turns Python
    floats into float32 tensors, then casts). For Proximal* dense paths, which don't cast, with
    hyperparameter tensors of the variable's dtype."""
    lr_factory = overrides = None
    if hyperparameters == "tensor":
        lr_factory = lambda: tf.constant(spec.learning_rate, dtype)  # noqa: E731
        overrides = lambda: tensor_hyperparameters(spec, "default", dtype)  # noqa: E731
    run_eager_apply(spec, "default", layout, dtype, lr_factory, overrides)


def unsupported_dtype_cases():
    for spec in SPECS:
        for dtype in (tf.float16, tf.float32, tf.float64):
            if dtype not in spec.dtypes:
                for layout in ("dense", "sparse"):
                    yield pytest.param(spec, dtype, layout, id=f"{spec.name}-{dtype.name}-{layout}")


@pytest.mark.parametrize("spec,dtype,layout", list(unsupported_dtype_cases()))
def test_unsupported_dtype_fails_like_tf1(spec, dtype, layout):
    """Where TF1 has no CPU kernel for a dtype (the table's ``dtypes`` leaves it out), ours
    fails too, with the same exception type (hyperparameters given in that dtype)."""
    errors = {}
    for label, module in MODULES:
        lr = tf.constant(spec.learning_rate, dtype)
        side = build_eager_side(
            label,
            module,
            spec,
            "default",
            layout,
            dtype,
            lr,
            **tensor_hyperparameters(spec, "default", dtype),
        )
        with pytest.raises(Exception) as info:
            make_step(side, "apply", layout)(step_inputs("apply", layout, dtype)[0])
        errors[label] = info.value
    assert_same_error_type(errors)


def run_once(module, spec, dtype: tf.DType, mode: str) -> None:
    """One dense apply with Python-float hyperparameters in ``mode``."""
    arrays = initial_values("dense", dtype)
    if mode == "graph":
        with tf.Graph().as_default():
            variables = [
                tf.compat.v1.get_variable(n, initializer=tf.constant(a)) for n, a in arrays.items()
            ]
            step = tf.compat.v1.train.create_global_step()
            optimizer = spec.build(module, "default", global_step=step)
            train_op = optimizer.apply_gradients(
                [(tf.ones_like(v), v) for v in variables], global_step=step
            )
            with tf.compat.v1.Session() as session:
                session.run(tf.compat.v1.global_variables_initializer())
                session.run(train_op)
        return
    variables = [tf.Variable(a, name=n) for n, a in arrays.items()]
    step = tf.Variable(0, dtype=tf.int64)
    optimizer = spec.build(module, "default", global_step=step)

    def apply():
        optimizer.apply_gradients([(tf.ones_like(v), v) for v in variables], global_step=step)

    (tf.function(apply) if mode == "function" else apply)()


@pytest.mark.parametrize("mode", ["eager", "function", "graph"])
@pytest.mark.parametrize("dtype", [tf.float16, tf.float64], ids=lambda d: d.name)
@pytest.mark.parametrize(
    "spec", [pytest.param(s, id=s.name) for s in SPECS if not s.dense_casts_hyperparameters]
)
def test_uncast_python_hyperparameters_fail_like_tf1(spec, dtype, mode):
    """Proximal* dense kernels get float32 hyperparameters for a float16/64 variable: TF1
    fails, and so do we, with the same exception type in the same mode."""
    errors = {}
    for label, module in MODULES:
        with pytest.raises(Exception) as info:
            run_once(module, spec, dtype, mode)
        errors[label] = info.value
    assert_same_error_type(errors)


def lr_form_cases():
    for spec in SPECS:
        for form in learning_rate_forms(spec.learning_rate):
            if form == "callable" and not spec.callable_hyperparameters:
                continue
            for mode in ("eager", "function"):
                yield pytest.param(spec, form, mode, id=f"{spec.name}-{form}-{mode}")


@pytest.mark.parametrize("spec,form,mode", list(lr_form_cases()))
def test_learning_rate_form_parity(spec, form, mode):
    """Python float, tf.constant, tf.Variable (halved between steps, so it must be re-read
    every step, also by a traced tf.function) and zero-arg callable learning rates."""
    layout = "mixed"
    lr_factory = learning_rate_forms(spec.learning_rate)[form]
    subject, oracle = build_eager_sides(spec, "default", layout, lr_factory=lr_factory)
    steps = tuple(make_step(side, "apply", layout) for side in (subject, oracle))
    if mode == "function":
        steps = tuple(tf.function(step) for step in steps)

    def halve_variable_learning_rates(step: int) -> None:
        for side in (subject, oracle):
            if isinstance(side.learning_rate, tf.Variable):
                side.learning_rate.assign(side.learning_rate * 0.5)

    EagerParity(spec, "default", subject, oracle, layout, tf.float32).run(
        steps, step_inputs("apply", layout), between=halve_variable_learning_rates
    )
    if form == "variable":
        assert subject.learning_rate.numpy() == oracle.learning_rate.numpy() != spec.learning_rate


@pytest.mark.parametrize("mode", ["eager", "function"])
@pytest.mark.parametrize(
    "spec", [pytest.param(s, id=s.name) for s in SPECS if not s.callable_hyperparameters]
)
def test_callable_learning_rate_rejected_like_tf1(spec, mode):
    """Optimizers whose TF1 version takes no callables raise TF1's exception type in the same
    mode, before any variable (or the global step) changes."""
    layout = "mixed"
    lr_factory = learning_rate_forms(spec.learning_rate)["callable"]
    subject, oracle = build_eager_sides(spec, "default", layout, lr_factory=lr_factory)
    first_step = step_inputs("apply", layout)[0]
    errors = {}
    for side in (subject, oracle):
        step = make_step(side, "apply", layout)
        if mode == "function":
            step = tf.function(step)
        with pytest.raises(Exception) as info:
            step(first_step)
        errors[side.label] = info.value
        for name, value in initial_values(layout, tf.float32).items():
            np.testing.assert_array_equal(side.variables[name].numpy(), value, err_msg=side.label)
        assert side.global_step.numpy() == 0, side.label
    assert_same_error_type(errors)
