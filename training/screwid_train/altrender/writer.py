"""Render patients to disk in the sample layout: `ap.dcm`, `lateral.dcm` and `truth.json`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom
from PIL import Image as PILImage
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from scipy import ndimage
from tqdm import tqdm

from screwid_train.altrender import acquire
from screwid_train.altrender.anatomy import Patient, build_patient
from screwid_train.altrender.geometry import Camera, Cloud, integrate, splat, upsample
from screwid_train.altrender.implants import box_cloud, screw_cloud, tube_cloud
from screwid_train.altrender.spec import Design, DesignFile, load

CR_STORAGE = "1.2.840.10008.5.1.4.1.1.1"
VIEWS = (("ap", "ap.dcm", "AP"), ("lateral", "lateral.dcm", "LL"))


@dataclass
class Image:
    """One rendered view."""

    view: str
    file: str
    stored: np.ndarray
    cam: Camera
    exposure: acquire.Exposure
    window: tuple[float, float]
    boxes: list[acquire.Box]
    screw_map: np.ndarray  # line integral of the screws alone, for tests


@dataclass
class Rendered:
    """One patient: its two views and its truth."""

    pid: str
    images: list[Image]
    truth: dict


def _sampling(pat: Patient, cams: dict[str, Camera]) -> tuple[float, dict[str, int]]:
    """Metal sample spacing (mm) and, per view, the splat grid's block size in pixels."""
    centre = np.mean([s.sphere_center for s in pat.screws], axis=0)[None]
    steps, blocks = [], {}
    for k, cam in cams.items():
        mag = float(cam.project(centre)[2][0])
        f = max(1, round(0.17 * mag / cam.spacing))
        blocks[k] = f
        steps.append(0.85 * f * cam.spacing / mag)
    return float(np.clip(min(steps), 0.13, 0.2)), blocks


def _metal(pat: Patient, s: float, rng: np.random.Generator) -> tuple[list[Cloud], list[Cloud]]:
    screws = [
        screw_cloud(p.geom, p.sphere_center, p.shank_dir, p.tulip_axis, p.rod_dir, s, rng)
        for p in pat.screws
    ]
    other = [tube_cloud(path, r, mu, s, rng, rng.uniform(5, 12)) for path, r, mu in pat.rods]
    other += [tube_cloud(path, r, mu, s, rng, 0.0) for path, r, mu in pat.bars]
    other += [box_cloud(c, np.eye(3), semi, mu, s, rng) for c, semi, mu in pat.blocks]
    return screws, other


def _box(ext: tuple[float, float, float, float], cam: Camera, pad: float) -> acquire.Box:
    return (
        float(max(0.0, ext[0] - pad)),
        float(max(0.0, ext[1] - pad)),
        float(min(cam.width - 1.0, ext[2] + pad)),
        float(min(cam.height - 1.0, ext[3] + pad)),
    )


def _text(pid: str, view: str, rng: np.random.Generator) -> list[str]:
    kv, mas = int(rng.integers(70, 96)), int(rng.integers(8, 60))
    return [
        f"ALT^{pid}",
        "SYNTHETIC PHANTOM",
        f"{'AP' if view == 'ap' else 'LAT'} L-SPINE",
        f"{kv} kV  {mas} mAs",
        "2026-01-01 12:00",
    ]


def _view(
    pat: Patient,
    cam: Camera,
    f: int,
    metal: tuple[list[Cloud], list[Cloud]],
    s: float,
    df: DesignFile,
    rng: np.random.Generator,
    pid: str,
    view: str,
) -> Image:
    shape = (cam.height, cam.width)
    fa = max(2, round(0.75 / cam.spacing))
    p = upsample(integrate(pat.prims, cam, fa), fa, shape)
    coarse = (-(-cam.height // f), -(-cam.width // f))
    screws, other = metal
    sm, ext = splat(screws, cam, f, coarse)
    sm = ndimage.gaussian_filter(sm, 0.7)
    om = ndimage.gaussian_filter(splat(other, cam, f, coarse)[0], 0.7)
    screw_map = upsample(sm, f, shape)
    other_map = upsample(om, f, shape)
    p = p + screw_map + other_map
    mag = float(cam.project(pat.screws[0].sphere_center[None])[2][0])
    pad = 0.5 * s * mag / cam.spacing + 0.5
    boxes = [_box(x, cam, pad) for x in ext]
    acq = df.acquisition
    e = acquire.sample_exposure(rng, acq.blur_sigma, acq.bits_stored, acq.photometric)
    field = acquire.collimation(cam.width, cam.height, boxes, rng)
    if "side_marker" in acq.extras:
        letter = str(rng.choice(["R", "L"])) if view == "ap" else "L"
        # The AP is seen from the front: the patient's right lies on the viewer's left.
        acquire.add_marker(p, letter, cam.spacing, boxes, field, letter == "R" or view != "ap", rng)
    # The film curve is fitted on the body only: neither metal nor direct exposure.
    metal = ((screw_map + other_map) > 0.15) | (p < 0.5 * np.median(p))
    y = acquire.expose(p, cam, e, field, metal, rng)
    if "burned_in_text" in acq.extras:
        acquire.burn_text(y, _text(pid, view, rng), boxes, rng)
    stored, wc, ww = acquire.quantise(y, e, field, rng)
    name = next(fn for v, fn, _ in VIEWS if v == view)
    return Image(view, name, stored, cam, e, (wc, ww), boxes, screw_map)


def render_patient(pid: str, df: DesignFile, design: Design, rng: np.random.Generator) -> Rendered:
    """Both views of one new patient whose (upper) construct is `design`."""
    from screwid_train.altrender.views import cameras

    pat = build_patient(rng, df, design)
    cams = cameras(pat, df.acquisition, rng)
    s, blocks = _sampling(pat, cams)
    metal = _metal(pat, s, rng)
    images = [_view(pat, cams[v], blocks[v], metal, s, df, rng, pid, v) for v, _, _ in VIEWS]
    truth = {
        "patient": pid,
        "mixed": len(pat.designs) > 1,
        "designs": pat.designs,
        "images": [
            {
                "file": im.file,
                "view": im.view,
                "width": im.cam.width,
                "height": im.cam.height,
                "screws": [
                    {
                        "box": [round(c, 2) for c in b],
                        "label": sp.geom.design.label,
                        "level": sp.level,
                        "side": sp.side,
                    }
                    for b, sp in zip(im.boxes, pat.screws, strict=True)
                ],
            }
            for im in images
        ],
    }
    return Rendered(pid, images, truth)


def _dataset(pid: str, im: Image, study: str) -> Dataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CR_STORAGE
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["DERIVED", "PRIMARY"]
    ds.SOPClassUID = CR_STORAGE
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = "20260101"
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = "120000"
    ds.Modality = "CR"
    ds.Manufacturer = "ScrewID alternative phantom renderer"
    ds.InstitutionName = "SYNTHETIC"
    ds.PatientName = f"ALT^{pid}"
    ds.PatientID = pid
    ds.PatientSex = "O"
    ds.BodyPartExamined = "LSPINE"
    ds.ViewPosition = next(vp for v, _, vp in VIEWS if v == im.view)
    ds.PatientOrientation = ["L", "F"] if im.view == "ap" else ["P", "F"]
    ds.StudyInstanceUID = study
    ds.SeriesInstanceUID = generate_uid()
    ds.SeriesNumber = 1 if im.view == "ap" else 2
    ds.InstanceNumber = 1
    ds.ImageComments = "Synthetic phantom (alternative renderer), not a patient."
    sp = f"{im.cam.spacing:.6f}"
    ds.PixelSpacing = ds.ImagerPixelSpacing = [sp, sp]
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = im.exposure.photometric
    ds.Rows, ds.Columns = im.stored.shape
    ds.BitsAllocated, ds.BitsStored = 16, im.exposure.bits
    ds.HighBit = im.exposure.bits - 1
    ds.PixelRepresentation = 0
    ds.WindowCenter, ds.WindowWidth = f"{im.window[0]:.2f}", f"{im.window[1]:.2f}"
    ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = "0", "1", "US"
    ds.PixelData = im.stored.astype("<u2").tobytes()
    return ds


def write_patient(out: Path, r: Rendered) -> Path:
    """`out/<pid>/` with both DICOM files and truth.json."""
    folder = out / r.pid
    folder.mkdir(parents=True, exist_ok=True)
    study = generate_uid()
    for im in r.images:
        pydicom.dcmwrite(folder / im.file, _dataset(r.pid, im, study), enforce_file_format=True)
    (folder / "truth.json").write_text(json.dumps(r.truth, indent=2) + "\n")
    return folder


def plan_designs(df: DesignFile, n: int, unseen_share: float) -> list[Design]:
    """Cycle the known designs; replace an evenly spread `unseen_share` with `unseen`."""
    known = df.known()
    out = []
    for i in range(n):
        unseen = int((i + 1) * unseen_share) > int(i * unseen_share)
        out.append(
            df.designs["unseen"] if unseen and "unseen" in df.designs else known[i % len(known)]
        )
    return out


def render_set(
    out: Path, patients: int, seed: int, designs: Path | None = None, unseen_share: float = 0.0
) -> list[Path]:
    """Render `patients` patients `A001`, `A002`, ... into `out`; seeded and deterministic."""
    df = load(designs)
    plan = plan_designs(df, patients, unseen_share)
    folders = []
    for i, d in enumerate(tqdm(plan, desc="alt-render", unit="patient")):
        rng = np.random.default_rng([seed, i])
        folders.append(write_patient(out, render_patient(f"A{i + 1:03d}", df, d, rng)))
    return folders


def _display(path: Path, height: int) -> PILImage.Image:
    """A DICOM windowed as stored (MONOCHROME1 inverted), scaled to `height` pixels."""
    ds = pydicom.dcmread(path)
    a = ds.pixel_array.astype(np.float64)
    c, w = float(ds.WindowCenter), float(ds.WindowWidth)
    g = np.clip((a - c + w / 2) / w, 0, 1)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        g = 1 - g
    t = PILImage.fromarray((g * 255).astype(np.uint8))
    return t.resize((int(t.width * height / t.height), height), PILImage.LANCZOS)


def contact_sheet(folders: list[Path], out: Path, height: int = 480) -> None:
    """A PNG with one row per patient folder: its AP and its lateral, side by side."""
    rows = [[_display(f / name, height) for _, name, _ in VIEWS] for f in folders]
    width = max(sum(t.width + 8 for t in r) for r in rows)
    sheet = PILImage.new("L", (width, len(rows) * (height + 8)), 0)
    for i, r in enumerate(rows):
        x = 0
        for t in r:
            sheet.paste(t, (x, i * (height + 8)))
            x += t.width + 8
    sheet.save(out)
