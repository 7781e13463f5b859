"""Phantom renderer: determinism, design-only differences, truth boxes."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import binary_dilation

from screwid_train.render.patient import sample_patient
from screwid_train.render.scene import render_patient

SMALL = 224


def _render(designs, seed: int, keys: tuple[str, ...], keep: bool = False):
    return render_patient(sample_patient(designs, seed, keys), long_side=SMALL, keep_implant=keep)


@pytest.mark.parametrize("seed", [3, 17])
def test_same_seed_same_pixels(designs, seed: int) -> None:
    a = _render(designs, seed, ("medtronic",))
    b = _render(designs, seed, ("medtronic",))
    for view in ("ap", "lateral"):
        np.testing.assert_array_equal(a[view].stored, b[view].stored)
        assert [s.box for s in a[view].screws] == [s.box for s in b[view].screws]


def test_different_seed_different_pixels(designs) -> None:
    a = _render(designs, 5, ("stryker",))
    b = _render(designs, 6, ("stryker",))
    assert a["ap"].stored.shape != b["ap"].stored.shape or not np.array_equal(
        a["ap"].stored, b["ap"].stored
    )


@pytest.mark.parametrize(
    ("d1", "d2"), [("medtronic", "nuvasive"), ("nuvasive", "stryker"), ("stryker", "unseen")]
)
def test_designs_differ_only_inside_implants(designs, d1: str, d2: str) -> None:
    a = _render(designs, 11, (d1,), keep=True)
    b = _render(designs, 11, (d2,), keep=True)
    for view in ("ap", "lateral"):
        ra, rb = a[view], b[view]
        assert ra.stored.shape == rb.stored.shape
        assert (ra.window_center, ra.window_width) == (rb.window_center, rb.window_width)
        diff = ra.stored != rb.stored
        assert diff.any(), "two designs rendered identically"
        implant = (ra.implant > 1e-3) | (rb.implant > 1e-3)
        blur = (
            max(ra.params.blur_sigma, rb.params.blur_sigma)
            * SMALL
            / max(ra.params.width, ra.params.height)
        )
        region = binary_dilation(implant, iterations=int(np.ceil(4 * blur)) + 2)
        assert not (diff & ~region).any(), f"{view}: pixels changed outside implants"
        assert [s.label for s in ra.screws] != [s.label for s in rb.screws]


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_truth_boxes_inside_and_cover_implants(designs, seed: int) -> None:
    views = _render(designs, seed, ("nuvasive", "stryker"), keep=True)
    for rv in views.values():
        H, W = rv.stored.shape
        assert rv.screws, "no screw visible"
        for s in rv.screws:
            x0, y0, x1, y1 = s.box
            assert 0 <= x0 < x1 <= W and 0 <= y0 < y1 <= H
            inside = rv.implant[int(y0) : int(np.ceil(y1)), int(x0) : int(np.ceil(x1))]
            assert inside.max() > 0.2, "box holds no metal"
            assert s.label in ("NuVasive", "Stryker")
        # Every strongly attenuating implant pixel near a screw head lies in some box.
        covered = np.zeros_like(rv.implant, dtype=bool)
        for s in rv.screws:
            x0, y0, x1, y1 = s.box
            covered[int(y0) : int(np.ceil(y1)), int(x0) : int(np.ceil(x1))] = True
        assert covered[rv.implant > 0.2].mean() > 0.5


def test_mixed_patient_has_two_labels(designs) -> None:
    spec = sample_patient(designs, 31, ("medtronic", "stryker"))
    assert spec.mixed and spec.labels == ["Medtronic", "Stryker"]


@pytest.mark.parametrize("seed", [3, 4, 5, 6, 7, 8])
def test_ap_side_marker_is_on_the_side_of_the_screws_called_right(designs, seed: int) -> None:
    # "R" marks the patient's right; truth calls a screw "right" by the patient's side.
    # So on an AP film the "R" marker and the right screws share a half of the image.
    from dataclasses import replace

    from screwid_train.render.acquisition import marker_x

    spec = sample_patient(designs, seed, ("stryker",))
    views = render_patient(spec, long_side=SMALL)
    ap = views["ap"]
    xs = {
        s: [(b.box[0] + b.box[2]) / 2 for b in ap.screws if b.side == s] for s in ("right", "left")
    }
    right_on_left = sum(xs["right"]) / len(xs["right"]) < sum(xs["left"]) / len(xs["left"])
    marker_on_left = marker_x(ap.params, "R", 0.1) < 0.5
    assert right_on_left == marker_on_left
    mirrored = replace(ap.params, flip=not ap.params.flip)
    assert (marker_x(mirrored, "R", 0.1) < 0.5) != marker_on_left
