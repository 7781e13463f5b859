"""Procedural "other design" variants stay away from the known designs and the unseen one."""

from __future__ import annotations

from screwid_train.designs import TRAINING_DESIGNS, UNSEEN_DESIGN, load_designs
from screwid_train.render.variants import OTHER_LABEL, VARIANT_KEY, variant_design, with_variant


def _outside(value: tuple[float, float], known: tuple[float, float]) -> bool:
    mid = (value[0] + value[1]) / 2
    return mid < known[0] or mid > known[1]


def test_variants_differ_from_every_known_design() -> None:
    df = load_designs()
    ranged = ("thread_pitch", "core_ratio", "tip_taper_length", "tulip_height", "tulip_width")
    ranged = (*ranged, "head_sphere_diameter")
    for seed in range(200):
        v = variant_design(df, seed)
        assert v.label == OTHER_LABEL
        for key in TRAINING_DESIGNS:
            d = df.designs[key]
            diffs = sum(_outside(getattr(v, f), getattr(d, f)) for f in ranged)
            diffs += (v.closure != d.closure) + (v.thread_profile != d.thread_profile)
            diffs += (v.core_shape != d.core_shape) + (abs(v.rod_diameter - d.rod_diameter) > 0.25)
            assert diffs >= 3, (seed, key)


def test_variants_never_borrow_the_unseen_designs_signature() -> None:
    df = load_designs()
    unseen = df.designs[UNSEEN_DESIGN]
    for seed in range(200):
        v = variant_design(df, seed)
        assert v.thread_pitch_distal is None  # the unseen design's dual pitch
        assert v.thread_leads == 1 != unseen.thread_leads
        assert v.closure != unseen.closure  # its break-off tabs
        assert v.rod_diameter >= 5.0 > unseen.rod_diameter


def test_variant_is_seeded_and_added_under_its_key() -> None:
    df = load_designs()
    assert variant_design(df, 7) == variant_design(df, 7)
    assert variant_design(df, 7) != variant_design(df, 8)
    assert with_variant(df, 7).designs[VARIANT_KEY] == variant_design(df, 7)
    assert VARIANT_KEY not in df.designs
