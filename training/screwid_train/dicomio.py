"""Write phantom radiographs as DICOM (CR or DX) and read them back as display images."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import (
    PYDICOM_IMPLEMENTATION_UID,
    ExplicitVRLittleEndian,
    JPEG2000Lossless,
    RLELossless,
    generate_uid,
)

from screwid_train.imaging import display_from_stored
from screwid_train.render.scene import RenderedView

logger = logging.getLogger(__name__)

SOP_CLASS = {"CR": "1.2.840.10008.5.1.4.1.1.1", "DX": "1.2.840.10008.5.1.4.1.1.1.1"}
SYNTAXES = {"j2k": JPEG2000Lossless, "rle": RLELossless, "none": ExplicitVRLittleEndian}


def _uid(*parts: object) -> str:
    return generate_uid(entropy_srcs=["screwid-phantom", *map(str, parts)])


def _pixel_module(ds: FileDataset, rv: RenderedView) -> None:
    p = rv.params
    rows, cols = rv.stored.shape
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = p.photometric
    ds.Rows, ds.Columns = rows, cols
    ds.BitsAllocated = 16
    ds.BitsStored = p.bits_stored
    ds.HighBit = p.bits_stored - 1
    ds.PixelRepresentation = 0
    spacing = [f"{rv.pixel_spacing:.6f}", f"{rv.pixel_spacing:.6f}"]
    ds.PixelSpacing = spacing
    ds.ImagerPixelSpacing = spacing
    ds.WindowCenter = f"{rv.window_center:.2f}"
    ds.WindowWidth = f"{rv.window_width:.2f}"
    ds.VOILUTFunction = "LINEAR"
    ds.RescaleSlope = f"{rv.slope:g}"
    ds.RescaleIntercept = f"{rv.intercept:g}"
    ds.RescaleType = "US"
    if p.modality == "DX":
        ds.PresentationIntentType = "FOR PRESENTATION"
        ds.PresentationLUTShape = "INVERSE" if p.photometric == "MONOCHROME1" else "IDENTITY"


def build_dataset(rv: RenderedView, patient_id: str, seed: int, modality: str) -> FileDataset:
    """The DICOM object of one rendered view (uncompressed pixel data)."""
    sop_class = SOP_CLASS[modality]
    sop_uid = _uid(seed, patient_id, rv.view, "sop")
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.SOPClassUID, ds.SOPInstanceUID = sop_class, sop_uid
    ds.StudyInstanceUID = _uid(seed, patient_id, "study")
    ds.SeriesInstanceUID = _uid(seed, patient_id, rv.view, "series")
    ds.Modality = modality
    ds.PatientName = f"PHANTOM^{patient_id}"
    ds.PatientID = patient_id
    ds.PatientBirthDate = ""
    ds.PatientSex = "O"
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = "20260101"
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = "120000"
    ds.AccessionNumber = ""
    ds.ReferringPhysicianName = ""
    ds.StudyID = "1"
    ds.SeriesNumber = 1 if rv.view == "ap" else 2
    ds.InstanceNumber = 1
    ds.Manufacturer = "ScrewID phantom renderer"
    ds.InstitutionName = "SYNTHETIC"
    ds.BodyPartExamined = "LSPINE"
    ds.ViewPosition = "AP" if rv.view == "ap" else "LL"
    ds.ImageType = ["DERIVED", "PRIMARY"]
    ds.PatientOrientation = ["L", "F"] if rv.view == "ap" else ["A", "F"]
    ds.ImageComments = "Synthetic phantom, not a patient. Rendered from designs.toml."
    _pixel_module(ds, rv)
    ds.PixelData = np.ascontiguousarray(rv.stored, dtype="<u2").tobytes()
    return ds


def write_dicom(
    path: Path, rv: RenderedView, patient_id: str, seed: int, modality: str, syntax: str = "j2k"
) -> Path:
    ds = build_dataset(rv, patient_id, seed, modality)
    if syntax != "none":
        ds.compress(
            SYNTAXES[syntax],
            np.ascontiguousarray(rv.stored),
            encoding_plugin=None if syntax == "rle" else "pylibjpeg",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    logger.info(
        "wrote %s (%d kB, %s)",
        path,
        path.stat().st_size // 1024,
        ds.file_meta.TransferSyntaxUID.name,
    )
    return path


def read_display(path: Path) -> np.ndarray:
    """Display image of a DICOM file per the contract (rescale, window, MONOCHROME1)."""
    ds = pydicom.dcmread(path)
    stored = ds.pixel_array
    center = _first(ds.get("WindowCenter"))
    width = _first(ds.get("WindowWidth"))
    return display_from_stored(
        stored,
        float(ds.get("RescaleSlope", 1.0)),
        float(ds.get("RescaleIntercept", 0.0)),
        center,
        width,
        str(ds.PhotometricInterpretation),
    )


def read_spacing(path: Path) -> float | None:
    """Column spacing in mm (`PixelSpacing`, else `ImagerPixelSpacing`), None if absent or
    outside 0.02-2 mm (a mistake, not a radiograph's sampling).

    The same rule as the app's reader (src/radiograph/header.rs, `SPACING_MM`)."""
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    for key in ("PixelSpacing", "ImagerPixelSpacing"):
        value = ds.get(key)
        if value is not None and len(value) >= 2:
            row, col = float(value[0]), float(value[1])
            if 0.02 <= row <= 2.0 and 0.02 <= col <= 2.0:
                return col
    return None


def _first(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, pydicom.multival.MultiValue):
        return float(value[0])
    return float(value)  # type: ignore[arg-type]
