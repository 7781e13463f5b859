"""Bundled sample patients (full-size DICOM + truth.json) and the phantom contact sheet."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from tqdm import tqdm

from screwid_train.dataset import SAMPLE_SEED_BASE
from screwid_train.designs import DesignFile, load_designs
from screwid_train.dicomio import write_dicom
from screwid_train.render.patient import PatientSpec, sample_patient
from screwid_train.render.scene import RenderedView, render_patient

logger = logging.getLogger(__name__)

# (patient id, designs upper-to-lower, modality per view)
SAMPLE_PLAN: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("P001", ("stryker",), "CR"),
    ("P002", ("nuvasive", "medtronic"), "DX"),
    ("P003", ("medtronic",), "CR"),
)


def truth_json(spec: PatientSpec, views: dict[str, RenderedView]) -> dict:
    images = []
    for name, rv in views.items():
        H, W = rv.stored.shape
        images.append(
            {
                "file": f"{name}.dcm",
                "view": name,
                "width": W,
                "height": H,
                "screws": [
                    {
                        "box": [round(v, 2) for v in s.box],
                        "label": s.label,
                        "level": s.level,
                        "side": s.side,
                    }
                    for s in rv.screws
                ],
            }
        )
    return {
        "patient": spec.patient_id,
        "mixed": spec.mixed,
        "designs": spec.labels,
        "images": images,
    }


def _good_seed(df: DesignFile, designs: tuple[str, ...], start: int) -> int:
    """First seed from `start` whose construct has 3+ levels and every screw in both views."""
    for seed in range(start, start + 200):
        spec = sample_patient(df, seed, designs)
        levels = {s.level for s in spec.screws}
        if len(levels) >= 3 and len(levels) <= 5:
            views = render_patient(spec, long_side=256)
            if all(len(v.screws) == len(spec.screws) for v in views.values()):
                return seed
    return start


def _sample_settings(spec: PatientSpec) -> PatientSpec:
    """Bundled samples: 10 bits stored, a generous dose and at most 2300 px a side, so that
    lossless JPEG 2000 keeps each file under 2 MB."""
    views = {
        k: replace(
            v,
            bits_stored=10,
            photons=max(v.photons, 2e5),
            width=min(v.width, 2300),
            height=min(v.height, 2300),
        )
        for k, v in spec.views.items()
    }
    return replace(spec, views=views)


def write_samples(out: Path, seed: int = 0, syntax: str = "j2k") -> None:
    df = load_designs()
    for k, (pid, designs, modality) in enumerate(tqdm(SAMPLE_PLAN, desc="samples")):
        s = _good_seed(df, designs, SAMPLE_SEED_BASE + seed * 1000 + 100 * k)
        spec = _sample_settings(sample_patient(df, s, designs, pid))
        views = render_patient(spec)
        d = out / pid
        d.mkdir(parents=True, exist_ok=True)
        for name, rv in views.items():
            write_dicom(d / f"{name}.dcm", rv, pid, s, modality, syntax)
        (d / "truth.json").write_text(json.dumps(truth_json(spec, views), indent=2) + "\n")
        logger.info("%s: seed %d, designs %s", pid, s, spec.labels)


def _tile(rv: RenderedView, size: int, boxes: bool) -> Image.Image:
    disp = rv.display()
    img = Image.fromarray((disp * 255).astype(np.uint8)).convert("RGB")
    if boxes:
        draw = ImageDraw.Draw(img)
        for s in rv.screws:
            draw.rectangle(s.box, outline=(255, 60, 60), width=2)
    img.thumbnail((size, size))
    canvas = Image.new("RGB", (size, size))
    canvas.paste(img, ((size - img.width) // 2, (size - img.height) // 2))
    return canvas


def contact_sheet(out: Path, seed: int = 0, size: int = 420) -> None:
    """AP and lateral of each design (plus a crop row) as one PNG."""
    df = load_designs()
    keys = ("medtronic", "nuvasive", "stryker", "unseen")
    sheet = Image.new("RGB", (size * len(keys), size * 2 + size // 2 + 30), (30, 30, 30))
    draw = ImageDraw.Draw(sheet)
    for col, key in enumerate(tqdm(keys, desc="contact sheet")):
        spec = sample_patient(df, SAMPLE_SEED_BASE + 500 + seed * 10 + col, (key,))
        views = render_patient(spec, long_side=1400)
        for row, name in enumerate(("ap", "lateral")):
            sheet.paste(_tile(views[name], size, False), (col * size, 30 + row * size))
        crops = [_zoom(views[v], size // 2) for v in ("ap", "lateral")]
        for j, c in enumerate(crops):
            sheet.paste(c, (col * size + j * (size // 2), 30 + 2 * size))
        draw.text((col * size + 8, 8), df.designs[key].label, fill=(255, 255, 255))
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out)


def _zoom(rv: RenderedView, size: int) -> Image.Image:
    disp = rv.display()
    s = rv.screws[0]
    x0, y0, x1, y1 = s.box
    m = 0.3 * max(x1 - x0, y1 - y0)
    crop = disp[max(0, int(y0 - m)) : int(y1 + m), max(0, int(x0 - m)) : int(x1 + m)]
    img = Image.fromarray((crop * 255).astype(np.uint8)).convert("RGB")
    img.thumbnail((size, size))
    canvas = Image.new("RGB", (size, size))
    canvas.paste(img, ((size - img.width) // 2, (size - img.height) // 2))
    return canvas
