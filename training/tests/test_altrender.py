"""The independent second renderer: truth boxes, DICOM round trip, determinism."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pydicom
import pytest

from screwid_train.altrender import render_patient
from screwid_train.altrender.spec import load
from screwid_train.altrender.writer import plan_designs, write_patient


@pytest.fixture(scope="module")
def small_designs():
    df = load()
    acq = replace(df.acquisition, pixel_spacing=(0.45, 0.5), image_side=(640, 720))
    return replace(df, acquisition=acq, anatomy=replace(df.anatomy, instrumented=(2, 2)))


@pytest.fixture(scope="module")
def rendered(small_designs):
    return render_patient("T001", small_designs, small_designs.known()[0], np.random.default_rng(5))


def test_truth_boxes_inside_and_cover_the_screws(rendered):
    for im in rendered.images:
        h, w = im.stored.shape
        union = np.zeros((h, w), bool)
        assert len(im.boxes) == 4
        for x0, y0, x1, y1 in im.boxes:
            assert 0 <= x0 < x1 <= w - 1 and 0 <= y0 < y1 <= h - 1
            union[int(y0) : int(np.ceil(y1)) + 1, int(x0) : int(np.ceil(x1)) + 1] = True
        metal = im.screw_map > 0.05 * im.screw_map.max()
        assert metal[union].sum() / metal.sum() > 0.99
        for x0, y0, x1, y1 in im.boxes:
            assert metal[int(y0) : int(y1) + 1, int(x0) : int(x1) + 1].any()


def test_screws_are_bright_in_the_display(rendered):
    for im in rendered.images:
        top = (1 << im.exposure.bits) - 1
        disp = im.stored.astype(float)
        if im.exposure.photometric == "MONOCHROME1":
            disp = top - disp
        metal = im.screw_map > 0.3 * im.screw_map.max()
        # Compared with the anatomy round the construct (collimated edges are white too).
        x0, y0 = (int(min(b[k] for b in im.boxes)) - 40 for k in (0, 1))
        x1, y1 = (int(max(b[k] for b in im.boxes)) + 40 for k in (2, 3))
        near = np.zeros_like(metal)
        near[max(0, y0) : y1, max(0, x0) : x1] = True
        assert disp[metal].mean() > np.percentile(disp[near & (im.screw_map == 0)], 75)


def test_dicom_reads_back(rendered, tmp_path):
    folder = write_patient(tmp_path, rendered)
    truth = json.loads((folder / "truth.json").read_text())
    assert truth["patient"] == "T001" and truth["designs"] == ["Medtronic"]
    for im, t in zip(rendered.images, truth["images"], strict=True):
        ds = pydicom.dcmread(folder / t["file"])
        assert ds.PhotometricInterpretation == im.exposure.photometric
        assert ds.PatientName == "ALT^T001"
        assert (ds.Rows, ds.Columns) == (t["height"], t["width"])
        assert int(ds.BitsStored) == im.exposure.bits
        assert np.array_equal(ds.pixel_array, im.stored)
        assert int(ds.pixel_array.max()) < 1 << im.exposure.bits
        assert float(ds.PixelSpacing[0]) == pytest.approx(im.cam.spacing, rel=1e-5)
        assert {s["side"] for s in t["screws"]} == {"left", "right"}
        assert all(s["label"] == "Medtronic" for s in t["screws"])


def test_seeded_determinism(small_designs, rendered):
    again = render_patient(
        "T001", small_designs, small_designs.known()[0], np.random.default_rng(5)
    )
    assert again.truth == rendered.truth
    for a, b in zip(again.images, rendered.images, strict=True):
        assert np.array_equal(a.stored, b.stored)


def test_design_plan_cycles_and_spreads_unseen():
    df = load()
    labels = [d.label for d in plan_designs(df, 6, 0.0)]
    assert labels == ["Medtronic", "NuVasive", "Stryker"] * 2
    mixed = [d.label for d in plan_designs(df, 10, 0.2)]
    assert mixed.count("Unseen") == 2
