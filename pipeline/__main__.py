"""``python -m pipeline`` is the same as the ``unionforms`` command."""

from pipeline.cli import main

main(prog_name="unionforms")
