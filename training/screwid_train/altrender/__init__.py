"""An independent second phantom renderer, written from the design file alone (issue #3).

It shares no code with `screwid_train.render` on purpose: its anatomy, exposure, noise and
screw modelling differ, so a pack trained on the first renderer can be checked on a style it
never saw. Entry points: `render_patient` and `render_set` (the `alt-render` subcommand).
"""

from screwid_train.altrender.writer import render_patient, render_set

__all__ = ["render_patient", "render_set"]
