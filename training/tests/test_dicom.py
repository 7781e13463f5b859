"""DICOM written by the toolkit reads back with pydicom and reproduces the display image."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pydicom
import pytest

from screwid_train.dicomio import read_display, write_dicom
from screwid_train.render.patient import sample_patient
from screwid_train.render.scene import render_patient


@pytest.mark.parametrize(
    ("syntax", "modality", "photometric"),
    [("j2k", "CR", "MONOCHROME1"), ("rle", "DX", "MONOCHROME2"), ("none", "CR", "MONOCHROME2")],
)
def test_dicom_round_trip(designs, tmp_path, syntax: str, modality: str, photometric: str) -> None:
    spec = sample_patient(designs, 41, ("medtronic",), "P041")
    views = {k: replace(v, photometric=photometric) for k, v in spec.views.items()}
    rv = render_patient(replace(spec, views=views), long_side=256)["ap"]
    path = write_dicom(tmp_path / "ap.dcm", rv, "P041", 41, modality, syntax)
    ds = pydicom.dcmread(path)
    assert ds.Modality == modality
    assert ds.PatientName == "PHANTOM^P041"
    assert ds.PhotometricInterpretation == photometric
    assert (ds.Rows, ds.Columns) == rv.stored.shape
    assert int(ds.BitsStored) == rv.params.bits_stored
    np.testing.assert_array_equal(ds.pixel_array, rv.stored)
    np.testing.assert_allclose(read_display(path), rv.display(), atol=1e-5)
