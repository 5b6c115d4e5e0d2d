"""Run the command line with ``python -m evroam``."""

from evroam.cli.main import run

run()
