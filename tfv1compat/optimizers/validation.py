"""Every input check of the optimizer engine and its message, in one place.

The exception *types* are TF1's for the same bad input (including where TF1's real type differs
from its docstring, e.g. an ``AttributeError`` for a float in ``var_list`` in graph mode); the
messages keep TF1's wording where code may match on it and add what was wrong and what is
allowed. Where TF1 crashes the process (a float64 gradient for a float32 variable in eager), we
raise a ``TypeError`` instead. All checks run before any slot is created or variable touched.
"""

from __future__ import annotations

import sys

import tensorflow as tf

from tfv1compat._tf import internals, legacy_graph

GATE_NONE = 0
GATE_OP = 1
GATE_GRAPH = 2

# Built exactly as TF1 builds it, so the "expected: [...]" list prints in TF1's order.
VALID_DTYPES = set([tf.float16, tf.bfloat16, tf.float32, tf.float64])


def check_optimizer_name(name) -> None:
    if not name:
        raise ValueError(
            "Must specify the optimizer name (the `name` argument must be a non-empty string, "
            "got %r)" % (name,)
        )


def check_positive(argument: str, value) -> None:
    """TF1's constructor check for initial accumulator values (Adagrad, ProximalAdagrad, ...)."""
    if value <= 0.0:
        raise ValueError("%s must be positive: %s" % (argument, value))


def check_ftrl_arguments(initial_accumulator, power, l1, l2, l2_shrinkage) -> None:
    """Ftrl's constructor checks, in TF1's order and wording."""
    for argument, value, failed, allowed in (
        ("initial_accumulator_value", initial_accumulator, initial_accumulator < 0.0, "positive"),
        ("learning_rate_power", power, power > 0.0, "negative"),
        ("l1_regularization_strength", l1, l1 < 0.0, "positive"),
        ("l2_regularization_strength", l2, l2 < 0.0, "positive"),
        ("l2_shrinkage_regularization_strength", l2_shrinkage, l2_shrinkage < 0.0, "positive"),
    ):
        if failed:
            raise ValueError("%s %f needs to be %s or zero" % (argument, value, allowed))


def check_gate_gradients(gate_gradients) -> None:
    if gate_gradients not in [GATE_NONE, GATE_OP, GATE_GRAPH]:
        raise ValueError(
            "gate_gradients must be one of: Optimizer.GATE_NONE, "
            "Optimizer.GATE_OP, Optimizer.GATE_GRAPH.  Not %s" % gate_gradients
        )


def check_float_dtypes(tensors, valid_dtypes) -> None:
    """TF1's ``_assert_valid_dtypes``: a ``ValueError`` naming the tensor and the valid set."""
    for t in tensors:
        dtype = t.dtype.base_dtype
        if dtype not in valid_dtypes:
            raise ValueError(
                "Invalid type %r for %s, expected: %s." % (dtype, t.name, [v for v in valid_dtypes])
            )


def keras_variable_type():
    """Keras 3's ``Variable`` class if Keras is loaded (no Keras variable can exist otherwise)."""
    keras = sys.modules.get("keras")
    return getattr(keras, "Variable", None) if keras is not None else None


def unwrap_variable(variable):
    """The ``tf.Variable`` that holds a Keras 3 variable's value; any other object unchanged."""
    keras_variable = keras_variable_type()
    if keras_variable is not None and isinstance(variable, keras_variable):
        value = variable.value
        if not isinstance(value, tf.Variable):
            raise TypeError(
                "Keras variable %r is not backed by a tf.Variable (got %s); tfv1compat needs "
                "the TensorFlow backend of Keras 3" % (variable.path, type(value).__name__)
            )
        return value
    return variable


def check_optimizable(variable) -> None:
    """What ``var_list`` may hold in graph mode: variables, Keras variables and Tensors."""
    if isinstance(variable, (tf.Variable, tf.Tensor)):
        return
    if not hasattr(variable, "op"):
        # TF1 fails here with "'float' object has no attribute 'op'".
        raise AttributeError(
            "'%s' object has no attribute 'op': var_list entries must be tf.Variable, Keras "
            "variables or Tensors, got %r" % (type(variable).__name__, variable)
        )
    raise NotImplementedError("Trying to optimize unsupported type ", variable)


def grads_and_vars_pairs(grads_and_vars) -> tuple:
    """``tuple(grads_and_vars)``, with TF1's error types for a malformed argument, explained.

    TF1 fails inside ``tuple()`` (``TypeError``, e.g. for ``None``) or when unpacking an entry
    (``ValueError`` for a triple, ``TypeError`` for a non-iterable); we raise the same types
    and say what was expected.
    """
    try:
        pairs = tuple(grads_and_vars)
    except TypeError as error:
        raise TypeError(
            "grads_and_vars must be an iterable of (gradient, variable) pairs, got %r (%s)"
            % (grads_and_vars, error)
        ) from None
    for pair in pairs:
        try:
            _, _ = pair
        except (TypeError, ValueError) as error:
            raise type(error)(
                "grads_and_vars must hold (gradient, variable) pairs, got %r (%s)" % (pair, error)
            ) from None
    return pairs


def convert_gradient(gradient):
    """TF1's gradient conversion: a ``Tensor`` or ``IndexedSlices``, or TF1's ``TypeError``."""
    if isinstance(gradient, tf.IndexedSlices):
        return gradient
    if isinstance(gradient, tf.Tensor) and tf.executing_eagerly():
        return gradient  # the common case, kept cheap: eager apply runs this per variable
    # A tf.Variable is a CompositeTensor in TF2, but TF1 converts it to its value (tensorpack's
    # AccumGradOptimizer applies its accumulator slots as gradients).
    if isinstance(gradient, internals.CompositeTensor) and not isinstance(gradient, tf.Variable):
        raise TypeError(
            "Gradient must be a Tensor, IndexedSlices, or None: %s (got a %s; convert it to a "
            "dense Tensor or IndexedSlices first)" % (gradient, type(gradient).__name__)
        )
    try:
        # A ValueError (e.g. a plain object()) propagates unwrapped, as in TF1.
        return tf.convert_to_tensor(gradient)
    except TypeError:
        raise TypeError(
            "Gradient must be convertible to a Tensor or IndexedSlices, or None: %s" % (gradient,)
        ) from None


class GradientShapeError(tf.errors.InvalidArgumentError, ValueError):
    """A gradient whose shape does not fit its variable: both of the types TF1 raises for it.

    TF1 has no early check, so its type depends on where the kernel notices: always
    ``InvalidArgumentError`` in eager mode; in graphs and ``tf.function`` a build-time
    ``ValueError`` from the shape functions of a few kernels (ResourceApplyGradientDescent,
    ResourceApplyProximalAdagrad, ResourceScatterAdd) and a run-time ``InvalidArgumentError``
    from the others. We check before any update, so the one error is an instance of both and
    code that catches either TF1 type keeps working. It keeps ``InvalidArgumentError``'s
    constructor ``(node_def, op, message)``, which autograph needs to re-raise it unchanged.
    """


def check_gradient_matches_variable(gradient, variable) -> None:
    """A gradient must have its variable's dtype and (when both are known) shape.

    TF1 does not check this: a dtype mismatch aborts the process (eager mode, or a graph when
    run); a wrong shape fails in the kernel, after earlier variables were already updated. A
    dense gradient for an integer variable is rejected here for the same reason.
    """
    var_dtype = variable.dtype.base_dtype
    if gradient.dtype.base_dtype != var_dtype:
        raise TypeError(
            "Gradient for variable %s has dtype %s, but the variable is %s: gradients must have "
            "their variable's dtype (cast the gradient first)"
            % (variable.name, gradient.dtype.name, var_dtype.name)
        )
    if isinstance(gradient, tf.IndexedSlices):
        values_shape = gradient.values.shape
        var_shape = variable.shape
        if values_shape.rank is not None and var_shape.rank is not None:
            if values_shape.rank != var_shape.rank or not values_shape[1:].is_compatible_with(
                var_shape[1:]
            ):
                raise GradientShapeError(
                    None,
                    None,
                    "IndexedSlices gradient for variable %s has values of shape %s, which do not "
                    "match rows of the variable's shape %s"
                    % (variable.name, values_shape, var_shape),
                )
    else:
        if not gradient.shape.is_compatible_with(variable.shape):
            raise GradientShapeError(
                None,
                None,
                "Gradient for variable %s has shape %s, but the variable's shape is %s: "
                "gradients must have their variable's shape"
                % (variable.name, gradient.shape, variable.shape),
            )
        if not (var_dtype.is_floating or var_dtype.is_complex):
            # TF1 reaches its kernel and fails there ("No OpKernel was registered ... T=DT_INT32",
            # InvalidArgumentError in every mode; graphs at run time), after it has already
            # updated the variables listed before this one.
            raise tf.errors.InvalidArgumentError(
                None,
                None,
                "Cannot apply a dense gradient to variable %s of dtype %s: TF1's training "
                "kernels have no implementation for it; optimize floating-point variables "
                "(float16, bfloat16, float32, float64)" % (variable.name, var_dtype.name),
            )


def check_updatable(variable, gradient) -> None:
    """Reject before any update what TF1 rejects in the middle of its update loop."""
    if isinstance(variable, tf.Tensor):
        # TF1's two arguments first, then what is allowed.
        raise NotImplementedError(
            "Trying to update a Tensor ",
            variable,
            "only variables (tf.Variable, Keras variables) can be updated",
        )
    if not isinstance(variable, tf.Variable):
        check_optimizable(variable)
    if isinstance(gradient, tf.IndexedSlices) and variable.constraint is not None:
        raise RuntimeError(
            "Cannot use a constraint function on a sparse variable. (Variable %s has a "
            "constraint and received an IndexedSlices gradient; drop the constraint or pass a "
            "dense gradient with tf.convert_to_tensor.)" % variable.name
        )
    if legacy_graph.is_ref_variable(variable) and tf.executing_eagerly():
        raise TypeError("Ref variable %s cannot be updated eagerly" % variable.name)
