"""Metal as jittered point clouds: threaded shanks, polyaxial tulips and closures, rods, pins.

Each part is an inside test evaluated on a jittered grid in the part's own frame; the kept
points carry mu x cell volume and are projected by `geometry.splat`. A screw's shank and its
tulip have separate axes (polyaxial head): the tulip turns towards the rod.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import CubicSpline

from screwid_train.altrender.geometry import Cloud, unit
from screwid_train.altrender.spec import Design


@dataclass(frozen=True)
class ScrewGeom:
    """One screw's sampled dimensions (mm); thread and head are shared across a construct."""

    design: Design
    pitch: float
    pitch_distal: float | None
    core_ratio: float
    taper: float
    tulip_h: float
    tulip_w: float
    sphere: float
    od: float
    length: float
    mu: float

    @property
    def rod_height(self) -> float:
        """Rod centre above the tulip's bottom: the rod rests on the head sphere."""
        return 0.62 * self.sphere + self.design.rod_diameter / 2

    @property
    def sphere_height(self) -> float:
        """Head sphere centre above the tulip's bottom."""
        return 0.42 * self.sphere


def _grid(lo: np.ndarray, hi: np.ndarray, s: float, rng: np.random.Generator) -> np.ndarray:
    axes = [np.arange(lo[i] + s / 2, hi[i], s, dtype=np.float32) for i in range(3)]
    g = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, 3)
    return g + (rng.random(g.shape, dtype=np.float32) - 0.5) * np.float32(s)


def _profile(w: np.ndarray, kind: str) -> np.ndarray:
    """Thread height (0 root, 1 crest) over one normalised period, the tip side at w = 1."""
    if kind == "buttress":
        # Sloped trailing flank facing the head, near-flat leading flank facing the tip.
        return np.where(w < 0.82, w / 0.82, (1.0 - w) / 0.18)
    return np.clip(1.15 * (1.0 - np.abs(2.0 * w - 1.0)), 0.0, 1.0)


def _periods(z: np.ndarray, g: ScrewGeom) -> np.ndarray:
    """Thread periods passed from the neck to z (dual pitch: fine over the proximal third)."""
    if g.pitch_distal is None:
        return z / g.pitch
    z1 = g.length / 3
    return np.where(z < z1, z / g.pitch, z1 / g.pitch + (z - z1) / g.pitch_distal)


def _core(z: np.ndarray, g: ScrewGeom) -> np.ndarray:
    rc0 = g.core_ratio * g.od / 2
    t = np.clip(z / g.length, 0.0, 1.0)
    shape = g.design.core_shape
    if shape == "conical":
        return rc0 * (1.0 - 0.3 * t)
    if shape == "cylindrical_then_conical":
        return np.where(t < 0.6, rc0, rc0 * (1.0 - 0.3 * (t - 0.6) / 0.4))
    return np.full_like(z, rc0)


def shank_inside(q: np.ndarray, g: ScrewGeom) -> np.ndarray:
    """Inside test of the threaded shank; local z runs from the neck (0) to the tip."""
    x, y, z = q[:, 0], q[:, 1], q[:, 2]
    ro = g.od / 2
    run = np.clip((g.length - z) / g.taper, 0.0, 1.0)
    nose = np.sqrt(np.clip((g.length - z) / 1.2, 0.0, 1.0))
    core = _core(z, g) * (0.55 + 0.45 * run) * nose
    outer = np.where(z < 1.5, core * 1.05, core + (ro - core) * run)
    phase = _periods(z, g) - g.design.leads * np.arctan2(y, x) / (2 * np.pi)
    h = _profile(phase - np.floor(phase), g.design.profile)
    r = np.hypot(x, y)
    return (z >= 0) & (z <= g.length) & (r <= core + (outer - core) * h)


def tulip_inside(q: np.ndarray, g: ScrewGeom) -> np.ndarray:
    """Inside test of tulip, head sphere and closure; local z = tulip axis from its bottom."""
    p, s, w = q[:, 0], q[:, 1], q[:, 2]
    big_h, ro, sph = g.tulip_h, g.tulip_w / 2, g.sphere
    wall = float(np.clip(0.17 * g.tulip_w, 1.6, 2.4))
    rb = ro - wall
    r = np.hypot(p, s)
    r_out = np.where(w > 0.35 * big_h, ro, ro * (0.78 + 0.22 * w / (0.35 * big_h)))
    cup = 0.3 * sph
    hs = g.design.rod_diameter / 2 + 0.25
    w_rod = g.rod_height
    slot = ((np.abs(p) < hs) & (w > w_rod)) | (p**2 + (w - w_rod) ** 2 < hs**2)
    body = (w >= 0) & (w <= big_h) & (r <= r_out)
    body &= ~((r < rb) & (w > cup)) & ~((r < 0.33 * sph) & (w <= cup)) & ~slot
    ball = p**2 + s**2 + (w - g.sphere_height) ** 2 <= (sph / 2) ** 2
    return body | ball | _closure(p, s, w, r, g, rb, hs)


def _closure(
    p: np.ndarray, s: np.ndarray, w: np.ndarray, r: np.ndarray, g: ScrewGeom, rb: float, hs: float
) -> np.ndarray:
    big_h, ro, kind = g.tulip_h, g.tulip_w / 2, g.design.closure
    if kind == "external_nut":
        return (w >= big_h - 3.0) & (w <= big_h) & (r <= ro + 0.75) & (r >= 0.55 * rb)
    rod_top = g.rod_height + g.design.rod_diameter / 2
    socket = (r < 0.3 * rb) & (w > big_h - 2.5)
    plug = (r <= rb) & (w >= rod_top) & (w <= big_h) & ~socket
    if kind == "blocker_dome":
        cap_r = rb + 0.5 * (ro - rb)
        rs = (cap_r**2 + 1.0) / 2.0
        return plug | ((w >= big_h) & (p**2 + s**2 + (w - (big_h + 1.0 - rs)) ** 2 <= rs**2))
    if kind == "internal_set_screw_breakoff":
        stub = (w > big_h) & (w <= big_h + 4.0) & (r >= rb + 0.2) & (r <= ro - 0.3)
        return plug | (stub & (np.abs(p) >= hs))
    return plug


def _frame(axis: np.ndarray, hint: np.ndarray) -> np.ndarray:
    """Columns (e1, e2, axis): e2 is `hint` made perpendicular to `axis`."""
    a = unit(axis)
    e2 = unit(hint - (hint @ a) * a)
    return np.stack([np.cross(e2, a), e2, a], axis=1)


def screw_cloud(
    g: ScrewGeom,
    sphere_center: np.ndarray,
    shank_dir: np.ndarray,
    tulip_axis: np.ndarray,
    rod_dir: np.ndarray,
    s: float,
    rng: np.random.Generator,
) -> Cloud:
    """Points of one whole screw (shank, tulip, sphere, closure) in patient coordinates."""
    ro = g.od / 2
    q = _grid(np.array([-ro, -ro, 0.0]), np.array([ro, ro, g.length]), s, rng)
    q = q[shank_inside(q, g)]
    rs = _frame(shank_dir, rod_dir)
    shank = (sphere_center + 0.85 * (g.sphere / 2) * unit(shank_dir)).astype(np.float32)
    shank = shank + q @ rs.T.astype(np.float32)
    rt = _frame(tulip_axis, rod_dir)
    half = g.tulip_w / 2 + 0.8
    lo = np.array([-half, -half, g.sphere_height - g.sphere / 2 - 0.2])
    q = _grid(lo, np.array([half, half, g.tulip_h + 4.2]), s, rng)
    q = q[tulip_inside(q, g)]
    bottom = sphere_center - g.sphere_height * unit(tulip_axis)
    tulip = bottom.astype(np.float32) + q @ rt.T.astype(np.float32)
    pts = np.concatenate([shank, tulip])
    return Cloud(pts, np.full(len(pts), g.mu * s**3, dtype=np.float32))


def tube_cloud(
    path: np.ndarray, radius: float, mu: float, s: float, rng: np.random.Generator, extend: float
) -> Cloud:
    """A round bar bent smoothly through `path` (n x 3), prolonged straight by `extend` mm."""
    if len(path) == 1:
        path = np.stack([path[0] + [0, 0, 0.5], path[0] - [0, 0, 0.5]])
    seg = np.linalg.norm(np.diff(path, axis=0), axis=1)
    knots = np.concatenate([[0.0], np.cumsum(np.maximum(seg, 1e-3))])
    kind = "natural" if len(path) > 2 else "not-a-knot"
    spl = CubicSpline(knots, path, bc_type=kind) if len(path) > 2 else None
    t = np.arange(-extend, knots[-1] + extend, s) + rng.uniform(0, s)
    tc = np.clip(t, 0.0, knots[-1])
    if spl is None:
        tan = np.repeat(unit(path[1] - path[0])[None], len(t), 0)
        centre = path[0] + tan * t[:, None]
    else:
        tan = unit(spl(tc, 1))
        centre = spl(tc) + tan * (t - tc)[:, None]
    ref = np.array([1.0, 0, 0]) if abs(tan.mean(0)[0]) < 0.7 else np.array([0, 0, 1.0])
    e1 = unit(np.cross(tan, ref))
    e2 = np.cross(tan, e1)
    d = np.arange(-radius + s / 2, radius, s)
    dx, dy = (a.ravel() for a in np.meshgrid(d, d))
    keep = dx**2 + dy**2 <= radius**2
    dx, dy = dx[keep], dy[keep]
    jx = dx[None] + rng.uniform(-s / 2, s / 2, (len(t), len(dx)))
    jy = dy[None] + rng.uniform(-s / 2, s / 2, (len(t), len(dx)))
    pts = centre[:, None] + jx[..., None] * e1[:, None] + jy[..., None] * e2[:, None]
    pts = pts.reshape(-1, 3).astype(np.float32)
    return Cloud(pts, np.full(len(pts), mu * s**3, dtype=np.float32))


def box_cloud(
    center: np.ndarray,
    rot: np.ndarray,
    semi: np.ndarray,
    mu: float,
    s: float,
    rng: np.random.Generator,
) -> Cloud:
    """A solid block (crosslink clamp, rod connector) in the frame `rot` (columns = axes)."""
    q = _grid(-semi, semi, s, rng)
    pts = center.astype(np.float32) + q @ rot.T.astype(np.float32)
    return Cloud(pts, np.full(len(pts), mu * s**3, dtype=np.float32))
