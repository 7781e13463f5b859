"""Images that are neither an AP nor a lateral spine view, for the view classifier's "other"."""

from __future__ import annotations

import logging

import numpy as np
from PIL import Image, ImageDraw
from scipy.ndimage import gaussian_filter

from screwid_train.render.anatomy import MU_AIR, MU_CANCELLOUS, MU_CORTICAL, MU_TISSUE
from screwid_train.render.projection import Camera, Primitive, render_primitive, rotation

logger = logging.getLogger(__name__)

OTHER_KINDS = ("chest", "pelvis", "leg", "ct_slice", "shapes")


def _camera(rng: np.random.Generator, W: int, H: int, fov: float) -> Camera:
    r = np.radians(rng.uniform(-15, 15))
    eu = np.array([np.cos(r), 0.0, -np.sin(r)])
    ev = np.array([np.sin(r), 0.0, np.cos(r)]) * -1.0
    ps = fov / max(W, H)
    return Camera(
        iso=np.zeros(3),
        beam=np.array([0.0, 1.0, 0.0]),
        eu=eu,
        ev=ev,
        src_dist=1000.0,
        sid=1000.0,
        pixel_spacing=ps,
        width=W,
        height=H,
        cx=W / 2 + rng.uniform(-0.1, 0.1) * W,
        cy=H / 2 + rng.uniform(-0.1, 0.1) * H,
    )


def _p(
    kind: str,
    c: tuple[float, float, float],
    semi: tuple[float, float, float],
    mu: float,
    rot: np.ndarray | None = None,
) -> Primitive:
    return Primitive(
        kind, np.array(c, float), np.eye(3) if rot is None else rot, np.array(semi, float), mu
    )


def _bone(
    c: tuple[float, float, float],
    semi: tuple[float, float, float],
    rot: np.ndarray | None = None,
    kind: str = "cylinder",
) -> list[Primitive]:
    inner = (*(max(s - 2.0, 0.5) for s in semi[:2]), semi[2])
    return [
        _p(kind, c, semi, MU_CORTICAL, rot),
        _p(kind, c, inner, MU_CANCELLOUS - MU_CORTICAL, rot),
    ]  # type: ignore[arg-type]


def chest(rng: np.random.Generator) -> list[Primitive]:
    s = rng.uniform(0.9, 1.15)
    prims = [_p("cylinder", (0, 0, 0), (160 * s, 110 * s, 400), MU_TISSUE)]
    for side in (-1, 1):
        prims.append(_p("ellipsoid", (side * 70 * s, 0, 30), (60 * s, 85 * s, 130 * s), MU_AIR))
        for k in range(10):
            z = 140 * s - k * 24 * s
            rot = rotation(ry=side * rng.uniform(15, 30))
            prims += _bone((side * 80 * s, 20, z), (75 * s, 4, 6), rotation(rx=90) @ rot)
    prims.append(_p("ellipsoid", (15, -40, -30), (60 * s, 50, 70 * s), 0.006))
    for k in range(12):
        prims += _bone((0, 35, 150 - 25 * k), (18, 16, 10), None)
    return prims


def pelvis(rng: np.random.Generator) -> list[Primitive]:
    s = rng.uniform(0.9, 1.15)
    prims = [_p("cylinder", (0, 0, 0), (180 * s, 130 * s, 400), MU_TISSUE)]
    prims += _bone((0, 40, 40), (40 * s, 15, 45 * s), None, "ellipsoid")
    for side in (-1, 1):
        prims += _bone(
            (side * 85 * s, 20, 60), (55 * s, 8, 70 * s), rotation(ry=side * 25), "ellipsoid"
        )
        prims += _bone((side * 100 * s, 0, -40), (25 * s, 25 * s, 25 * s), None, "ellipsoid")
        prims += _bone((side * 120 * s, 0, -160), (14 * s, 14 * s, 120), rotation(ry=side * 8))
        if rng.uniform() < 0.2:
            prims.append(
                _p("cylinder", (side * 110 * s, 0, -110), (6, 6, 70), 0.26, rotation(ry=side * 10))
            )
    return prims


def leg(rng: np.random.Generator) -> list[Primitive]:
    prims = [_p("cylinder", (0, 0, 0), (60, 55, 500), MU_TISSUE)]
    prims += _bone((-8, 0, 80), (14, 13, 220), rotation(ry=rng.uniform(-4, 4)))
    prims += _bone((22, 5, 80), (7, 7, 210), rotation(ry=rng.uniform(-4, 4)))
    prims += _bone((0, 0, -170), (38, 30, 30), None, "ellipsoid")
    prims += _bone((0, 0, -280), (15, 14, 120))
    return prims


def render_projection(prims: list[Primitive], cam: Camera, rng: np.random.Generator) -> np.ndarray:
    img = np.zeros((cam.height, cam.width), dtype=np.float32)
    for p in prims:
        render_primitive(img, cam, p)
    img = np.maximum(img, 0)
    counts = 2e4 * np.exp(-img)
    counts = counts + np.sqrt(counts) * rng.standard_normal(img.shape, dtype=np.float32)
    obs = -np.log(np.maximum(counts, 1.0) / 2e4)
    lo, hi = np.percentile(obs[::4, ::4], [1, 99.5])
    hi += rng.uniform(0.0, 1.0)
    return np.clip((obs - lo) / max(hi - lo, 1e-3), 0, 1).astype(np.float32)


def ct_slice(rng: np.random.Generator, W: int, H: int) -> np.ndarray:
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    cx, cy, r = W / 2, H / 2, 0.48 * min(W, H)
    img = np.zeros((H, W), dtype=np.float32)
    img[(xx - cx) ** 2 + (yy - cy) ** 2 < r**2] = 0.08
    ax, ay = r * rng.uniform(0.6, 0.85), r * rng.uniform(0.45, 0.65)
    body = ((xx - cx) / ax) ** 2 + ((yy - cy) / ay) ** 2 < 1
    img[body] = 0.45
    for _ in range(int(rng.integers(3, 8))):
        ox, oy = rng.uniform(-0.5, 0.5) * ax + cx, rng.uniform(-0.5, 0.3) * ay + cy
        rr = rng.uniform(0.05, 0.2) * r
        img[((xx - ox) ** 2 + (yy - oy) ** 2) < rr**2] = rng.uniform(0.35, 0.6)
    sx, sy = cx, cy + 0.55 * ay
    img[((xx - sx) ** 2 + (yy - sy) ** 2) < (0.12 * ay) ** 2] = 0.95
    img += rng.normal(0, 0.03, size=img.shape).astype(np.float32)
    return np.clip(gaussian_filter(img, 1.0), 0, 1)


def shapes(rng: np.random.Generator, W: int, H: int) -> np.ndarray:
    img = Image.new("F", (W, H), float(rng.uniform(0, 0.5)))
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(3, 25))):
        x0, y0 = rng.uniform(0, W), rng.uniform(0, H)
        x1, y1 = x0 + rng.uniform(10, W / 2), y0 + rng.uniform(10, H / 2)
        val = float(rng.uniform(0, 1))
        kind = rng.integers(0, 3)
        if kind == 0:
            draw.ellipse([x0, y0, x1, y1], fill=val)
        elif kind == 1:
            draw.rectangle([x0, y0, x1, y1], fill=val)
        else:
            draw.line([x0, y0, x1, y1], fill=val, width=int(rng.integers(2, 20)))
    arr = np.asarray(img, dtype=np.float32)
    arr = gaussian_filter(arr, rng.uniform(0.5, 4)) + rng.normal(0, 0.03, arr.shape)
    return np.clip(arr, 0, 1).astype(np.float32)


def render_other(seed: int, long_side: int = 768) -> tuple[str, np.ndarray]:
    """One display image (f32 in [0, 1]) of a random non-spine kind."""
    rng = np.random.default_rng([seed, 77])
    kind = OTHER_KINDS[int(rng.integers(0, len(OTHER_KINDS)))]
    aspect = rng.uniform(0.7, 1.4)
    W = int(long_side if aspect >= 1 else long_side * aspect)
    H = int(long_side / aspect if aspect >= 1 else long_side)
    W, H = min(W, long_side), min(H, long_side)
    if kind == "ct_slice":
        return kind, ct_slice(rng, W, H)
    if kind == "shapes":
        return kind, shapes(rng, W, H)
    build = {"chest": chest, "pelvis": pelvis, "leg": leg}[kind]
    fov = {"chest": 430.0, "pelvis": 420.0, "leg": 480.0}[kind] * rng.uniform(0.8, 1.2)
    img = render_projection(build(rng), _camera(rng, W, H, fov), rng)
    return kind, img
