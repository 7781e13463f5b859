"""The hospital workflow's crop scale: spacing read as the app reads it, old runs kept."""

from __future__ import annotations

import json

import numpy as np
import pydicom

from screwid_train.dataset import DataConfig
from screwid_train.hospital import image_size, load_dataset, read_spacing
from screwid_train.hospital_train import RunConfig, _patient_arrays
from screwid_train.scale import ASSUMED_LONG_SIDE_MM


def test_dicom_spacing_is_read_and_a_png_has_none(hospital) -> None:
    dcm, png = hospital / "images" / "H01_ap.dcm", hospital / "images" / "H02_ap.png"
    stored = pydicom.dcmread(dcm, stop_before_pixels=True).PixelSpacing
    assert read_spacing(dcm) == float(stored[1])
    assert read_spacing(png) is None


def test_crop_scales_follow_the_file_spacing_or_the_assumed_field(hospital) -> None:
    data, issues = load_dataset(hospital)
    assert not issues
    by_id = data.by_id()
    cfg = DataConfig(crop_size=128, crop_jitters=1)
    checked = 0
    for pid in ("H01", "H02"):  # a DICOM and a PNG
        p = by_id[pid]
        view = _patient_arrays(0, p, data.classes, cfg, np.random.default_rng(0))["views"]["ap"]
        im = p.images["ap"]
        w, h = image_size(im.path)
        spacing = read_spacing(im.path) or ASSUMED_LONG_SIDE_MM / max(w, h)
        for k, b in enumerate(im.boxes):
            # The crop is the box grown by 15 % of its size on each side (whole pixels, so
            # up to 2 more) letterboxed into 128 pixels: one crop pixel spans the grown
            # box's longer side / 128 image pixels.
            side = max(b.x1 - b.x0, b.y1 - b.y0) * 1.3
            inside = b.x0 > 0.3 * side and b.y0 > 0.3 * side
            inside = inside and b.x1 + 0.3 * side < w and b.y1 + 0.3 * side < h
            if not inside:
                continue  # clamped at the image edge: the grown box is smaller
            mm = float(view["crop_mm"][k])
            assert spacing * side / 128 <= mm * (1 + 1e-6) <= spacing * (side + 2) / 128
            checked += 1
    assert checked >= 4


def test_a_run_started_before_the_scale_channel_keeps_96_pixel_crops(tmp_path) -> None:
    old = {"data": "d", "split": "s", "train": {"screw_scale": False, "cls_steps": 5}}
    (tmp_path / "run.json").write_text(json.dumps(old))
    rc = RunConfig.read(tmp_path)
    assert (rc.crop_size, rc.scale, rc.train_config().screw_hflip) == (96, False, False)
    assert (RunConfig("d", "s").crop_size, RunConfig("d", "s").scale) == (128, True)


def test_a_spacing_no_radiograph_has_is_read_as_none(hospital, tmp_path) -> None:
    # As the app's reader (SPACING_MM): outside 0.02-2 mm a spacing is a mistake.
    src = hospital / "images" / "H01_ap.dcm"
    for value, expect in (("1000", None), ("0.0001", None), ("0.5", 0.5)):
        ds = pydicom.dcmread(src)
        ds.PixelSpacing = [value, value]
        ds.ImagerPixelSpacing = [value, value]
        path = tmp_path / f"s{value}.dcm"
        ds.save_as(path)
        assert read_spacing(path) == expect, value
