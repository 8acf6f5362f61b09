import sys

from livedigits.cli import main

sys.exit(main())
