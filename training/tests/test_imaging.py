"""Contract conventions: VOI window, letterbox, crops."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from screwid_train.imaging import (
    crop_region,
    display_from_stored,
    letterbox,
    letterbox_geometry,
    voi_linear,
)


@pytest.mark.parametrize(
    ("W", "H", "Wi", "Hi", "expect"),
    [
        (1000, 500, 512, 512, (0.512, 512, 256, 0, 128)),
        (300, 400, 128, 128, (0.32, 96, 128, 16, 0)),
        (2400, 2100, 512, 512, (512 / 2400, 512, 448, 0, 32)),
        (97, 31, 96, 96, (96 / 97, 96, 31, 0, 32)),
        (200, 101, 100, 100, (0.5, 100, 51, 0, 24)),
    ],
)
def test_letterbox_geometry_hand_worked(W, H, Wi, Hi, expect) -> None:
    g = letterbox_geometry(W, H, Wi, Hi)
    s, w, h, ox, oy = expect
    assert g.scale == pytest.approx(s)
    assert (g.w, g.h, g.ox, g.oy) == (w, h, ox, oy)


def test_letterbox_pixels_and_mapping() -> None:
    rng = np.random.default_rng(0)
    img = rng.uniform(0.1, 1.0, (500, 1000)).astype(np.float32)
    out, g = letterbox(img, 512, 512)
    assert out.shape == (512, 512)
    assert np.all(out[:128] == 0) and np.all(out[384:] == 0)
    ref = np.asarray(Image.fromarray(img, mode="F").resize((512, 256), Image.Resampling.BILINEAR))
    np.testing.assert_array_equal(out[128:384], ref)
    x, y = g.to_image(*g.to_input(123.0, 456.0))
    assert (x, y) == pytest.approx((123.0, 456.0))
    assert g.to_image(256.0, 128.0) == pytest.approx((500.0, 0.0))


def test_voi_linear_formula() -> None:
    # c = 100.5, w = 11: lower edge 100.5 - 0.5 - 5 = 95, upper 105.
    x = np.array([90.0, 95.0, 100.0, 105.0, 106.0])
    np.testing.assert_allclose(voi_linear(x, 100.5, 11), [0.0, 0.0, 0.5, 1.0, 1.0], atol=1e-6)


def test_monochrome1_inverts() -> None:
    stored = np.array([[0, 1023]], dtype=np.uint16)
    d2 = display_from_stored(stored, 1.0, 0.0, 512.0, 1024.0, "MONOCHROME2")
    d1 = display_from_stored(stored, 1.0, 0.0, 512.0, 1024.0, "MONOCHROME1")
    np.testing.assert_allclose(d1, 1.0 - d2)
    assert d2[0, 1] > d2[0, 0]


def test_crop_region_grows_and_clamps() -> None:
    assert crop_region((100, 100, 200, 150), 1000, 1000, 0.15) == (85, 92, 215, 158)
    assert crop_region((0, 0, 50, 50), 60, 60, 0.15) == (0, 0, 58, 58)
