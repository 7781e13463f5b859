"""Procedurally varied screw designs: the classifiers' "other design" class.

A classifier trained only on the three known designs gives a confident known label to any
screw, including one of a system it never saw. So the demonstration pack's classifiers get a
fourth output trained on screws of random designs that mix and stretch the known designs'
features (pitch, core, tip, tulip, head, closure, rod). The `unseen` design of the design file
is never used here: its dual pitch, two leads and break-off closure appear in no variant, so
the unseen evaluation set stays a fair test of generalisation to a new system.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np

from screwid_train.designs import TRAINING_DESIGNS, Design, DesignFile

logger = logging.getLogger(__name__)

OTHER_LABEL = "Other"
VARIANT_KEY = "variant"

# Range-valued features, and how far beyond the known designs' hull a variant may go
# (as a share of the hull's span on each side).
_RANGE_FIELDS = (
    "thread_pitch",
    "core_ratio",
    "tip_taper_length",
    "tulip_height",
    "tulip_width",
    "head_sphere_diameter",
)
_STRETCH = 0.35
_MIN_DIFFERENCES = 3


def _known(df: DesignFile) -> list[Design]:
    return [df.designs[k] for k in TRAINING_DESIGNS]


def _sample_range(known: list[Design], name: str, rng: np.random.Generator) -> tuple[float, float]:
    """A sub-range as wide as a typical known one, centred anywhere on the stretched hull."""
    ranges = [getattr(d, name) for d in known]
    lo, hi = min(r[0] for r in ranges), max(r[1] for r in ranges)
    span = hi - lo
    half = float(np.mean([(r[1] - r[0]) / 2 for r in ranges]))
    c = float(rng.uniform(lo - _STRETCH * span, hi + _STRETCH * span))
    return (c - half, c + half)


def _differences(v: Design, d: Design) -> int:
    """Features in which variant `v` clearly differs from known design `d`."""
    n = 0
    for name in _RANGE_FIELDS:
        (vlo, vhi), (dlo, dhi) = getattr(v, name), getattr(d, name)
        n += int((vlo + vhi) / 2 < dlo or (vlo + vhi) / 2 > dhi)
    n += int(v.closure != d.closure)
    n += int(v.thread_profile != d.thread_profile)
    n += int(v.core_shape != d.core_shape)
    n += int(abs(v.rod_diameter - d.rod_diameter) > 0.25)
    return n


def _candidate(df: DesignFile, rng: np.random.Generator) -> Design:
    known = _known(df)
    pick = lambda attr: str(rng.choice(sorted({getattr(d, attr) for d in known})))  # noqa: E731
    ranges = {name: _sample_range(known, name, rng) for name in _RANGE_FIELDS}
    return replace(
        known[0],
        key=VARIANT_KEY,
        label=OTHER_LABEL,
        thread_pitch_distal=None,
        thread_leads=1,
        thread_profile=pick("thread_profile"),
        core_shape=pick("core_shape"),
        closure=pick("closure"),
        rod_diameter=float(rng.uniform(5.0, 6.5)),
        rod_cobalt_chrome_share=float(rng.uniform(0.0, 0.5)),
        **ranges,
    )


def variant_design(df: DesignFile, seed: int) -> Design:
    """A random design that differs from every known design in at least three features."""
    rng = np.random.default_rng([seed, 31])
    for _ in range(1000):
        v = _candidate(df, rng)
        if all(_differences(v, d) >= _MIN_DIFFERENCES for d in _known(df)):
            return v
    raise RuntimeError("no variant design found: the known designs cover the whole space")


def with_variant(df: DesignFile, seed: int) -> DesignFile:
    """The design file plus one variant under the key `variant`."""
    designs = dict(df.designs)
    designs[VARIANT_KEY] = variant_design(df, seed)
    return replace(df, designs=designs)
