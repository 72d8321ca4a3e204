"""TF1's ``init_from_checkpoint``: load some variables from a checkpoint, by name or object.

Stricter than TF1, so that a bad checkpoint never leaves a model half-loaded: the whole
assignment map (tensor names, shapes, partitions) is checked before anything is touched, then
every tensor is read with one ``RestoreV2`` and only then assigned; if anything fails, every
variable keeps its value (TF1 assigns entry by entry). Names in an assignment map also resolve
when executing eagerly, against every live variable.
"""

from __future__ import annotations

import collections.abc
import gc
from typing import Any

import tensorflow as tf

from tfv1compat._tf import legacy_graph
from tfv1compat.checkpoint.readers import (
    _UNCHANGED,
    _checkpoint_filename,
    _error_naming_file,
    _executing_eagerly_outside_functions,
    _restore_tensors,
    load_checkpoint,
)
from tfv1compat.optimizers import validation


def _is_variable(value: Any) -> bool:
    return isinstance(value, tf.Variable) or validation.unwrap_variable(value) is not value


def _live_eager_variables_by_name() -> dict[str, list]:
    """Every live eager ``tf.Variable`` (Keras 3 variables by the one inside), by name.

    Eager TF2 keeps no registry of variables, so this stands in for TF1's variable store when
    executing eagerly. Names are not unique there: a name may match several variables.
    """
    gc.collect()
    by_name: dict[str, list] = {}
    for candidate in gc.get_objects():
        # type() rather than isinstance(): proxies may fake __class__.
        if issubclass(type(candidate), tf.Variable) and hasattr(candidate, "handle"):
            try:
                name = candidate.name
            except Exception:  # a variable being torn down
                continue
            by_name.setdefault(name[:-2] if name.endswith(":0") else name, []).append(candidate)
    return by_name


def _strip_partition(name: str) -> str:
    return name[: name.index("/part_")] if "/part_" in name else name


def _parts_of(name: str, by_name: dict[str, list]) -> list | None:
    """TF1's ``_collect_partitioned_variable``: ``name/part_0``, ``name/part_1``, ..."""
    if name + "/part_0" not in by_name:
        return None
    parts, i = [], 0
    while name + "/part_%d" % i in by_name:
        parts.append(by_name[name + "/part_%d" % i][0])
        i += 1
    return parts


def _describe_keys(shapes: dict[str, Any], limit: int = 20) -> str:
    keys = sorted(shapes)
    listed = ", ".join("%s: %s" % (k, shapes[k]) for k in keys[:limit])
    more = " and %d more" % (len(keys) - limit) if len(keys) > limit else ""
    return "{%s%s}" % (listed, more)


class _Plan:
    """What to load: (checkpoint tensor, variable, slice spec), checked before anything runs."""

    def __init__(self, ckpt_dir_or_file: Any, shapes: dict[str, Any]) -> None:
        self.ckpt_dir_or_file = ckpt_dir_or_file
        self.shapes = shapes
        self.entries: list[tuple[str, Any, str]] = []

    def _require_tensor(self, tensor_name: str) -> None:
        if tensor_name not in self.shapes:
            raise ValueError(
                "Tensor %s is not found in %s checkpoint %s"
                % (tensor_name, self.ckpt_dir_or_file, _describe_keys(self.shapes))
            )

    def add_variable(self, tensor_name: str, variable) -> None:
        self._require_tensor(tensor_name)
        primary = validation.unwrap_variable(variable)
        if not primary.shape.is_compatible_with(self.shapes[tensor_name]):
            raise ValueError(
                "Shape of variable %s (%s) doesn't match with shape of tensor %s (%s) from "
                "checkpoint reader."
                % (primary.name, primary.shape, tensor_name, self.shapes[tensor_name])
            )
        self.entries.append((tensor_name, primary, ""))

    def add_partitions(self, tensor_name: str, parts: list) -> None:
        self._require_tensor(tensor_name)
        full_name = None
        for part in parts:
            info = legacy_graph.save_slice_info(part)
            if info is None:
                raise AttributeError(
                    "init_from_checkpoint: a list value must hold the partitions of one "
                    "partitioned variable; %s is not a partition" % (part.name,)
                )
            if full_name is None:
                full_name = info[0]
            elif full_name != info[0]:
                raise ValueError(
                    "Slices must all be from the same tensor: %s != %s" % (full_name, info[0])
                )
            if info[2] != list(self.shapes[tensor_name]):
                raise ValueError(
                    "Shape of partitioned variable %s (%s) doesn't match with shape of tensor "
                    "%s (%s) from checkpoint reader."
                    % (full_name, info[2], tensor_name, self.shapes[tensor_name])
                )
            self.entries.append((tensor_name, part, info[1]))

    def add(self, tensor_name: str, target) -> None:
        """What a name resolved to: a variable, partitions, or several live eager variables
        that share the name (each gets the whole tensor)."""
        if _is_variable(target):
            self.add_variable(tensor_name, target)
        elif all(legacy_graph.save_slice_info(v) is None for v in target):
            for variable in target:  # several live eager variables share this name
                self.add_variable(tensor_name, variable)
        else:
            self.add_partitions(tensor_name, target)


def _resolve_name(name: str, by_name: dict[str, list]):
    if name in by_name:
        variables = by_name[name]
        return variables[0] if len(variables) == 1 else list(variables)
    return _parts_of(name, by_name)


def _plan(ckpt_dir_or_file, assignment_map, shapes: dict[str, Any]) -> _Plan:
    plan = _Plan(ckpt_dir_or_file, shapes)
    if isinstance(assignment_map, collections.abc.Mapping):
        assignment_map = assignment_map.items()
    by_name = None
    for tensor_name_in_ckpt, current_var_or_name in sorted(assignment_map, key=lambda p: p[0]):
        if _is_variable(current_var_or_name):
            plan.add_variable(tensor_name_in_ckpt, current_var_or_name)
            continue
        if (
            isinstance(current_var_or_name, (list, tuple))
            and current_var_or_name
            and all(_is_variable(v) for v in current_var_or_name)
        ):
            plan.add_partitions(tensor_name_in_ckpt, current_var_or_name)
            continue
        if not isinstance(current_var_or_name, str):
            raise TypeError(
                "init_from_checkpoint: assignment_map values must be variables, lists of "
                "partitions or variable/scope names, got %r for %r"
                % (current_var_or_name, tensor_name_in_ckpt)
            )
        if by_name is None:
            if _executing_eagerly_outside_functions():
                by_name = _live_eager_variables_by_name()
            else:
                by_name = legacy_graph.variables_by_name(legacy_graph.default_graph())
        target = _resolve_name(current_var_or_name, by_name)
        if target is not None:
            plan.add(tensor_name_in_ckpt, target)
            continue
        # A scope: every variable under ``current_var_or_name`` from ``tensor_name_in_ckpt``.
        scopes = ""
        if "/" in current_var_or_name:
            scopes = current_var_or_name[: current_var_or_name.rindex("/")]
        if not tensor_name_in_ckpt.endswith("/"):
            raise ValueError(
                f"Assignment map with scope only name {scopes} should map to scope only "
                f"{tensor_name_in_ckpt}. Should be 'scope/': 'other_scope/'."
            )
        scope_variables = {
            _strip_partition(name)
            for name in by_name
            if not scopes or name.startswith(scopes + "/")
        }
        for var_name in sorted(scope_variables):
            full_tensor_name = var_name[len(scopes) :]
            if current_var_or_name != "/":
                full_tensor_name = full_tensor_name[1:]
            if tensor_name_in_ckpt != "/":
                full_tensor_name = tensor_name_in_ckpt + full_tensor_name
            if full_tensor_name.endswith("/"):
                full_tensor_name = full_tensor_name[:-1]
            if full_tensor_name not in shapes:
                raise ValueError(
                    "Tensor %s (%s in %s) is not found in %s checkpoint"
                    % (
                        full_tensor_name,
                        var_name[len(scopes) + 1 :],
                        tensor_name_in_ckpt,
                        ckpt_dir_or_file,
                    )
                )
            plan.add(full_tensor_name, _resolve_name(var_name, by_name))
    return plan


def _init_from_checkpoint(ckpt_dir_or_file, assignment_map) -> None:
    filename = _checkpoint_filename(ckpt_dir_or_file)
    reader = load_checkpoint(ckpt_dir_or_file)
    plan = _plan(ckpt_dir_or_file, assignment_map, reader.get_variable_to_shape_map())
    if not plan.entries:
        return
    eager_variables = all(
        hasattr(v, "handle") and not tf.is_symbolic_tensor(v.handle) for _, v, _ in plan.entries
    )
    if _executing_eagerly_outside_functions() and eager_variables:
        with tf.init_scope():
            try:
                values = _restore_tensors(filename, plan.entries)
            except (tf.errors.OpError, IndexError) as error:
                raise _error_naming_file(error, filename, _UNCHANGED) from error
            for (_, variable, _), value in zip(plan.entries, values):
                variable.assign(value)
        return
    # Graph: the initializers read the checkpoint when they run, which may be much later;
    # read every tensor once now (one at a time, with the op the initializers use, so the
    # error types are those TF1's initializers raise), so a bad file fails here, named.
    try:
        legacy_graph.run_in_throwaway_session(
            lambda: [_restore_tensors(filename, [entry]) for entry in plan.entries]
        )
    except (tf.errors.OpError, IndexError) as error:
        raise _error_naming_file(error, filename, _UNCHANGED) from error
    values = _restore_tensors(filename, plan.entries)
    for (_, variable, _), value in zip(plan.entries, values):
        legacy_graph.set_checkpoint_initializer(variable, value)


def init_from_checkpoint(ckpt_dir_or_file, assignment_map):
    """Load variables from a (name-based or object-based) checkpoint, TF1's way.

    Assignment map forms (keys are checkpoint tensor names, values what to load into):

    * ``{'old_scope/': 'new_scope/'}``: every current variable under ``new_scope/`` from the
      tensor with the same relative name under ``old_scope/``;
    * ``{'old_scope/w': 'new_scope/w'}``: one variable, by name;
    * ``{'old_scope/w': variable}``: one ``tf.Variable`` or Keras 3 variable;
    * ``{'old_scope/w': [part_0, part_1]}``: the partitions of a partitioned variable;
    * ``{'/': 'new_scope/'}`` / ``{'old_scope/': '/'}`` / ``{'/': '/'}``: the root scope.

    A list of ``(key, value)`` pairs works too (to load one tensor into several variables).

    When executing eagerly (also when called inside ``tf.function`` on eager variables), the
    values are assigned at once. In a legacy graph, the variables' initializers are replaced,
    so ``global_variables_initializer()`` loads them (``initial_value`` is the loaded tensor).

    Args:
      ckpt_dir_or_file: A checkpoint prefix, or a directory (its latest checkpoint).
      assignment_map: A dict or a list of pairs, as above.

    Raises:
      ValueError: A tensor missing from the checkpoint, a shape mismatch, a scope mapped to a
        single name, or a directory without checkpoints.
      tf.errors.OpError, IndexError: A missing, truncated or corrupt checkpoint (message names
        the file).

    Differences from TF1: names resolve when executing eagerly, against every live variable
    (TF1 finds nothing there: eager TF2 has no variable store); several live variables with
    one name are all loaded. Keras 3 variables are accepted as values. The whole map is
    checked (in graphs also every tensor read once) before any variable changes, so a bad map
    or file changes nothing and fails at the call (TF1 assigns entry by entry, and in graphs
    fails only when the initializer runs).
    """

    def run(_=None) -> None:
        _init_from_checkpoint(ckpt_dir_or_file, assignment_map)

    if tf.distribute.in_cross_replica_context():
        run()
    else:
        tf.distribute.get_replica_context().merge_call(run)
