"""Write the Word templates of the generated documents into templates/.

The templates are docxtpl files meant to be edited in Word afterwards (wording, spacing, seals);
this script is how they were first made and how to start again from a clean layout:

    python scripts/build_templates.py [NAME ...]

Run without names it rewrites every template, overwriting edits made in Word.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import templates_accident
import templates_equipment
import templates_hardship
import templates_hazard
import templates_model_worker
import templates_motion
import templates_pledge
import templates_proposal
import templates_reports
import templates_welfare
from template_parts import no_stretch_before_breaks

from pipeline.config import Fonts
from pipeline.docx_build import DocBuilder

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


BUILDERS: dict[str, Callable[[DocBuilder], None]] = {
    **templates_hardship.BUILDERS,
    **templates_hazard.BUILDERS,
    **templates_accident.BUILDERS,
    **templates_pledge.BUILDERS,
    **templates_welfare.BUILDERS,
    **templates_proposal.BUILDERS,
    **templates_motion.BUILDERS,
    **templates_model_worker.BUILDERS,
    **templates_equipment.BUILDERS,
    **templates_reports.BUILDERS,
}


def main(names: list[str]) -> None:
    for name in names or list(BUILDERS):
        builder = DocBuilder(Fonts())
        BUILDERS[name](builder)
        no_stretch_before_breaks(builder.document)
        (TEMPLATES / name).write_bytes(builder.save())
        print(f"wrote templates/{name}")


if __name__ == "__main__":
    main(sys.argv[1:])
