"""Point-source projection: a camera, analytic chords through primitives, point-cloud splats.

Anatomy is made of ellipsoids, finite elliptic cylinders and boxes whose chord lengths are
exact along each ray (cast on a coarse ray grid: bone is smooth). Metal is a jittered point
cloud deposited on a grid about as fine as its sampling and then smoothed a little, so thread
teeth survive while no aliasing pattern appears.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

ELLIPSOID, CYLINDER, BOX = "ellipsoid", "cylinder", "box"


def unit(v: np.ndarray) -> np.ndarray:
    """`v` scaled to length one (along the last axis)."""
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def rot_x(deg: float) -> np.ndarray:
    """Rotation about the patient's left-right axis (sagittal tilt)."""
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[1.0, 0, 0], [0, c, -s], [0, s, c]])


def rot_z(deg: float) -> np.ndarray:
    """Rotation about the cranio-caudal axis (axial plane)."""
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1.0]])


@dataclass(frozen=True)
class Prim:
    """A solid with excess attenuation `mu` (1/mm) over soft tissue; `rot` columns = local axes."""

    kind: str
    center: np.ndarray
    semi: np.ndarray
    rot: np.ndarray
    mu: float


def prim(kind: str, center: object, semi: object, mu: float, rot: np.ndarray | None = None) -> Prim:
    """Shorthand constructor taking plain sequences."""
    r = np.eye(3) if rot is None else rot
    return Prim(kind, np.asarray(center, float), np.asarray(semi, float), r, mu)


@dataclass(frozen=True)
class Camera:
    """A point source and a flat detector; pixel (0, 0) is the top-left pixel centre."""

    source: np.ndarray
    center: np.ndarray
    eu: np.ndarray
    ev: np.ndarray
    spacing: float
    width: int
    height: int

    @property
    def normal(self) -> np.ndarray:
        n = np.cross(self.eu, self.ev)
        return n if n @ (self.source - self.center) > 0 else -n

    def project(self, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Stored-image column, row and magnification of each 3D point."""
        n = self.normal
        cs = self.center - self.source
        d = (pts - self.source.astype(pts.dtype)) @ np.stack([n, self.eu, self.ev], 1).astype(
            pts.dtype
        )
        mag = (cs @ n) / d[:, 0]
        u = (mag * d[:, 1] - cs @ self.eu) / self.spacing + (self.width - 1) / 2
        v = (mag * d[:, 2] - cs @ self.ev) / self.spacing + (self.height - 1) / 2
        return u, v, mag

    def ray_dirs(self, f: int) -> np.ndarray:
        """Unit ray directions to the centres of f x f pixel blocks, shape (rows, cols, 3)."""
        cols = np.arange(-(-self.width // f)) * f + (f - 1) / 2 - (self.width - 1) / 2
        rows = np.arange(-(-self.height // f)) * f + (f - 1) / 2 - (self.height - 1) / 2
        pts = (
            self.center
            + rows[:, None, None] * self.spacing * self.ev
            + cols[None, :, None] * self.spacing * self.eu
        )
        return unit(pts - self.source)


def _interval(o: np.ndarray, d: np.ndarray, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    """Ray parameters where lo <= o + t d <= hi (one coordinate, rays along axis 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t1, t2 = (lo - o) / d, (hi - o) / d
    inside = (o > lo) & (o < hi)
    flat = np.abs(d) < 1e-12
    a = np.where(flat, np.where(inside, -np.inf, np.inf), np.minimum(t1, t2))
    b = np.where(flat, np.where(inside, np.inf, -np.inf), np.maximum(t1, t2))
    return a, b


def chord(p: Prim, src: np.ndarray, dirs: np.ndarray) -> np.ndarray:
    """Length (mm) of each unit ray from `src` inside the primitive; dirs shape (..., 3)."""
    o = (p.rot.T @ (src - p.center)) / p.semi
    d = (dirs @ p.rot) / p.semi
    if p.kind == BOX:
        lo, hi = np.full(d.shape[:-1], -np.inf), np.full(d.shape[:-1], np.inf)
        for k in range(3):
            a, b = _interval(np.full(d.shape[:-1], o[k]), d[..., k], -1.0, 1.0)
            lo, hi = np.maximum(lo, a), np.minimum(hi, b)
        return np.clip(hi - lo, 0.0, None)
    axes = 3 if p.kind == ELLIPSOID else 2
    a = np.einsum("...i,...i->...", d[..., :axes], d[..., :axes])
    b = 2 * (d[..., :axes] @ o[:axes])
    c = o[:axes] @ o[:axes] - 1.0
    disc = np.clip(b * b - 4 * a * c, 0.0, None)
    root = np.sqrt(disc) / np.maximum(2 * a, 1e-12)
    lo, hi = -b / np.maximum(2 * a, 1e-12) - root, -b / np.maximum(2 * a, 1e-12) + root
    lo = np.where(disc > 0, lo, np.inf)
    if p.kind == CYLINDER:
        s1, s2 = _interval(np.full(d.shape[:-1], o[2]), d[..., 2], -1.0, 1.0)
        lo, hi = np.maximum(lo, s1), np.minimum(hi, s2)
    return np.clip(hi - lo, 0.0, None)


def prim_corners(p: Prim) -> np.ndarray:
    """The eight corners of the primitive's oriented bounding box."""
    signs = np.array([[i, j, k] for i in (-1, 1) for j in (-1, 1) for k in (-1, 1)], float)
    return p.center + (signs * p.semi) @ p.rot.T


def integrate(prims: list[Prim], cam: Camera, f: int) -> np.ndarray:
    """Sum of mu x chord over the primitives on the f-times coarser ray grid."""
    dirs = cam.ray_dirs(f)
    out = np.zeros(dirs.shape[:2])
    for p in prims:
        u, v, _ = cam.project(prim_corners(p))
        j0, j1 = int(max(0, np.floor(u.min() / f) - 1)), int(min(out.shape[1], u.max() / f + 2))
        i0, i1 = int(max(0, np.floor(v.min() / f) - 1)), int(min(out.shape[0], v.max() / f + 2))
        if j1 <= j0 or i1 <= i0:
            continue
        out[i0:i1, j0:j1] += p.mu * chord(p, cam.source, dirs[i0:i1, j0:j1])
    return out


@dataclass
class Cloud:
    """Jittered sample points of a solid; `w` = mu x sample volume (mm2) per point."""

    pts: np.ndarray
    w: np.ndarray


def splat(
    clouds: list[Cloud], cam: Camera, f: int, shape: tuple[int, int]
) -> tuple[np.ndarray, list[tuple[float, float, float, float]]]:
    """Line integral of the clouds on the f-times coarser grid, and each cloud's pixel extent.

    Nearest-cell deposits of jittered points; the caller smooths the sum, which removes the
    sampling noise that bilinear weights would only halve at twice the cost.
    """
    out = np.zeros(shape)
    extents = []
    for c in clouds:
        if len(c.w) == 0:
            extents.append((0.0, 0.0, 0.0, 0.0))
            continue
        u, v, mag = cam.project(c.pts)
        extents.append((float(u.min()), float(v.min()), float(u.max()), float(v.max())))
        # A point's volume is spread over the coarse pixel's footprint at the point's depth.
        w = c.w * (mag / (cam.spacing * f)) ** 2
        x = np.floor(u / f).astype(np.int64)
        y = np.floor(v / f).astype(np.int64)
        ok = (x >= 0) & (x < shape[1]) & (y >= 0) & (y < shape[0])
        x, y, w = x[ok], y[ok], w[ok]
        if len(x) == 0:
            continue
        x0, y0 = x.min(), y.min()
        ww, hh = int(x.max() - x0 + 1), int(y.max() - y0 + 1)
        acc = np.bincount((y - y0) * ww + (x - x0), w, minlength=ww * hh)
        out[y0 : y0 + hh, x0 : x0 + ww] += acc.reshape(hh, ww)
    return out, extents


def upsample(c: np.ndarray, f: int, shape: tuple[int, int]) -> np.ndarray:
    """A grid of f x f blocks brought back to `shape`, linear between block centres."""
    if f == 1:
        return c[: shape[0], : shape[1]]
    big = ndimage.zoom(c, f, order=1, grid_mode=True, mode="nearest")
    out = big[: shape[0], : shape[1]]
    if out.shape != shape:
        out = np.pad(out, [(0, shape[0] - out.shape[0]), (0, shape[1] - out.shape[1])], "edge")
    return out
