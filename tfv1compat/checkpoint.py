"""TF1's checkpoint utilities (``tf.compat.v1.train``) on public TF2 APIs.

``init_from_checkpoint``, ``list_variables``, ``load_variable``, ``load_checkpoint``,
``latest_checkpoint``, ``checkpoint_exists`` and the v1 ``Checkpoint`` class, with TF1's
signatures and error types. Checkpoints are read with the ``CheckpointReader`` that
``tf.train.load_checkpoint`` returns and with ``tf.raw_ops.RestoreV2`` (the op TF1 itself uses);
variables are written with ``assign``, or, in a legacy graph, through their initializers.

Three things are stricter than TF1, so that a bad checkpoint never leaves a model half-loaded:

* A missing, truncated or corrupt checkpoint raises TF1's error type with a message that names
  the file (TF1 often says only "file is too short to be an sstable").
* ``init_from_checkpoint`` checks the whole assignment map (tensor names, shapes, partitions)
  before it touches anything, then reads every tensor with one ``RestoreV2`` and only then
  assigns: if anything fails, every variable keeps its value. TF1 assigns entry by entry.
* Names in an assignment map also resolve when executing eagerly (see ``init_from_checkpoint``).
"""

from __future__ import annotations

import collections.abc
import contextlib
import gc
import os
from typing import Any

import tensorflow as tf

from tfv1compat import legacy_graph
from tfv1compat.optimizers import validation

__all__ = [
    "Checkpoint",
    "checkpoint_exists",
    "init_from_checkpoint",
    "latest_checkpoint",
    "list_variables",
    "load_checkpoint",
    "load_variable",
]

_UNCHANGED = "no variable was changed"

# TF's own functions, taken before tfv1compat.install() can put this module's functions of the
# same names on tf.train (calling tf.train.latest_checkpoint from latest_checkpoint would then
# call itself forever).
_tf_latest_checkpoint = tf.train.latest_checkpoint
_tf_load_checkpoint = tf.train.load_checkpoint


def _error_naming_file(error: Exception, filename: str, note: str = "") -> Exception:
    """``error`` again, with the same type, and a message that names ``filename``."""
    detail = error.message if isinstance(error, tf.errors.OpError) else str(error)
    message = (
        "Cannot read checkpoint %s: %s (the checkpoint is missing, truncated or corrupt%s)"
        % (
            filename,
            detail,
            "; " + note if note else "",
        )
    )
    try:
        if type(error) is tf.errors.OpError:
            return tf.errors.OpError(error.node_def, error.op, message, error.error_code)
        if isinstance(error, tf.errors.OpError):
            return type(error)(error.node_def, error.op, message)
        return type(error)(message)
    except Exception:  # an exception type with an unusual constructor: keep the original
        return error


def _checkpoint_filename(ckpt_dir_or_file: Any) -> str | None:
    """TF1's resolution: a directory means its latest checkpoint (None if it has none)."""
    ckpt_dir_or_file = os.fspath(ckpt_dir_or_file)
    if tf.io.gfile.isdir(ckpt_dir_or_file):
        return _tf_latest_checkpoint(ckpt_dir_or_file)
    return ckpt_dir_or_file


def load_checkpoint(ckpt_dir_or_file):
    """Return a ``CheckpointReader`` for the checkpoint ``ckpt_dir_or_file`` resolves to.

    Args:
      ckpt_dir_or_file: A checkpoint prefix (``/dir/model.ckpt-100``), or a directory, meaning
        its latest checkpoint.

    Returns:
      The ``CheckpointReader`` of ``tf.train.load_checkpoint``.

    Raises:
      ValueError: ``ckpt_dir_or_file`` is a directory without checkpoints.
      tf.errors.OpError: The checkpoint is missing (``NotFoundError``) or its index is
        corrupt; the message names the file.

    Differences from TF1: error messages name the file.
    """
    filename = _checkpoint_filename(ckpt_dir_or_file)
    if filename is None:
        raise ValueError(
            "Couldn't find 'checkpoint' file or checkpoints in given directory %s"
            % ckpt_dir_or_file
        )
    try:
        return _tf_load_checkpoint(filename)
    except tf.errors.OpError as error:
        raise _error_naming_file(error, filename) from error


def load_variable(ckpt_dir_or_file, name):
    """Return the value of tensor ``name`` in the checkpoint, as a NumPy array.

    Args:
      ckpt_dir_or_file: A checkpoint prefix, or a directory (its latest checkpoint).
      name: The tensor's key (a trailing ``:0`` is ignored, as in TF1).

    Raises:
      ValueError: A directory without checkpoints.
      tf.errors.NotFoundError: No tensor ``name``, or no checkpoint.
      tf.errors.OpError, IndexError: A corrupt or truncated checkpoint (as TF1).

    Differences from TF1: error messages name the file.
    """
    if name.endswith(":0"):
        name = name[:-2]
    filename = _checkpoint_filename(ckpt_dir_or_file) or ckpt_dir_or_file
    reader = load_checkpoint(ckpt_dir_or_file)
    try:
        return reader.get_tensor(name)
    except (tf.errors.OpError, IndexError) as error:
        raise _error_naming_file(error, filename) from error


def list_variables(ckpt_dir_or_file):
    """Return ``[(key, shape), ...]`` of every tensor in the checkpoint, sorted by key.

    Raises:
      ValueError, tf.errors.OpError: As ``load_checkpoint``.

    Differences from TF1: error messages name the file.
    """
    reader = load_checkpoint(ckpt_dir_or_file)
    variable_map = reader.get_variable_to_shape_map()
    return [(name, variable_map[name]) for name in sorted(variable_map)]


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint recorded in ``checkpoint_dir``, or None.

    Reads the ``checkpoint`` state file (``latest_filename`` overrides its name) that
    ``Saver.save`` and ``Checkpoint.save`` write. Differences from TF1: none.
    """
    return _tf_latest_checkpoint(checkpoint_dir, latest_filename)


def checkpoint_exists(checkpoint_prefix):
    """True if a checkpoint with prefix ``checkpoint_prefix`` exists (V2 index, or V1 file).

    Globs ``<prefix>.index`` first, then ``<prefix>`` itself (a V1 checkpoint), as TF1 does;
    both may be patterns. Differences from TF1: no deprecation warning is logged.
    """
    checkpoint_prefix = os.fspath(checkpoint_prefix)
    if tf.io.gfile.glob(checkpoint_prefix + ".index"):
        return True
    return bool(tf.io.gfile.glob(checkpoint_prefix))


# ---------------------------------------------------------------------------- init_from_checkpoint


def _executing_eagerly_outside_functions() -> bool:
    with tf.init_scope():
        return tf.executing_eagerly()


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


def _restore_tensors(filename: str, entries: list[tuple[str, Any, str]]) -> list[tf.Tensor]:
    """One ``RestoreV2`` for every entry, as the variables' dtypes (TF1's restore dtype)."""
    with tf.device("/cpu:0"):
        return tf.raw_ops.RestoreV2(
            prefix=filename,
            tensor_names=[tensor_name for tensor_name, _, _ in entries],
            shape_and_slices=[spec for _, _, spec in entries],
            dtypes=[variable.dtype.base_dtype for _, variable, _ in entries],
            name="checkpoint_initializer",
        )


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


# ---------------------------------------------------------------------------- Checkpoint


class Checkpoint(tf.train.Checkpoint):
    """TF1's ``tf.compat.v1.train.Checkpoint``: object-based checkpoints, with sessions.

    ``tf.train.Checkpoint`` with TF1's v1 methods: ``save(file_prefix, session=None)`` and
    ``write(file_prefix, session=None)`` (in a legacy graph, the variables are read in
    ``session``, default: the default session), and ``restore(save_path)``, which returns a
    status with ``assert_consumed()``, ``assert_existing_objects_matched()``,
    ``run_restore_ops(session=None)`` and ``initialize_or_restore(session=None)`` (graphs: runs
    the restore ops, or the initializers when ``save_path`` is None). Checkpoints are the same
    files TF1 and TF2 write, so they move between ``tf.compat.v1.train.Checkpoint``,
    ``tf.train.Checkpoint`` and this class.

    Args:
      **kwargs: Trackable objects (optimizers, variables, models) saved under these names.

    Raises:
      ValueError: A value that is not trackable.

    Example::

        ckpt = tfv1compat.train.Checkpoint(optimizer=opt, model=model)
        status = ckpt.restore(tfv1compat.train.latest_checkpoint(directory))
        train_op = opt.minimize(loss)
        with tf.compat.v1.Session() as sess:
            status.initialize_or_restore(sess)
            sess.run(train_op)
            ckpt.save(os.path.join(directory, "ckpt"), session=sess)

    Differences from TF1: a missing or corrupt checkpoint raises TF1's error type with a
    message that names the file; the TF2 methods (``read``, ``sync``) are there too.
    """

    def __init__(self, **kwargs):
        # TF2 would take ``root=`` as the root object; for TF1 it is an ordinary child.
        root = kwargs.pop("root", None)
        has_root = root is not None
        super().__init__(**kwargs)
        if has_root:
            self.root = root
            if not isinstance(self.root, tf.__internal__.tracking.Trackable):
                raise ValueError(
                    "`Checkpoint` was expecting a trackable object (an object derived from "
                    "`Trackable`), got %s." % (root,)
                )

    @staticmethod
    def _in_session(session):
        if session is None or tf.executing_eagerly():
            return contextlib.nullcontext()
        return session.as_default()

    def save(self, file_prefix, session=None, options=None):
        """Write ``<file_prefix>-<save_counter>`` and record it as the latest checkpoint."""
        with self._in_session(session):
            return super().save(file_prefix, options=options)

    def write(self, file_prefix, session=None, options=None):
        """Write the checkpoint at ``file_prefix`` exactly (no numbering, no state file)."""
        with self._in_session(session):
            return super().write(file_prefix, options=options)

    def restore(self, save_path):
        """Restore from ``save_path`` (None: a status that only runs initializers).

        The whole checkpoint is read once before anything is restored, so that a truncated
        or corrupt file raises (TF1's error type, naming the file) with every variable
        unchanged; TF1 restores what it can read and then raises.
        """
        if save_path is not None and not tf.io.gfile.isdir(os.fspath(save_path)):
            _verify_readable(os.fspath(save_path))
        return super().restore(save_path)


def _verify_readable(filename: str) -> None:
    """Read every tensor of a checkpoint once, in the order and with the readers TF's restore
    uses (the object graph through the ``CheckpointReader``, the rest with ``RestoreV2``), so
    any failure is the one a restore would meet, raised before anything is assigned."""
    try:
        reader = _tf_load_checkpoint(filename)
        dtypes = reader.get_variable_to_dtype_map()
        if _OBJECT_GRAPH_KEY in dtypes:
            reader.get_tensor(_OBJECT_GRAPH_KEY)
        entries = [
            (key, _Dtyped(dtype), "")
            for key, dtype in sorted(dtypes.items())
            if key != _OBJECT_GRAPH_KEY
        ]
        if not entries:
            return
        if _executing_eagerly_outside_functions():
            with tf.init_scope():
                for entry in entries:
                    _restore_tensors(filename, [entry])
        else:
            legacy_graph.run_in_throwaway_session(
                lambda: [_restore_tensors(filename, [entry]) for entry in entries]
            )
    except (tf.errors.OpError, IndexError) as error:
        raise _error_naming_file(error, filename, _UNCHANGED) from error


_OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"


class _Dtyped:
    """Stands in for a variable in ``_restore_tensors`` entries: only its dtype is used."""

    def __init__(self, dtype: tf.DType) -> None:
        self.dtype = dtype
