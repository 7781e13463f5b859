"""From line integrals to stored pixels: heel effect, collimation, scatter, blur, quantum noise,
edge enhancement, an S-shaped contrast curve, quantisation, lead marker and burned-in text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

from screwid_train.altrender.geometry import Camera, upsample

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Exposure:
    """Per-image acquisition choices."""

    photons: float  # mean counts per pixel behind the median body path
    heel: float  # relative intensity change from top to bottom of the film
    scatter: float  # scatter-to-primary ratio at the body's median
    blur: float  # detector blur sigma in pixels
    edge: float  # unsharp-mask gain of the CR processing
    gamma: float  # steepness of the contrast curve
    bits: int
    photometric: str


def sample_exposure(
    rng: np.random.Generator,
    blur: tuple[float, float],
    bits: tuple[int, ...],
    photometric: tuple[str, ...],
) -> Exposure:
    return Exposure(
        photons=float(rng.uniform(250, 3000)),
        heel=float(rng.uniform(0.06, 0.25) * rng.choice([-1, 1])),
        scatter=float(rng.uniform(0.15, 0.7)),
        blur=float(rng.uniform(*blur)),
        edge=float(rng.uniform(0.2, 1.2)),
        gamma=float(rng.uniform(2.5, 5.0)),
        bits=int(rng.choice(bits)),
        photometric=str(rng.choice(photometric)),
    )


def _overlaps(r: Box, boxes: list[Box], pad: float) -> bool:
    return any(
        r[0] < b[2] + pad and r[2] > b[0] - pad and r[1] < b[3] + pad and r[3] > b[1] - pad
        for b in boxes
    )


def collimation(w: int, h: int, boxes: list[Box], rng: np.random.Generator) -> Box:
    """Field edges, inset on some sides but never over a screw."""
    x0 = min(b[0] for b in boxes) - 40
    y0 = min(b[1] for b in boxes) - 40
    x1 = max(b[2] for b in boxes) + 40
    y1 = max(b[3] for b in boxes) + 40
    pick = lambda lim, frac: lim if rng.random() < 0.4 else frac  # noqa: E731
    return (
        float(max(0, min(pick(0, rng.uniform(0.02, 0.14) * w), x0))),
        float(max(0, min(pick(0, rng.uniform(0.02, 0.14) * h), y0))),
        float(min(w, max(pick(w, w * (1 - rng.uniform(0.02, 0.14))), x1))),
        float(min(h, max(pick(h, h * (1 - rng.uniform(0.02, 0.14))), y1))),
    )


def _field_mask(w: int, h: int, field: Box, soft: float) -> np.ndarray:
    ys, xs = np.arange(h)[:, None], np.arange(w)[None, :]
    fx = np.clip((xs - field[0]) / soft + 0.5, 0, 1) * np.clip((field[2] - xs) / soft + 0.5, 0, 1)
    fy = np.clip((ys - field[1]) / soft + 0.5, 0, 1) * np.clip((field[3] - ys) / soft + 0.5, 0, 1)
    return fy * fx


def _smooth_big(img: np.ndarray, sigma: float) -> np.ndarray:
    """A wide Gaussian computed on a 4x smaller copy (scatter and unsharp mask are smooth)."""
    h, w = img.shape
    hh, ww = h // 4 * 4, w // 4 * 4
    small = img[:hh, :ww].reshape(hh // 4, 4, ww // 4, 4).mean(axis=(1, 3))
    small = ndimage.gaussian_filter(small, sigma / 4, mode="nearest")
    return upsample(small, 4, (h, w))


@lru_cache(maxsize=1)
def _font_path() -> str:
    from matplotlib import font_manager

    return font_manager.findfont("DejaVu Sans")


def text_mask(text: str, height_px: int, bold: bool = False) -> np.ndarray:
    """A 0..1 mask of `text` about `height_px` tall."""
    font = ImageFont.truetype(_font_path(), max(8, height_px))
    _x0, y0, x1, y1 = font.getbbox(text, stroke_width=2 if bold else 0)
    img = Image.new("L", (x1 + 4, y1 + 4), 0)
    ImageDraw.Draw(img).text(
        (2, 2), text, fill=255, font=font, stroke_width=2 if bold else 0, stroke_fill=255
    )
    return np.asarray(img, dtype=np.float64)[y0:, :] / 255.0


def _place(
    mask: np.ndarray, w: int, h: int, corners: list[tuple[float, float]], boxes: list[Box]
) -> tuple[int, int] | None:
    """Top-left corner of the first candidate where the mask misses every screw box."""
    mh, mw = mask.shape
    for fx, fy in corners:
        x, y = int(fx * (w - mw)), int(fy * (h - mh))
        if not _overlaps((x, y, x + mw, y + mh), boxes, 10):
            return x, y
    return None


def add_marker(
    p: np.ndarray,
    letter: str,
    spacing: float,
    boxes: list[Box],
    field: Box,
    left: bool,
    rng: np.random.Generator,
) -> None:
    """A lead letter (about 12 mm tall) inside the field on the chosen side."""
    h, w = p.shape
    m = text_mask(letter, int(12 / spacing), bold=True)
    fx0 = (field[0] + 30) / max(1, w - m.shape[1])
    fx1 = (field[2] - 30 - m.shape[1]) / max(1, w - m.shape[1])
    fy = [
        (field[1] + 30) / max(1, h - m.shape[0]),
        (field[3] - 30 - m.shape[0]) / max(1, h - m.shape[0]),
    ]
    xs = [fx0 + rng.uniform(0, 0.05)] if left else [fx1 - rng.uniform(0, 0.05)]
    at = _place(m, w, h, [(xs[0], f) for f in fy], boxes)
    if at is not None:
        x, y = at
        p[y : y + m.shape[0], x : x + m.shape[1]] += 3.5 * m


def expose(
    p: np.ndarray,
    cam: Camera,
    e: Exposure,
    field: Box,
    metal: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Detected, processed and quantised image (display sense: high = white), before text."""
    h, w = p.shape
    rows = np.linspace(-1, 1, h)[:, None]
    du = (np.arange(w) - (w - 1) / 2)[None, :] * cam.spacing
    dv = rows * (h - 1) / 2 * cam.spacing
    sid = float(abs((cam.center - cam.source) @ cam.normal))
    beam = (1 + e.heel * rows) * (sid / np.sqrt(sid**2 + du**2 + dv**2)) ** 3
    primary = np.exp(-p) * beam * np.maximum(_field_mask(w, h, field, 3.0), 0.03)
    inside = primary[int(field[1]) : int(field[3]), int(field[0]) : int(field[2])]
    scale = 1.0 / max(float(np.median(inside)), 1e-9)
    scatter = e.scatter * _smooth_big(primary, 35.0 / cam.spacing)
    lam = e.photons * scale * (primary + scatter)
    lam = ndimage.gaussian_filter(lam, e.blur)
    counts = rng.poisson(lam).astype(np.float64) + rng.normal(0, 0.6, lam.shape)
    log = -np.log(np.maximum(counts, 0.5) / (e.photons * scale))
    log = log + e.edge * (log - _smooth_big(log, 2.5 / cam.spacing))
    # The curve is set on the anatomy alone (`metal` masks metal and direct exposure),
    # so metal lands on the shoulder, as on a film.
    win = (slice(int(field[1]), int(field[3])), slice(int(field[0]), int(field[2])))
    sel = log[win][::4, ::4][~metal[win][::4, ::4]]
    lo, hi = np.percentile(sel, [0.5, 99.5])
    z = (log - lo) / max(hi - lo, 1e-6)
    # S-shaped film curve with a long shoulder, so metal keeps some grey levels.
    y = 1 / (1 + np.exp(-e.gamma * (z - 0.55)))
    y0, y1 = 1 / (1 + np.exp(e.gamma * 0.75)), 1 / (1 + np.exp(-e.gamma * 1.45))
    return np.clip((y - y0) / (y1 - y0), 0, 1)


def burn_text(
    img: np.ndarray, lines: list[str], boxes: list[Box], rng: np.random.Generator
) -> None:
    """White annotation text in the corners, skipping any line that would cover a screw."""
    h, w = img.shape
    size = int(h * rng.uniform(0.012, 0.018))
    corners = [(0.01, 0.01), (0.99, 0.01), (0.01, 0.99), (0.99, 0.99)]
    start = int(rng.integers(4))
    for i, line in enumerate(lines):
        m = text_mask(line, size)
        fx, fy = corners[(start + i // 2) % 4]
        fy = (
            min(0.99, fy + (i % 2) * 1.6 * size / h)
            if fy < 0.5
            else max(0.0, fy - (i % 2) * 1.6 * size / h)
        )
        at = _place(m, w, h, [(fx, fy)], boxes)
        if at is not None:
            x, y = at
            sub = img[y : y + m.shape[0], x : x + m.shape[1]]
            np.maximum(sub, m[: sub.shape[0], : sub.shape[1]], out=sub)


def quantise(
    y: np.ndarray, e: Exposure, field: Box, rng: np.random.Generator
) -> tuple[np.ndarray, float, float]:
    """Stored values (MONOCHROME1 inverted) and a window centre/width covering the body."""
    top = (1 << e.bits) - 1
    lo, span = rng.uniform(0.0, 0.06), rng.uniform(0.85, 0.94)
    v = np.round((lo + span * y) * top)
    if e.photometric == "MONOCHROME1":
        v = top - v
    inside = v[int(field[1]) : int(field[3]), int(field[0]) : int(field[2])]
    a, b = np.percentile(inside[::4, ::4], [0.5, 99.8])
    return v.astype(np.uint16), float((a + b) / 2), float(max(b - a, 2.0))
