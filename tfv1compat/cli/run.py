"""``python -m tfv1compat run SCRIPT [ARGS...]``: run an unmodified TF1 script on tfv1compat.

The script runs exactly as ``python SCRIPT ARGS`` would run it, with ``tfv1compat.install()``
applied first, so its ``tf.train.AdamOptimizer(...)`` (or ``tf.compat.v1.train...``) is
tfv1compat's:

* ``sys.argv`` is ``[SCRIPT, *ARGS]``; ``sys.path[0]`` is the script's directory;
* the script is the ``__main__`` module (``if __name__ == "__main__":`` runs, ``__file__`` is
  set, ``sys.modules["__main__"]`` is the script's module while it runs);
* ``sys.exit(n)`` gives exit status ``n``; ``sys.exit("message")`` prints the message and
  gives 1; an uncaught exception prints its traceback (the script's frames only, no runner
  frames) and gives 1;
* a directory or zip file with a ``__main__.py`` runs like ``python DIR``.

Called in-process (``run_script``), it restores ``sys.argv``, ``sys.path`` and, if it installed
them, the TF namespaces afterwards.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
import types

__all__ = ["DESCRIPTION", "HELP", "add_arguments", "main", "run_script"]


def _exit_status(exit: SystemExit) -> int:
    """The process exit status ``python`` derives from ``SystemExit`` (printing as it does)."""
    code = exit.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _user_traceback(error: BaseException) -> types.TracebackType | None:
    """``error``'s traceback without the leading frames of this module and ``runpy``."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_globals.get("__name__") in (__name__, runpy.__name__):
        tb = tb.tb_next
    return tb


def run_script(
    path: str, argv: list[str] | tuple[str, ...] = (), *, keep_installed: bool = False
) -> int:
    """Run the Python program at ``path`` with arguments ``argv`` and tfv1compat installed.

    Args:
      path: The script (or a directory / zip file with a ``__main__.py``).
      argv: Its arguments (``sys.argv[1:]`` as the script sees it).
      keep_installed: Leave ``install()`` in effect afterwards (the command line does, so
        that the script's ``atexit`` handlers and threads still see tfv1compat).

    Returns:
      The exit status ``python path *argv`` would have had.

    Raises:
      KeyboardInterrupt: Propagated from the script, as Python does.
    """
    # Not `from tfv1compat import install`: the package exports the install() function under
    # that name, which shadows the submodule.
    from tfv1compat.install import install, is_installed, uninstall

    path = os.fspath(path)
    if not os.path.exists(path):
        print(
            "tfv1compat run: can't open file %r: No such file or directory" % path, file=sys.stderr
        )
        return 2
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    was_installed = is_installed()
    install()
    sys.argv[:] = [path, *argv]
    # `python SCRIPT` puts the script's directory first on sys.path (for a directory or zip,
    # the path itself; runpy.run_path adds that one on its own).
    if os.path.isfile(path) and not _is_zip(path):
        sys.path.insert(0, os.path.dirname(os.path.realpath(path)))
    try:
        runpy.run_path(path, run_name="__main__")
        return 0
    except SystemExit as exit:
        return _exit_status(exit)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001 - reported as the interpreter does
        # Through sys.excepthook, as for an uncaught exception, so a hook the script set runs.
        tb = _user_traceback(error)
        sys.excepthook(type(error), error.with_traceback(tb), tb)
        return 1
    finally:
        sys.argv[:] = saved_argv
        sys.path[:] = saved_path
        if not was_installed and not keep_installed:
            uninstall()


def _is_zip(path: str) -> bool:
    import zipfile

    return zipfile.is_zipfile(path)


HELP = "run an unmodified TF1 script on tfv1compat (as `python SCRIPT ARGS` would)"
DESCRIPTION = (
    "Run an unmodified TF1 script with tfv1compat.install() applied, as `python SCRIPT ARGS` would."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``run``: the script and everything after it (passed to the script)."""
    parser.add_argument("script", help="path of the Python script (or directory/zip) to run")
    parser.add_argument(
        "args",
        nargs=argparse.REMAINDER,
        help="arguments for the script (everything after SCRIPT, options included)",
    )


def main(args: argparse.Namespace) -> int:
    """``run``'s entry point: the script's exit status."""
    return run_script(args.script, list(args.args), keep_installed=True)
