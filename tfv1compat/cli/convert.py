"""``python -m tfv1compat convert-checkpoint``: TF1 optimizer state -> a Keras 3 optimizer.

Reads a checkpoint written by TF1 or tfv1compat (object-based, ``tf.train.Checkpoint``: keys
``<var>/.OPTIMIZER_SLOT/<optimizer>/m/...``; or name-based, ``tf.compat.v1.train.Saver``: keys
``w``, ``w/Adam``, ``w/Adam_1``, ``beta1_power``) and writes a checkpoint that
``tf.train.Checkpoint(model=model, optimizer=keras_optimizer)`` restores, holding the model's
weights and the Keras 3 optimizer's state:

TF1        Keras 3               state
---------  --------------------  -----------------------------------------------------------------
Adam       ``Adam``              ``m`` -> ``momentum``, ``v`` -> ``velocity``; ``iterations`` = t
                                 from ``beta1_power = beta_1^(t+1)``
RMSProp    ``RMSprop``           ``rms`` -> ``velocity``, ``mg`` -> ``average_gradient``,
                                 ``momentum`` -> ``momentum`` (dropped if Keras momentum=0)
Momentum   ``SGD(momentum>0)``   ``momentum`` (accum) -> ``momentum = -lr * accum``
Adagrad    ``Adagrad``           ``accumulator`` -> ``accumulator``
Ftrl       ``Ftrl``              ``accum`` -> ``accumulator``, ``linear`` -> ``linear``
Adadelta   ``Adadelta``          ``accum`` -> ``accumulated_grad``,
                                 ``accum_update`` -> ``accumulated_delta_var``

Non-Adam optimizers take ``iterations`` from ``--iterations`` or the checkpoint's global step
(0 if neither). What "equivalent" means per optimizer (which next steps agree, where the two
update rules differ) is in ``migration_guide/README.md``.

Keras 3 keeps an optimizer's variables in a list (``optimizer/_variables/<i>``), positional over
the ``var_list`` it was built on, so the converter needs the model: it builds the Keras
optimizer on ``model.trainable_variables`` (the list ``model.fit`` and
``optimizer.apply_gradients(zip(grads, model.trainable_variables))`` use) and saves
``tf.train.Checkpoint(model=model, optimizer=optimizer)`` itself. Each model variable is matched
to the source by its object path (object-based) or by name (name-based; ``name_map`` for names
that differ), and the result is checked by reading it back.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import importlib
import importlib.util
import json
import math
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from tfv1compat import surface
from tfv1compat._tf import requirement

__all__ = [
    "CONVERSIONS",
    "ConversionResult",
    "add_arguments",
    "convert_checkpoint",
    "main",
]

_VALUE = "/.ATTRIBUTES/VARIABLE_VALUE"
_SLOT_KEY = re.compile(
    r"^(?P<var>.*)/\.OPTIMIZER_SLOT/(?P<opt>.*)/(?P<slot>[^/]+)" + re.escape(_VALUE) + "$"
)
_SMALLEST_NORMAL_F32 = float(np.finfo(np.float32).tiny)
_SHOWN_VARIABLES = 20  # ConversionResult.render lists this many variable matches


@dataclasses.dataclass(frozen=True)
class Conversion:
    """How one TF1 optimizer's state maps onto one Keras 3 optimizer's."""

    keras_class: str  # class name in keras.optimizers
    tf1_class: str  # TF1 optimizer, for messages
    tf1_name: str  # TF1's default ``name=``: the suffix of name-based slot keys
    tf1_slots: tuple[str, ...]  # slot names in TF1's creation order (name-based suffix order)
    keras_slots: Mapping[str, str]  # TF1 slot -> Keras optimizer-variable name suffix
    non_slot: tuple[str, ...] = ()


CONVERSIONS: dict[str, Conversion] = {
    info.keras.class_name: Conversion(
        info.keras.class_name,
        info.class_name,
        info.default_name,
        info.slot_names,
        dict(info.keras.slots),
        info.non_slot_names,
    )
    for info in surface.OPTIMIZERS
    # SGD converts from Momentum's state (GradientDescent has none to convert).
    if info.keras is not None and info.keras.slots
}
"""Keras 3 optimizer class name -> the TF1 optimizer whose state converts to it."""


@dataclasses.dataclass
class ConversionResult:
    """What ``convert_checkpoint`` wrote and how it got there."""

    path: str  # the checkpoint written (``tf.train.latest_checkpoint(dst)`` finds it)
    source_format: str  # "object-based" or "name-based"
    tf1_optimizer: str
    keras_optimizer: str
    iterations: int
    variables: list[tuple[str, str]]  # (Keras variable path, source variable key)
    slots: list[tuple[str, str, str]]  # (TF1 slot, Keras optimizer-variable suffix, transform)
    notes: list[str]

    def render(self) -> str:
        """A short human-readable summary (what the command line prints)."""
        lines = [
            "Converted %s (%s checkpoint) to keras.optimizers.%s, iterations=%d."
            % (self.tf1_optimizer, self.source_format, self.keras_optimizer, self.iterations),
            "Wrote %s" % self.path,
            "State, for each of %d variables:" % len(self.variables),
        ]
        lines += [
            "  %-12s -> %s%s" % (slot, suffix, " (%s)" % how if how else "")
            for slot, suffix, how in self.slots
        ]
        lines.append("Variables (Keras <- checkpoint):")
        shown = self.variables[:_SHOWN_VARIABLES]
        lines += ["  %s <- %s" % (keras_path, key) for keras_path, key in shown]
        if len(self.variables) > len(shown):
            lines.append("  ... and %d more" % (len(self.variables) - len(shown)))
        lines += ["note: " + note for note in self.notes]
        return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------
# Reading the source.


class _Source:
    """A TF1/tfv1compat checkpoint: variable values, slots and non-slot values by key."""

    def __init__(
        self, path: str, optimizer_key: str | None, tf1_name: str | None, conversion: Conversion
    ):
        import tensorflow as tf

        resolved = tf.train.latest_checkpoint(path) if os.path.isdir(path) else path
        if resolved is None:
            raise ValueError("No checkpoint found in directory %s" % path)
        self.path = resolved
        try:
            self.reader = tf.train.load_checkpoint(resolved)
        except (tf.errors.OpError, ValueError) as error:
            message = getattr(error, "message", None) or str(error)
            raise ValueError("Cannot read checkpoint %s: %s" % (resolved, message)) from error
        self.shapes = self.reader.get_variable_to_shape_map()
        self.keys = set(self.shapes)
        self.conversion = conversion
        slot_keys = [m for m in map(_SLOT_KEY.match, sorted(self.keys)) if m]
        self.object_based = bool(slot_keys)
        if self.object_based:
            paths = sorted({m["opt"] for m in slot_keys})
            if optimizer_key is None:
                if len(paths) != 1:
                    raise ValueError(
                        "The checkpoint holds slots of several optimizers (%s): pass "
                        "optimizer_key (--optimizer-key) to pick one." % ", ".join(paths)
                    )
                optimizer_key = paths[0]
            elif optimizer_key not in paths:
                raise ValueError(
                    "No slots of optimizer %r in %s (optimizers found: %s)"
                    % (optimizer_key, resolved, ", ".join(paths) or "none")
                )
            self.optimizer_key = optimizer_key
            self.slot_names = sorted({m["slot"] for m in slot_keys if m["opt"] == optimizer_key})
        else:
            self.optimizer_key = tf1_name or conversion.tf1_name
            self.slot_names = []
        self.format = "object-based" if self.object_based else "name-based"

    def value_key(self, variable_key: str) -> str:
        return variable_key + _VALUE if self.object_based else variable_key

    def slot_key(self, variable_key: str, slot: str, slot_index: int) -> str:
        if self.object_based:
            return "%s/.OPTIMIZER_SLOT/%s/%s%s" % (variable_key, self.optimizer_key, slot, _VALUE)
        # TF1 names a variable's slots by its variable-scope counter: the first slot created
        # gets "<var>/<optimizer name>", the next ones "_1", "_2", ... (in creation order).
        suffix = (
            self.optimizer_key if slot_index == 0 else "%s_%d" % (self.optimizer_key, slot_index)
        )
        return "%s/%s" % (variable_key, suffix)

    def non_slot_key(self, name: str) -> str | None:
        if self.object_based:
            key = "%s/%s%s" % (self.optimizer_key, name, _VALUE)
            return key if key in self.keys else None
        if name in self.keys:
            return name
        # use_own_namescope_for_non_slot_vars=True puts them under "<scope>/beta1_power".
        scoped = sorted(k for k in self.keys if k.endswith("/" + name))
        return scoped[0] if len(scoped) == 1 else None

    def global_step(self) -> int | None:
        for key in ("global_step" + _VALUE, "global_step", "step" + _VALUE):
            if key in self.keys:
                return int(self.reader.get_tensor(key))
        return None

    def tensor(self, key: str) -> np.ndarray:
        return self.reader.get_tensor(key)

    def shape(self, key: str) -> tuple[int, ...]:
        return tuple(self.shapes[key])


def _object_paths(root: Any) -> dict[int, str]:
    """id(object) -> the path ``tf.train.Checkpoint`` names it by (first breadth-first path)."""
    import tensorflow as tf

    view = tf.train.TrackableView(root)
    paths: dict[int, str] = {}
    seen = {id(root)}
    queue = collections.deque([(root, "")])
    while queue:
        obj, path = queue.popleft()
        for name, child in view.children(obj).items():
            if id(child) in seen:
                continue
            seen.add(id(child))
            child_path = name if not path else path + "/" + name
            paths[id(child)] = child_path
            queue.append((child, child_path))
    return paths


def _variable_path(variable: Any) -> str:
    return getattr(variable, "path", None) or variable.name.split(":")[0]


def _name_candidates(path: str) -> list[str]:
    """``a/b/c`` -> ``a/b/c``, ``b/c``, ``c``: a Keras path without its outer scopes."""
    parts = path.split("/")
    return ["/".join(parts[i:]) for i in range(len(parts))]


def _source_keys(
    source: _Source,
    variables: Sequence[Any],
    required: Sequence[Any],
    model: Any,
    model_key: str,
    name_map: Mapping[str, str] | None,
) -> list[str | None]:
    """The source variable key of each of ``variables`` (None if absent).

    Raises:
      ValueError: One of ``required`` (the variables the optimizer trains) is absent or has
        another shape, or any variable has another shape; the message names them all.
    """
    name_map = dict(name_map or {})
    paths = _object_paths(_checkpoint_root(model_key, model)) if source.object_based else {}
    required_ids = {id(v) for v in required}
    keys: list[str | None] = []
    missing = []
    for variable in variables:
        path = _variable_path(variable)
        if path in name_map:
            key = name_map[path]
        elif source.object_based:
            key = paths.get(id(variable)) or paths.get(id(getattr(variable, "value", None)), "")
        else:
            key = next((c for c in _name_candidates(path) if c in source.keys), path)
        if not key or source.value_key(key) not in source.keys:
            if id(variable) in required_ids:
                missing.append("%s (looked for %r)" % (path, source.value_key(key or path)))
            keys.append(None)
            continue
        shape = source.shape(source.value_key(key))
        if shape != tuple(variable.shape):
            missing.append(
                "%s (%r has shape %s in the checkpoint, %s in the model)"
                % (path, key, shape, tuple(variable.shape))
            )
        keys.append(key)
    if missing:
        raise ValueError(
            "These model variables are not in %s: %s. Pass name_map (--name-map) to map Keras "
            "variable paths to the checkpoint's variable names." % (source.path, "; ".join(missing))
        )
    return keys


def _checkpoint_root(model_key: str, model: Any, **more: Any) -> Any:
    import tensorflow as tf

    return tf.train.Checkpoint(**{model_key: model}, **more)


# ----------------------------------------------------------------------------------------------
# The conversion.


def _keras_optimizer(optimizer: Any, config: Mapping[str, Any] | None) -> Any:
    import keras

    if isinstance(optimizer, str):
        classes = {name.lower(): name for name in CONVERSIONS}
        class_name = classes.get(optimizer.lower())
        if class_name is None:
            raise ValueError(
                "Unsupported optimizer %r: one of %s" % (optimizer, ", ".join(sorted(CONVERSIONS)))
            )
        return getattr(keras.optimizers, class_name)(**dict(config or {}))
    if config:
        raise ValueError("config is only used with an optimizer name, not an instance")
    return optimizer


def _conversion_for(optimizer: Any) -> Conversion:
    for cls in type(optimizer).__mro__:
        if cls.__name__ in CONVERSIONS and cls.__module__.startswith("keras"):
            return CONVERSIONS[cls.__name__]
    raise ValueError(
        "Unsupported Keras optimizer %s: one of keras.optimizers.%s"
        % (type(optimizer).__name__, ", keras.optimizers.".join(sorted(CONVERSIONS)))
    )


def _keras_slot_variables(
    optimizer: Any, variables: Sequence[Any], suffix: str
) -> list[Any] | None:
    """The optimizer variable named ``<variable path>_<suffix>`` for each model variable.

    That is how Keras 3 names them (``add_variable_from_reference``); None when the optimizer
    keeps no such state (``RMSprop(momentum=0)`` has no ``momentum``).
    """
    by_name: dict[str, list[Any]] = {}
    for v in optimizer.variables:
        by_name.setdefault(v.name, []).append(v)
    found = []
    for variable in variables:
        name = "%s_%s" % (_variable_path(variable).replace("/", "_"), suffix)
        matches = by_name.get(name, [])
        if len(matches) > 1:
            raise ValueError(
                "Ambiguous Keras optimizer variable %r (model variable paths collide)" % name
            )
        found.append(matches[0] if matches else None)
    if all(f is None for f in found):
        return None
    if any(f is None for f in found):
        raise ValueError("The Keras optimizer has %s state for only some variables" % suffix)
    return found


def _adam_iterations(source: _Source, optimizer: Any, notes: list[str]) -> int | None:
    """``t`` such that TF1's ``beta1_power == beta_1^(t+1)`` (Keras uses ``beta^(iterations+1)``).

    TF1's powers start at ``beta`` and are multiplied by ``beta`` after every step, so after
    ``t`` steps they hold ``beta^(t+1)``: the power the next step uses, as Keras computes it.
    The powers are float32 running products; ``beta1_power`` is used while it is a normal
    float32 (t up to ~800 for 0.9), then ``beta2_power`` (~88,000 for 0.999).
    """
    estimates = []
    for name, beta in (("beta1_power", optimizer.beta_1), ("beta2_power", optimizer.beta_2)):
        key = source.non_slot_key(name)
        if key is None:
            raise ValueError("No %s in %s (needed for Adam's step count)" % (name, source.path))
        power = float(source.tensor(key))
        beta = float(beta)
        if power >= _SMALLEST_NORMAL_F32 and 0.0 < beta < 1.0 and power <= beta:
            estimates.append((name, beta, math.log(power) / math.log(beta) - 1.0))
    if not estimates:
        return None
    name, beta, t = estimates[0]
    steps = round(t)
    if name != "beta1_power":
        notes.append("iterations derived from beta2_power (beta1_power has underflowed)")
    # The float32 running product drifts from beta^(t+1) by a few ulps per step: well under a
    # twentieth of a step through beta1_power, under a quarter through beta2_power (~1e5 steps).
    if abs(t - steps) > (0.05 if name == "beta1_power" else 0.25) or steps < 0:
        raise ValueError(
            "%s is not a power of the Keras optimizer's beta (%r): make beta_1/beta_2 equal "
            "to the TF1 optimizer's beta1/beta2, or pass iterations (--iterations)" % (name, beta)
        )
    for other_name, _, other_t in estimates[1:]:
        if abs(other_t - steps) > max(0.5, 1e-3 * steps):
            raise ValueError(
                "beta1_power says %d steps but %s says %.1f: make beta_1/beta_2 equal to the "
                "TF1 optimizer's beta1/beta2" % (steps, other_name, other_t)
            )
    return steps


def convert_checkpoint(
    src: str | os.PathLike,
    dst: str | os.PathLike,
    *,
    model: Any,
    optimizer: Any = "adam",
    config: Mapping[str, Any] | None = None,
    var_list: Sequence[Any] | None = None,
    iterations: int | None = None,
    name_map: Mapping[str, str] | None = None,
    model_key: str = "model",
    optimizer_key: str | None = None,
    tf1_name: str | None = None,
) -> ConversionResult:
    """Write a Keras 3 optimizer checkpoint from a TF1/tfv1compat one.

    Args:
      src: The TF1/tfv1compat checkpoint (a prefix, or a directory: its latest checkpoint).
      dst: The directory to write into (``<dst>/ckpt-<iterations>``, with the ``checkpoint``
        state file, so ``tf.train.latest_checkpoint(dst)`` finds it).
      model: The built model the Keras optimizer will train (a Keras 3 model, or any
        trackable with ``trainable_variables``). Its variables are set from ``src`` and it is
        saved under ``model_key``.
      optimizer: A Keras 3 optimizer (Adam, RMSprop, SGD, Adagrad, Ftrl, Adadelta), built or
        not, or its name; it is built on ``var_list`` and saved under "optimizer". Its
        hyperparameters should be the TF1 optimizer's (Adam's ``beta_1``/``beta_2`` are checked).
      config: Constructor arguments when ``optimizer`` is a name.
      var_list: The variables the Keras optimizer trains, in its order
        (default ``model.trainable_variables``).
      iterations: The step count to store (default: from Adam's beta powers, else the
        checkpoint's ``global_step``, else 0).
      name_map: Keras variable path -> source variable key (TF1 name, or object path), for
        variables not found automatically.
      model_key: The name the model has in ``tf.train.Checkpoint(...)`` (source and output).
      optimizer_key: The TF1 optimizer's name in an object-based source (default: the only one).
      tf1_name: The TF1 optimizer's ``name=`` (name-based sources; default TF1's default).

    Returns:
      A ``ConversionResult``; ``model`` and ``optimizer`` (when an instance) are left holding
      the converted state.

    Raises:
      ValueError: Unsupported optimizer, a model variable or slot missing from ``src``, TF1
        state that contradicts the Keras optimizer's structure or hyperparameters.
    """
    import tensorflow as tf

    keras_optimizer = _keras_optimizer(optimizer, config)
    conversion = _conversion_for(keras_optimizer)
    source = _Source(os.fspath(src), optimizer_key, tf1_name, conversion)
    if var_list is None:
        var_list = list(model.trainable_variables)
    weights = list(getattr(model, "weights", None) or model.variables)
    if not keras_optimizer.built:
        keras_optimizer.build(var_list)
    notes: list[str] = []

    # Everything is read and checked before anything is assigned, so a refused conversion
    # leaves the model and the optimizer as they were.
    assignments: list[tuple[Any, np.ndarray]] = []
    weight_keys = _source_keys(source, weights, var_list, model, model_key, name_map)
    for variable, key in zip(weights, weight_keys):
        if key is None:
            notes.append(
                "%s (not trained by the optimizer) is not in the checkpoint: kept the model's "
                "value" % _variable_path(variable)
            )
        else:
            assignments.append((variable, source.tensor(source.value_key(key))))
    keys_by_id = {id(v): k for v, k in zip(weights, weight_keys)}
    var_keys = [
        keys_by_id.get(id(v)) or _source_keys(source, [v], [v], model, model_key, name_map)[0]
        for v in var_list
    ]

    # Which TF1 slots the source has, in TF1's creation order (which names name-based slots):
    # object-based lists them; name-based RMSProp has "mg" only when centered.
    tf1_slots = list(conversion.tf1_slots)
    if source.object_based:
        unexpected = set(source.slot_names) - set(tf1_slots)
        if unexpected:
            raise ValueError(
                "Optimizer %r in %s has slots %s, not those of TF1's %s (%s): convert to the "
                "matching Keras optimizer"
                % (
                    source.optimizer_key,
                    source.path,
                    sorted(source.slot_names),
                    conversion.tf1_class,
                    ", ".join(tf1_slots),
                )
            )
        tf1_slots = [s for s in tf1_slots if s in source.slot_names]
    elif conversion.keras_class == "RMSprop" and var_keys:
        if source.slot_key(var_keys[0], "momentum", 2) not in source.keys:
            tf1_slots.remove("mg")

    # Iterations first: SGD's conversion uses the learning rate of the next step.
    if iterations is None and conversion.keras_class == "Adam":
        iterations = _adam_iterations(source, keras_optimizer, notes)
    if iterations is None:
        iterations = source.global_step()
        if iterations is not None:
            notes.append("iterations taken from the checkpoint's global_step")
    if iterations is None:
        iterations = 0
        notes.append("no step count in the checkpoint: iterations=0 (pass --iterations)")
    previous_iterations = int(keras_optimizer.iterations)
    keras_optimizer.iterations.assign(iterations)
    try:
        slots_report = _slot_assignments(
            source, conversion, keras_optimizer, var_list, var_keys, tf1_slots, notes, assignments
        )
    except BaseException:
        keras_optimizer.iterations.assign(previous_iterations)
        raise
    for variable, value in assignments:
        variable.assign(value)

    # Write, then read back and compare: a converted checkpoint that does not restore is a bug.
    checkpoint = _checkpoint_root(model_key, model, optimizer=keras_optimizer)
    manager = tf.train.CheckpointManager(checkpoint, os.fspath(dst), max_to_keep=None)
    path = manager.save(checkpoint_number=iterations)
    _verify(path, keras_optimizer, model, model_key)
    return ConversionResult(
        path=path,
        source_format=source.format,
        tf1_optimizer=conversion.tf1_class,
        keras_optimizer=conversion.keras_class,
        iterations=int(iterations),
        variables=[(_variable_path(v), k or "-") for v, k in zip(weights, weight_keys)],
        slots=slots_report,
        notes=notes,
    )


def _slot_assignments(
    source: _Source,
    conversion: Conversion,
    keras_optimizer: Any,
    var_list: Sequence[Any],
    var_keys: Sequence[str | None],
    tf1_slots: Sequence[str],
    notes: list[str],
    assignments: list[tuple[Any, np.ndarray]],
) -> list[tuple[str, str, str]]:
    """Append (Keras optimizer variable, converted TF1 slot value) pairs; return the report."""
    slots_report = []
    for slot_index, slot in enumerate(tf1_slots):
        suffix = conversion.keras_slots[slot]
        targets = _keras_slot_variables(keras_optimizer, var_list, suffix)
        if targets is None:
            if conversion.keras_class in ("RMSprop", "SGD") and slot == "momentum":
                notes.append(
                    "TF1's %r slot dropped: the Keras optimizer has momentum=0 and keeps no such "
                    "state (with momentum=0, TF1's slot only holds the last update)" % slot
                )
                continue
            raise ValueError(
                "The Keras %s has no %r variables for TF1's %r slot (check centered/momentum)"
                % (conversion.keras_class, suffix, slot)
            )
        transform = ""
        scale = None
        if conversion.keras_class == "SGD":
            # TF1: accum = m*accum + g; var -= lr*accum.  Keras: m = momentum*m - lr*g;
            # var += m.  With m = -lr*accum the next step is the same (for that lr).
            lr = float(keras_optimizer.learning_rate)
            scale = -lr
            transform = "times -learning_rate = %g" % scale
        for variable, key, target in zip(var_list, var_keys, targets):
            slot_key = source.slot_key(key, slot, slot_index)
            if slot_key not in source.keys:
                raise ValueError(
                    "Slot %r of %s not found: no key %r in %s"
                    % (slot, _variable_path(variable), slot_key, source.path)
                )
            value = source.tensor(slot_key)
            if scale is not None:
                value = (value.astype(np.float64) * scale).astype(value.dtype)
            assignments.append((target, value))
        slots_report.append((slot, suffix, transform))
    if (
        conversion.keras_class == "RMSprop"
        and getattr(keras_optimizer, "centered", False)
        and "mg" not in tf1_slots
    ):
        raise ValueError("The Keras RMSprop is centered but the TF1 RMSProp was not (no 'mg' slot)")
    if conversion.keras_class == "SGD" and not tf1_slots:
        raise ValueError("No TF1 Momentum slots in %s" % source.path)
    return slots_report


def _verify(path: str, optimizer: Any, model: Any, model_key: str) -> None:
    """Read ``path`` back: every optimizer and model variable must hold what was assigned."""
    import tensorflow as tf

    reader = tf.train.load_checkpoint(path)
    paths = _object_paths(_checkpoint_root(model_key, model, optimizer=optimizer))
    variables = list(optimizer.variables) + list(getattr(model, "weights", None) or model.variables)
    for variable in variables:
        key = paths.get(id(variable))
        if key is None:
            raise AssertionError(
                "%s is not saved by tf.train.Checkpoint" % _variable_path(variable)
            )
        if not np.array_equal(reader.get_tensor(key + _VALUE), np.asarray(variable.numpy())):
            raise AssertionError("%s did not round-trip through %s" % (key, path))


# ----------------------------------------------------------------------------------------------
# Command line


def _load_factory(spec: str) -> Callable[[], Any]:
    """``path/to/file.py:function`` or ``package.module:function``."""
    target, _, function = spec.rpartition(":")
    if not target or not function:
        raise ValueError("--model must be FILE.py:FUNCTION or MODULE:FUNCTION, got %r" % spec)
    if target.endswith(".py") or os.path.sep in target:
        name = "_tfv1compat_model_" + re.sub(r"\W", "_", os.path.basename(target))
        spec_obj = importlib.util.spec_from_file_location(name, target)
        if spec_obj is None or spec_obj.loader is None:
            raise ValueError("Cannot load %s" % target)
        module = importlib.util.module_from_spec(spec_obj)
        sys.modules[name] = module
        sys.path.insert(0, os.path.dirname(os.path.abspath(target)))
        try:
            spec_obj.loader.exec_module(module)
        finally:
            sys.path.pop(0)
    else:
        module = importlib.import_module(target)
    return getattr(module, function)


HELP = "write a Keras 3 optimizer checkpoint from a TF1/tfv1compat one"
DESCRIPTION = "Write a Keras 3 optimizer checkpoint from a TF1/tfv1compat one."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``convert-checkpoint``."""
    parser.add_argument("src", help="TF1/tfv1compat checkpoint (prefix, or directory: its latest)")
    parser.add_argument("dst", help="directory to write the Keras 3 checkpoint into")
    parser.add_argument(
        "--model",
        required=True,
        metavar="FILE.py:FUNCTION",
        help=(
            "function (no arguments) returning the built Keras model to train "
            "(also MODULE:FUNCTION)"
        ),
    )
    parser.add_argument(
        "--optimizer",
        default="adam",
        help="Keras 3 optimizer: adam, rmsprop, sgd (from Momentum), adagrad, ftrl, adadelta",
    )
    parser.add_argument(
        "--config",
        default="{}",
        metavar="JSON",
        help='its constructor arguments, e.g. \'{"learning_rate": 0.001, "epsilon": 1e-8}\'',
    )
    parser.add_argument("--iterations", type=int, help="step count (default: from the checkpoint)")
    parser.add_argument("--name-map", metavar="JSON", help="file: Keras variable path -> TF1 name")
    parser.add_argument(
        "--model-key", default="model", help="the model's name in tf.train.Checkpoint"
    )
    parser.add_argument(
        "--optimizer-key", help="the TF1 optimizer's name in an object-based checkpoint"
    )
    parser.add_argument("--tf1-name", help="the TF1 optimizer's name= (name-based checkpoints)")


def main(args: argparse.Namespace) -> int:
    """``convert-checkpoint``'s entry point: 0 on success, 1 with a message otherwise."""
    requirement.check()
    try:
        model = _load_factory(args.model)()
        name_map = None
        if args.name_map:
            with open(args.name_map) as f:
                name_map = json.load(f)
        result = convert_checkpoint(
            args.src,
            args.dst,
            model=model,
            optimizer=args.optimizer,
            config=json.loads(args.config),
            iterations=args.iterations,
            name_map=name_map,
            model_key=args.model_key,
            optimizer_key=args.optimizer_key,
            tf1_name=args.tf1_name,
        )
    except (ValueError, OSError, json.JSONDecodeError) as error:
        print("tfv1compat convert-checkpoint: error: %s" % error, file=sys.stderr)
        return 1
    sys.stdout.write(result.render())
    return 0
