"""``python -m tfv1compat``: see ``tfv1compat.cli``."""

import sys

from tfv1compat.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
