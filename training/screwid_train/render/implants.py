"""Implants as jittered point clouds: screw shaft, tulip, head, closure, rods, crosslinks.

Each function returns points [N, 3] in world millimetres and the attenuation-volume each point
carries (mu per mm times the cell volume), ready for `projection.splat_points`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from screwid_train.designs import MATERIAL_DENSITY
from screwid_train.render.projection import frame_from_axis

logger = logging.getLogger(__name__)

# Attenuation per mm per g/cm3 of metal at a diagnostic spectrum (one effective number).
METAL_MU_PER_DENSITY = 0.06
TANTALUM_DENSITY = 16.6

Cloud = tuple[np.ndarray, np.ndarray]


def metal_mu(material: str) -> float:
    return METAL_MU_PER_DENSITY * MATERIAL_DENSITY[material]


@dataclass(frozen=True)
class ThreadGeometry:
    """Shared by every screw of one construct."""

    pitch: float
    pitch_distal: float | None
    leads: int
    profile: str
    core_ratio: float
    core_shape: str
    tip_taper: float


@dataclass(frozen=True)
class HeadGeometry:
    tulip_height: float
    tulip_width: float
    head_diameter: float
    closure: str
    rod_diameter: float


@dataclass(frozen=True)
class ScrewPose:
    head: np.ndarray  # entry point of the shaft (s = 0)
    axis: np.ndarray  # unit, from head into bone
    tulip_axis: np.ndarray  # unit, out of the bone
    rod_dir: np.ndarray  # unit, along the rod at this screw
    outer_diameter: float
    length: float


def _grid(lo: np.ndarray, hi: np.ndarray, h: float, rng: np.random.Generator) -> np.ndarray:
    axes = [np.arange(a + h / 2, b, h) for a, b in zip(lo, hi, strict=True)]
    g = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    return g + rng.uniform(-h / 2, h / 2, size=g.shape)


def _thread_turns(s: np.ndarray, t: ThreadGeometry, length: float) -> np.ndarray:
    """Integrated turns N(s) = integral of ds / pitch(s) (dual pitch: distal beyond 1/3)."""
    if t.pitch_distal is None:
        return s / t.pitch
    s1 = length / 3.0
    return np.where(s < s1, s / t.pitch, s1 / t.pitch + (s - s1) / t.pitch_distal)


def _tooth(u: np.ndarray, profile: str) -> np.ndarray:
    if profile == "buttress":
        return np.where(u < 0.8, u / 0.8, (1.0 - u) / 0.2)
    return np.clip((1.0 - np.abs(2.0 * u - 1.0)) * 1.15, 0.0, 1.0)


def shaft_radius(
    s: np.ndarray, phi: np.ndarray, t: ThreadGeometry, outer: float, length: float
) -> np.ndarray:
    """Outer surface radius r(s, phi) of the threaded shaft."""
    big_r = outer / 2.0
    rc0 = t.core_ratio * big_r
    if t.core_shape == "conical":
        core = rc0 * (1.0 - 0.3 * s / length)
    elif t.core_shape == "cylindrical_then_conical":
        core = rc0 * (1.0 - 0.3 * np.clip((s - 0.6 * length) / (0.4 * length), 0, 1))
    else:
        core = np.full_like(s, rc0)
    turns = _thread_turns(s, t, length)
    u = np.mod(turns - t.leads * phi / (2 * np.pi), 1.0)
    r = core + (big_r - core) * _tooth(u, t.profile)
    r = np.where(s < 2.0, rc0 * 1.05, r)
    taper0 = length - t.tip_taper
    env = big_r * (1.0 - 0.6 * np.clip((s - taper0) / t.tip_taper, 0, 1))
    return np.minimum(r, env)


def shaft_cloud(
    t: ThreadGeometry, pose: ScrewPose, h: float, mu: float, rng: np.random.Generator
) -> Cloud:
    big_r = pose.outer_diameter / 2.0
    lo = np.array([-big_r, -big_r, 0.0])
    hi = np.array([big_r, big_r, pose.length])
    g = _grid(lo, hi, h, rng)
    rho = np.hypot(g[:, 0], g[:, 1])
    g = g[rho <= big_r]
    rho = np.hypot(g[:, 0], g[:, 1])
    phi = np.arctan2(g[:, 1], g[:, 0])
    s = g[:, 2]
    inside = (s >= 0) & (s <= pose.length)
    inside &= rho <= shaft_radius(s, phi, t, pose.outer_diameter, pose.length)
    g = g[inside]
    frame = frame_from_axis(pose.axis, pose.rod_dir)
    pts = pose.head + g @ frame.T
    return pts, np.full(len(pts), mu * h**3)


def head_centre(pose: ScrewPose, head: HeadGeometry) -> np.ndarray:
    return pose.head - pose.axis * (0.35 * head.head_diameter)


def rod_height(head: HeadGeometry) -> float:
    """Height of the rod axis above the head-sphere centre, along the tulip axis."""
    return 0.5 * head.head_diameter + head.rod_diameter / 2.0 - 0.8


def rod_point(pose: ScrewPose, head: HeadGeometry) -> np.ndarray:
    return head_centre(pose, head) + pose.tulip_axis * rod_height(head)


def _closure_mask(
    xr: np.ndarray, xp: np.ndarray, hh: np.ndarray, head: HeadGeometry, top: float
) -> np.ndarray:
    rho = np.hypot(xr, xp)
    r_out = head.tulip_width / 2.0
    r_in = head.head_diameter / 2.0 + 0.1
    rod_top = rod_height(head) + head.rod_diameter / 2.0
    plug = (rho <= r_in) & (hh >= rod_top) & (hh <= top)
    socket = (rho < 1.6) & (hh > top - 2.0)
    if head.closure == "external_nut":
        ring = (rho >= r_out - 0.3) & (rho <= r_out + 0.75) & (hh >= top - 2.2) & (hh <= top + 0.8)
        cap = (rho <= r_out + 0.75) & (hh > top) & (hh <= top + 0.8) & (rho >= 1.6)
        return ring | cap | (plug & ~socket)
    if head.closure == "blocker_dome":
        base_r = r_out * 0.85
        dome_r = (base_r**2 + 1.0) / 2.0
        dome = (hh > top) & (rho**2 + (hh - (top + 1.0 - dome_r)) ** 2 <= dome_r**2)
        return plug | dome
    if head.closure == "internal_set_screw_breakoff":
        slot = head.rod_diameter / 2.0 + 0.4
        stub = (np.abs(xp) >= slot) & (rho >= r_in + 0.3) & (rho <= r_out - 0.3)
        stub &= (hh > top) & (hh <= top + 4.0)
        return (plug & ~socket) | stub
    return plug & ~socket


def tulip_cloud(
    head: HeadGeometry, pose: ScrewPose, h: float, mu: float, rng: np.random.Generator
) -> Cloud:
    """Head sphere, U-shaped tulip with the rod slot, and the design's closure."""
    r_s = head.head_diameter / 2.0
    r_out = head.tulip_width / 2.0
    r_in = r_s + 0.1
    h0 = -0.25 * head.head_diameter
    top = h0 + head.tulip_height
    ext = r_out + 0.9
    g = _grid(np.array([-ext, -ext, -r_s - 0.2]), np.array([ext, ext, top + 4.2]), h, rng)
    xr, xp, hh = g[:, 0], g[:, 1], g[:, 2]
    rho = np.hypot(xr, xp)
    sphere = rho**2 + hh**2 <= r_s**2
    bottom_round = np.clip((h0 + 1.5 - hh) / 1.5, 0, 1) * 0.8
    wall = (rho <= r_out - bottom_round) & (hh >= h0) & (hh <= top)
    wall &= (rho >= r_in) | (hh < 0) & (rho**2 + hh**2 >= (0.97 * r_s) ** 2)
    slot_half = head.rod_diameter / 2.0 + 0.3
    h_rod = rod_height(head)
    slot = (np.abs(xp) < slot_half) & (hh > h_rod)
    slot |= xp**2 + (hh - h_rod) ** 2 < slot_half**2
    wall &= ~slot
    inside = sphere | wall | _closure_mask(xr, xp, hh, head, top)
    g = g[inside]
    t = pose.tulip_axis / np.linalg.norm(pose.tulip_axis)
    e_r = pose.rod_dir - (pose.rod_dir @ t) * t
    e_r /= np.linalg.norm(e_r)
    e_p = np.cross(t, e_r)
    frame = np.stack([e_r, e_p, t], axis=1)
    pts = head_centre(pose, head) + g @ frame.T
    return pts, np.full(len(pts), mu * h**3)


def tube_cloud(
    curve: np.ndarray, radius: float, h: float, mu: float, rng: np.random.Generator
) -> Cloud:
    """A solid tube of `radius` around a polyline `curve` [K, 3], resampled every `h`."""
    seg = np.diff(curve, axis=0)
    seg_len = np.linalg.norm(seg, axis=1)
    arc = np.concatenate([[0.0], np.cumsum(seg_len)])
    s = np.arange(h / 2, arc[-1], h)
    centres = np.stack([np.interp(s, arc, curve[:, k]) for k in range(3)], axis=1)
    tang = np.stack([np.interp(s, arc[1:], seg[:, k] / seg_len) for k in range(3)], axis=1)
    tang /= np.linalg.norm(tang, axis=1, keepdims=True)
    ref = np.where(np.abs(tang[:, :1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
    n1 = np.cross(tang, ref)
    n1 /= np.linalg.norm(n1, axis=1, keepdims=True)
    n2 = np.cross(tang, n1)
    ax = np.arange(-radius + h / 2, radius, h)
    dx, dy = np.meshgrid(ax, ax)
    disc = np.hypot(dx, dy) <= radius
    dx, dy = dx[disc], dy[disc]
    pts = (
        centres[:, None, :]
        + dx[None, :, None] * n1[:, None, :]
        + dy[None, :, None] * n2[:, None, :]
    ).reshape(-1, 3)
    pts += rng.uniform(-h / 2, h / 2, size=pts.shape)
    return pts, np.full(len(pts), mu * h**3)


def catmull_rom(points: np.ndarray, extend: float, samples: int = 12) -> np.ndarray:
    """A smooth curve through `points` [K, 3], extended by `extend` mm at both ends."""
    if len(points) == 1:
        d = np.array([0.0, 0.0, 1.0])
        return np.stack([points[0] - d * extend, points[0] + d * extend])
    start = points[0] + (points[0] - points[1]) / np.linalg.norm(points[0] - points[1]) * extend
    end = points[-1] + (points[-1] - points[-2]) / np.linalg.norm(points[-1] - points[-2]) * extend
    p = np.vstack([start, points, end])
    ctrl = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    out = []
    ts = np.linspace(0, 1, samples, endpoint=False)[:, None]
    for i in range(1, len(ctrl) - 2):
        p0, p1, p2, p3 = ctrl[i - 1], ctrl[i], ctrl[i + 1], ctrl[i + 2]
        out.append(
            0.5
            * (
                2 * p1
                + (-p0 + p2) * ts
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * ts**2
                + (-p0 + 3 * p1 - 3 * p2 + p3) * ts**3
            )
        )
    out.append(ctrl[-2][None])
    return np.vstack(out)


def crosslink_cloud(
    left: np.ndarray, right: np.ndarray, h: float, rng: np.random.Generator
) -> Cloud:
    """A transverse bar between two rod points with a clamp block at each end."""
    mu = metal_mu("titanium")
    bar = tube_cloud(np.stack([left, right]), 2.0, h, mu, rng)
    clouds = [bar]
    for end in (left, right):
        g = _grid(end - 3.5, end + 3.5, h, rng)
        clouds.append((g, np.full(len(g), mu * h**3)))
    return merge(clouds)


def cage_marker_cloud(
    centre: np.ndarray, axis: np.ndarray, h: float, rng: np.random.Generator
) -> Cloud:
    """A tantalum marker pin (1 mm wide, 3.5 mm long) of a radiolucent cage."""
    mu = METAL_MU_PER_DENSITY * TANTALUM_DENSITY
    ends = np.stack([centre - axis * 1.75, centre + axis * 1.75])
    return tube_cloud(ends, 0.5, min(h, 0.2), mu, rng)


def merge(clouds: list[Cloud]) -> Cloud:
    if not clouds:
        return np.zeros((0, 3)), np.zeros(0)
    return np.vstack([c[0] for c in clouds]), np.concatenate([c[1] for c in clouds])
