"""Allow ``python -m generator`` as well as the ``timeline`` command."""

import sys

from generator.cli import main

sys.exit(main())
