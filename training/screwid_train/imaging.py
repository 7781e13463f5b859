"""The image conventions of docs/contracts.md: display image, letterbox, screw crops."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

logger = logging.getLogger(__name__)

Box = tuple[float, float, float, float]


def voi_linear(x: np.ndarray, center: float, width: float) -> np.ndarray:
    """DICOM PS3.3 C.11.2.1.2 "LINEAR" VOI function, mapped to [0, 1]."""
    width = max(float(width), 1.0)
    c = float(center) - 0.5
    w = width - 1.0
    if w <= 0:
        return (x > c).astype(np.float32)
    y = (x.astype(np.float64) - c) / w + 0.5
    return np.clip(y, 0.0, 1.0).astype(np.float32)


def display_from_stored(
    stored: np.ndarray,
    slope: float,
    intercept: float,
    center: float | None,
    width: float | None,
    photometric: str,
) -> np.ndarray:
    """Stored pixels to the contract's display image (f32 in [0, 1], 1 = dense)."""
    modality = stored.astype(np.float64) * slope + intercept
    if center is None or width is None:
        lo, hi = np.percentile(modality, [0.5, 99.5])
        center, width = (lo + hi) / 2.0 + 0.5, max(hi - lo, 1.0) + 1.0
    out = voi_linear(modality, center, width)
    if photometric == "MONOCHROME1":
        out = 1.0 - out
    return out.astype(np.float32)


@dataclass(frozen=True)
class Letterbox:
    """Where an image of `src` size lands inside a model input of `dst` size."""

    scale: float
    w: int
    h: int
    ox: int
    oy: int

    def to_input(self, x: float, y: float) -> tuple[float, float]:
        return x * self.scale + self.ox, y * self.scale + self.oy

    def to_image(self, xi: float, yi: float) -> tuple[float, float]:
        return (xi - self.ox) / self.scale, (yi - self.oy) / self.scale


def round_half_up(x: float) -> int:
    """Round half away from zero (as Rust's `f32::round`), not Python's half-to-even."""
    return math.floor(x + 0.5)


def letterbox_geometry(W: int, H: int, Wi: int, Hi: int) -> Letterbox:
    """Contract letterbox: s = min(Wi/W, Hi/H), round sizes, centre with floor division."""
    s = min(Wi / W, Hi / H)
    w = max(1, min(Wi, round_half_up(W * s)))
    h = max(1, min(Hi, round_half_up(H * s)))
    return Letterbox(scale=s, w=w, h=h, ox=(Wi - w) // 2, oy=(Hi - h) // 2)


def letterbox(image: np.ndarray, Wi: int, Hi: int) -> tuple[np.ndarray, Letterbox]:
    """Resize a float image into `Hi x Wi` with zero padding (Pillow BILINEAR on mode F)."""
    H, W = image.shape
    g = letterbox_geometry(W, H, Wi, Hi)
    pil = Image.fromarray(np.ascontiguousarray(image, dtype=np.float32), mode="F")
    resized = np.asarray(pil.resize((g.w, g.h), Image.Resampling.BILINEAR), dtype=np.float32)
    out = np.zeros((Hi, Wi), dtype=np.float32)
    out[g.oy : g.oy + g.h, g.ox : g.ox + g.w] = resized
    return out, g


def crop_region(box: Box, W: int, H: int, margin: float) -> tuple[int, int, int, int]:
    """The box grown by `margin` of its size on each side, clamped, as integer pixels."""
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    cx0 = max(0, math.floor(x0 - margin * bw))
    cy0 = max(0, math.floor(y0 - margin * bh))
    cx1 = min(W, math.ceil(x1 + margin * bw))
    cy1 = min(H, math.ceil(y1 + margin * bh))
    if cx1 <= cx0:
        cx1 = min(W, cx0 + 1)
    if cy1 <= cy0:
        cy1 = min(H, cy0 + 1)
    return cx0, cy0, cx1, cy1


def crop_scale(box: Box, W: int, H: int, size: int, margin: float) -> float:
    """Crop pixels per image pixel: the letterbox scale of the box's crop region."""
    x0, y0, x1, y1 = crop_region(box, W, H, margin)
    return letterbox_geometry(x1 - x0, y1 - y0, size, size).scale


def crop_mm_per_pixel(
    box: Box, W: int, H: int, size: int, margin: float, spacing: float | None
) -> float:
    """Millimetres one crop pixel spans (NaN when the image's spacing is unknown)."""
    if spacing is None:
        return float("nan")
    return float(spacing) / crop_scale(box, W, H, size, margin)


def screw_crop(display: np.ndarray, box: Box, size: int = 96, margin: float = 0.15) -> np.ndarray:
    """Classifier input for one screw box of the display image (contract)."""
    H, W = display.shape
    x0, y0, x1, y1 = crop_region(box, W, H, margin)
    crop, _ = letterbox(display[y0:y1, x0:x1], size, size)
    return crop


def jitter_box(box: Box, rng: np.random.Generator, amount: float = 0.1) -> Box:
    """Move each edge by up to `amount` of the box size, as detector boxes would."""
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    d = rng.uniform(-amount, amount, size=4)
    return (x0 + d[0] * bw, y0 + d[1] * bh, x1 + d[2] * bw, y1 + d[3] * bh)


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU of boxes `a` [N,4] and `b` [M,4] (x0, y0, x1, y1)."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    ix0 = np.maximum(a[:, None, 0], b[None, :, 0])
    iy0 = np.maximum(a[:, None, 1], b[None, :, 1])
    ix1 = np.minimum(a[:, None, 2], b[None, :, 2])
    iy1 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(ix1 - ix0, 0, None) * np.clip(iy1 - iy0, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-9)
