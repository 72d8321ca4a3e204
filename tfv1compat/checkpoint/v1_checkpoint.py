"""TF1's v1 ``tf.compat.v1.train.Checkpoint``: object-based checkpoints, with sessions."""

from __future__ import annotations

import contextlib
import os

import tensorflow as tf

from tfv1compat._tf import internals
from tfv1compat.checkpoint.readers import _verify_readable


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
            if not isinstance(self.root, internals.Trackable):
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
