"""Batched augmentation on torch tensors [B, 1, H, W] of display images in [0, 1]."""

from __future__ import annotations

import logging
import math

import numpy as np
import torch
import torch.nn.functional as F
from scipy.ndimage import affine_transform

logger = logging.getLogger(__name__)


def intensity(
    x: torch.Tensor, g: torch.Generator, strength: float = 0.3, level: float = 1.0
) -> torch.Tensor:
    """Brightness and contrast (each ±strength, i.e. ±30 %), gamma, blur or sharpen, noise.

    Zero padding stays 0.

    `level` in [0, 1] scales every magnitude (a curriculum starts gentle)."""
    strength *= level
    b = x.shape[0]
    pad = x == 0
    rnd = torch.rand(b, 6, 1, 1, generator=g)
    contrast = 1 + strength * (2 * rnd[:, 0:1] - 1)
    bright = 1 + strength * (2 * rnd[:, 1:2] - 1)
    gamma = torch.exp(0.3 * level * (2 * rnd[:, 2:3] - 1))
    y = x.clamp(0, 1) ** gamma
    y = ((y - 0.5) * contrast + 0.5) * bright
    blurred = F.avg_pool2d(F.pad(y, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    amount = (2 * rnd[:, 3:4] - 1) * 0.6 * level  # < 0 sharpen, > 0 blur
    y = y + amount * (blurred - y) * 1.0
    noise = torch.randn(x.shape, generator=g) * (0.02 * level * rnd[:, 4:5])
    y = (y + noise).clamp(0, 1)
    return torch.where(pad, torch.zeros_like(y), y)


def affine(
    x: torch.Tensor,
    g: torch.Generator,
    rot_deg: float = 15.0,
    shift: float = 0.1,
    scale: float = 0.1,
    flip: bool = True,
    level: float = 1.0,
    zoom: list[torch.Tensor] | None = None,
) -> torch.Tensor:
    """Random rotation, shift, scale and flips (zero fill), applied per sample.

    With `zoom`, the per-sample magnification (> 1: content larger) is appended to it, so
    that a caller can follow the millimetres a pixel spans."""
    rot_deg, shift, scale = rot_deg * level, shift * level, scale * level
    b = x.shape[0]
    rnd = torch.rand(b, 6, generator=g)
    ang = (2 * rnd[:, 0] - 1) * math.radians(rot_deg)
    s = 1 + (2 * rnd[:, 1] - 1) * scale
    if zoom is not None:
        zoom.append(s)
    tx, ty = (2 * rnd[:, 2] - 1) * shift * 2, (2 * rnd[:, 3] - 1) * shift * 2
    fx = torch.where((rnd[:, 4] < 0.5) & flip, -1.0, 1.0)
    fy = torch.where((rnd[:, 5] < 0.3) & flip, -1.0, 1.0)
    cos, sin = torch.cos(ang) / s, torch.sin(ang) / s
    theta = torch.stack(
        [
            torch.stack([cos * fx, -sin * fy, tx], dim=1),
            torch.stack([sin * fx, cos * fy, ty], dim=1),
        ],
        dim=1,
    )
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def normalise(x: torch.Tensor, mean: float = 0.5, std: float = 0.25) -> torch.Tensor:
    return (x - mean) / std


def rotate_scale_boxes(
    img: np.ndarray,
    boxes: np.ndarray,
    rng: np.random.Generator,
    rot_deg: float = 15.0,
    scale: float = 0.1,
) -> tuple[np.ndarray, np.ndarray]:
    """Rotate (±rot_deg) and scale (±scale) a square detector crop about its centre, boxes too.

    A rotated box becomes the bounds of its inscribed ellipse rotated, not of its corners:
    screws are slender, and the corner bounds would grow every box by up to 30 %. Shifts come
    from where the crop is cut, flips from the caller."""
    size = img.shape[0]
    ang = np.deg2rad(rng.uniform(-rot_deg, rot_deg))
    s = 1 + rng.uniform(-scale, scale)
    c, si = np.cos(ang), np.sin(ang)
    fwd = s * np.array([[c, -si], [si, c]])  # output = fwd @ (input - centre) + centre, in (x, y)
    inv = np.linalg.inv(fwd)
    centre = np.array([size / 2, size / 2])
    # scipy works in (row, col) = (y, x): swap axes of the inverse map.
    m = inv[::-1, ::-1]
    offset = centre[::-1] - m @ centre[::-1]
    out = affine_transform(img, m, offset=offset, order=1, mode="constant", cval=0.0)
    if len(boxes) == 0:
        return out.astype(np.float32), boxes
    cxy = (boxes[:, :2] + boxes[:, 2:]) / 2
    half = (boxes[:, 2:] - boxes[:, :2]) / 2
    new_c = (cxy - centre) @ fwd.T + centre
    hw = s * np.sqrt((half[:, 0] * c) ** 2 + (half[:, 1] * si) ** 2)
    hh = s * np.sqrt((half[:, 0] * si) ** 2 + (half[:, 1] * c) ** 2)
    nb = np.stack([new_c[:, 0] - hw, new_c[:, 1] - hh, new_c[:, 0] + hw, new_c[:, 1] + hh], 1)
    inside = (new_c >= 0).all(1) & (new_c < size).all(1)
    return out.astype(np.float32), nb[inside].astype(np.float32)
