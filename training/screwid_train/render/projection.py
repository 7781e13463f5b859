"""Projection geometry: point-source camera, point splatting and analytic ray chords."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Camera:
    """A point source and a flat detector; world units are millimetres.

    `beam` points from the source to the detector, `eu` and `ev` are the image's x (right) and
    y (down) directions. A point at depth `t` beyond the isocentre is magnified by
    `sid / (src_dist + t)`. Pixel centres sit at integer + 0.5.
    """

    iso: np.ndarray
    beam: np.ndarray
    eu: np.ndarray
    ev: np.ndarray
    src_dist: float
    sid: float
    pixel_spacing: float
    width: int
    height: int
    cx: float
    cy: float

    def project(self, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pixel coordinates (u, v) and magnification of world points [N, 3]."""
        d = pts - self.iso
        m = self.sid / (self.src_dist + d @ self.beam)
        u = self.cx + (d @ self.eu) * m / self.pixel_spacing
        v = self.cy + (d @ self.ev) * m / self.pixel_spacing
        return u, v, m

    def magnification(self, point: np.ndarray) -> float:
        return float(self.sid / (self.src_dist + (point - self.iso) @ self.beam))


def splat(image: np.ndarray, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> None:
    """Add weights `w` at continuous pixel positions (u, v) into the pixel containing them.

    The clouds are jittered finer than a pixel, so nearest-pixel deposit is an unbiased box
    filter of the line integral.
    """
    H, W = image.shape
    i = np.floor(u).astype(np.int64)
    j = np.floor(v).astype(np.int64)
    keep = (i >= 0) & (i < W) & (j >= 0) & (j < H)
    if not keep.any():
        return
    i, j, w = i[keep], j[keep], w[keep]
    lo_i, lo_j = int(i.min()), int(j.min())
    hi_i, hi_j = int(i.max()) + 1, int(j.max()) + 1
    lw = hi_i - lo_i
    acc = np.bincount((j - lo_j) * lw + (i - lo_i), weights=w, minlength=(hi_j - lo_j) * lw)
    image[lo_j:hi_j, lo_i:hi_i] += acc.reshape(hi_j - lo_j, lw).astype(image.dtype)


def splat_points(image: np.ndarray, cam: Camera, pts: np.ndarray, mu_vol: np.ndarray) -> None:
    """Splat points carrying `mu * volume` as line integrals (divide by pixel area)."""
    u, v, m = cam.project(pts)
    area = (cam.pixel_spacing / m) ** 2
    splat(image, u, v, mu_vol / area)


def projected_box(cam: Camera, pts: np.ndarray) -> tuple[float, float, float, float]:
    """Tight axis-aligned box of projected points, in continuous pixel coordinates."""
    u, v, _ = cam.project(pts)
    return float(u.min()), float(v.min()), float(u.max()), float(v.max())


@dataclass(frozen=True)
class Primitive:
    """An analytic solid of uniform attenuation `mu` (per mm; negative subtracts).

    `rot` columns are the solid's local x, y, z axes in world coordinates; `semi` its semi-axes
    (for a cylinder: the two cross-section semi-axes and the half height along local z).
    """

    kind: str
    centre: np.ndarray
    rot: np.ndarray
    semi: np.ndarray
    mu: float


def _ellipsoid_chord(o: list[np.ndarray], d: np.ndarray, semi: np.ndarray) -> np.ndarray:
    inv = 1.0 / semi**2
    a = float((d * d) @ inv)
    b = 2.0 * (o[0] * (d[0] * inv[0]) + o[1] * (d[1] * inv[1]) + o[2] * (d[2] * inv[2]))
    c = o[0] ** 2 * inv[0] + o[1] ** 2 * inv[1] + o[2] ** 2 * inv[2] - 1.0
    disc = b * b - 4 * a * c
    return np.sqrt(np.clip(disc, 0, None)) / a


def _cylinder_chord(o: list[np.ndarray], d: np.ndarray, semi: np.ndarray) -> np.ndarray:
    big = np.float32(1e9)
    inv = 1.0 / semi[:2] ** 2
    a = float((d[:2] ** 2) @ inv)
    c = o[0] ** 2 * inv[0] + o[1] ** 2 * inv[1] - 1.0
    if a < 1e-12:
        lo = np.where(c <= 0, -big, big)
        hi = np.where(c <= 0, big, -big)
    else:
        b = 2.0 * (o[0] * (d[0] * inv[0]) + o[1] * (d[1] * inv[1]))
        disc = np.clip(b * b - 4 * a * c, 0, None)
        sq = np.sqrt(disc)
        lo, hi = (-b - sq) / (2 * a), (-b + sq) / (2 * a)
    if abs(d[2]) < 1e-12:
        inside = np.abs(o[2]) <= semi[2]
        zlo = np.where(inside, -big, big)
        zhi = np.where(inside, big, -big)
    else:
        t1 = (-semi[2] - o[2]) / d[2]
        t2 = (semi[2] - o[2]) / d[2]
        zlo, zhi = np.minimum(t1, t2), np.maximum(t1, t2)
    return np.clip(np.minimum(hi, zhi) - np.maximum(lo, zlo), 0, None)


def _primitive_bbox(cam: Camera, p: Primitive) -> tuple[int, int, int, int] | None:
    corners = np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)])
    pts = p.centre + (corners * p.semi) @ p.rot.T
    u, v, _ = cam.project(pts)
    i0, i1 = max(int(np.floor(u.min())) - 1, 0), min(int(np.ceil(u.max())) + 1, cam.width)
    j0, j1 = max(int(np.floor(v.min())) - 1, 0), min(int(np.ceil(v.max())) + 1, cam.height)
    if i1 <= i0 or j1 <= j0:
        return None
    return i0, j0, i1, j1


def render_primitive(image: np.ndarray, cam: Camera, p: Primitive) -> None:
    """Add `mu * chord length` of one solid, rays parallel to the beam at its depth."""
    bbox = _primitive_bbox(cam, p)
    if bbox is None:
        return
    i0, j0, i1, j1 = bbox
    m = cam.magnification(p.centre)
    depth = float((p.centre - cam.iso) @ cam.beam)
    us = ((np.arange(i0, i1) + 0.5 - cam.cx) * cam.pixel_spacing / m).astype(np.float32)
    vs = ((np.arange(j0, j1) + 0.5 - cam.cy) * cam.pixel_spacing / m).astype(np.float32)
    o0 = (cam.iso + depth * cam.beam - p.centre) @ p.rot
    du, dv = cam.eu @ p.rot, cam.ev @ p.rot
    o = [
        np.float32(o0[k]) + us[None, :] * np.float32(du[k]) + vs[:, None] * np.float32(dv[k])
        for k in range(3)
    ]
    d = cam.beam @ p.rot
    if p.kind == "ellipsoid":
        chord = _ellipsoid_chord(o, d, p.semi)
    else:
        chord = _cylinder_chord(o, d, p.semi)
    image[j0:j1, i0:i1] += (np.float32(p.mu) * chord).astype(image.dtype)


def rotation(rx: float = 0.0, ry: float = 0.0, rz: float = 0.0) -> np.ndarray:
    """Rotation matrix from angles in degrees about x, then y, then z (world axes)."""
    ax, ay, az = np.radians([rx, ry, rz])
    rot_x = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    rot_y = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rot_z = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    return rot_z @ rot_y @ rot_x


def frame_from_axis(axis: np.ndarray, hint: np.ndarray | None = None) -> np.ndarray:
    """Orthonormal frame [e1, e2, axis] as columns, e1 near `hint` when given."""
    z = axis / np.linalg.norm(axis)
    h = hint if hint is not None else np.array([1.0, 0.0, 0.0])
    if abs(float(h @ z)) > 0.95:
        h = np.array([0.0, 1.0, 0.0]) if abs(z[1]) < 0.9 else np.array([1.0, 0.0, 0.0])
    x = h - (h @ z) * z
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    return np.stack([x, y, z], axis=1)
