"""Allow ``python -m generator`` as well as the ``timeline`` command."""

from generator.cli import run

run()
