"""The screw classifiers' second input channel: how many millimetres one crop pixel spans.

A crop is the screw's box letterboxed to a fixed size, which throws away the screw's size.
The three designs differ most in absolute sizes (tulip height 13-14 vs 14.5-15.5 mm, rod 5.5
vs 6.0 mm, thread pitch), so the classifiers get the crop's scale back as a constant second
channel, `log2(mm per crop pixel)` (docs/contracts.md). The spacing is the detector plane's
(DICOM `PixelSpacing`, else `ImagerPixelSpacing`): radiographic magnification (1.0-1.1 for
a spine film) stays in it, and training jitters it by the same amount.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import torch

logger = logging.getLogger(__name__)

KIND = "log2_mm_per_pixel"
# A file without a pixel spacing (PNG, JPEG, a DICOM without the tags) is taken to span this
# many millimetres along its long side: a lumbar film is 35 x 43 cm, the phantoms 20-60 cm.
ASSUMED_LONG_SIDE_MM = 400.0
# Training multiplies each crop's scale by up to this much either way (unknown magnification).
MAGNIFICATION_JITTER = 0.06


def spacing_or_assumed(spacing: float | None, width: int, height: int) -> float:
    """Millimetres per image pixel: the file's spacing, else the assumed field of view."""
    if spacing is not None and math.isfinite(spacing) and spacing > 0:
        return float(spacing)
    return ASSUMED_LONG_SIDE_MM / max(width, height)


def with_scale(x: torch.Tensor, mm_per_pixel: torch.Tensor) -> torch.Tensor:
    """Normalised crops [B, 1, H, W] and their scales [B] to the model input [B, 2, H, W]."""
    plane = torch.log2(mm_per_pixel.to(x.dtype)).reshape(-1, 1, 1, 1).expand_as(x)
    return torch.cat([x, plane], dim=1)


def with_scale_np(x: np.ndarray, mm_per_pixel: float) -> np.ndarray:
    """One normalised crop [1, 1, H, W] and its scale to the model input [1, 2, H, W]."""
    plane = np.full_like(x, math.log2(mm_per_pixel))
    return np.concatenate([x, plane], axis=1).astype(np.float32)


def jitter(mm_per_pixel: torch.Tensor, g: torch.Generator, level: float) -> torch.Tensor:
    """Scales multiplied by a random factor within ±MAGNIFICATION_JITTER (times `level`)."""
    r = torch.rand(mm_per_pixel.shape, generator=g, dtype=torch.float64)
    return mm_per_pixel * (1 + (2 * r - 1) * MAGNIFICATION_JITTER * level)
