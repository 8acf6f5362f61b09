"""``python -m livedigits``: the ``livedigits`` command."""

import sys

from livedigits.cli import main

if __name__ == "__main__":
    sys.exit(main())
