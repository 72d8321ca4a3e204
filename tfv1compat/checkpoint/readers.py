"""TF1's checkpoint readers on public TF2 APIs: ``load_checkpoint``, ``load_variable``,
``list_variables``, ``latest_checkpoint``, ``checkpoint_exists``, and the shared machinery that
reads a whole checkpoint before anything is assigned.

Checkpoints are read with the ``CheckpointReader`` that ``tf.train.load_checkpoint`` returns and
with ``tf.raw_ops.RestoreV2`` (the op TF1 itself uses). A missing, truncated or corrupt
checkpoint raises TF1's error type with a message that names the file (TF1 often says only
"file is too short to be an sstable").
"""

from __future__ import annotations

import os
from typing import Any

import tensorflow as tf

from tfv1compat._tf import legacy_graph

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


def _executing_eagerly_outside_functions() -> bool:
    with tf.init_scope():
        return tf.executing_eagerly()


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
