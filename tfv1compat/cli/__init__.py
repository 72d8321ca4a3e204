"""The command line: ``python -m tfv1compat COMMAND`` (also the ``tfv1compat`` console script).

Every command is a module here with one protocol: ``HELP`` and ``DESCRIPTION`` (strings),
``add_arguments(parser)`` and ``main(args) -> int`` (the exit status). ``main`` dispatches to
them; none of them imports TensorFlow before its ``main`` runs, so ``--help`` and argument
errors are immediate. A new command is a new module listed in ``COMMANDS``.
"""

# command name -> module (under tfv1compat.cli)
COMMANDS = {
    "demo": "demo",
    "run": "run",
    "scan": "scan",
    "convert-checkpoint": "convert",
}
