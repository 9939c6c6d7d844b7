"""The ``unionforms`` command line: the only place that imports click.

Each command parses its options, calls one core function and turns a ``PipelineError`` into a
Chinese message and an exit status. The group and the shared plumbing are in ``app``; the
commands are grouped by what they do, and registering them is importing their module.
"""

from pipeline.cli import admin, printing, privacy, processing, reports, template_commands
from pipeline.cli.app import main

__all__ = ["admin", "main", "printing", "privacy", "processing", "reports", "template_commands"]
