"""AP and true-lateral cameras: source distances, detector size and spacing, framing.

The lateral source distance is solved from the design file's magnification difference, so the
right-side screws (nearer the source) project larger than the left ones by exactly that ratio.
"""

from __future__ import annotations

import numpy as np

from screwid_train.altrender.anatomy import Patient
from screwid_train.altrender.geometry import Camera, unit
from screwid_train.altrender.spec import Acquisition, draw

MARGIN_MM = 25.0  # detector margin kept round the construct


def key_points(pat: Patient) -> np.ndarray:
    """Points that bound every screw: head top, sphere, tip and a ring round the tulip."""
    out = []
    for s in pat.screws:
        g = s.geom
        tip = s.sphere_center + s.shank_dir * (g.length + g.sphere / 2)
        top = s.sphere_center + s.tulip_axis * (g.tulip_h + 4 - g.sphere_height)
        out += [tip, top, s.sphere_center]
        for a in np.linspace(0, 2 * np.pi, 8, endpoint=False):
            side = np.cross(s.tulip_axis, [np.cos(a), np.sin(a), 0.3])
            out.append(top + unit(side) * g.tulip_w / 2)
    return np.array(out)


def lateral_source_x(pat: Patient, ratio: float) -> float:
    """Source x such that right-side screws are magnified `ratio` times the left ones."""
    xl = np.mean([s.sphere_center[0] + 20 * s.shank_dir[0] for s in pat.screws if s.side == "left"])
    xr = np.mean(
        [s.sphere_center[0] + 20 * s.shank_dir[0] for s in pat.screws if s.side == "right"]
    )
    # M ~ 1 / (x - xs): (xl - xs) = ratio (xr - xs)  =>  xs = (ratio xr - xl) / (ratio - 1)
    return float((ratio * xr - xl) / (ratio - 1.0))


def _fit(cam: Camera, pts: np.ndarray, acq: Acquisition, rng: np.random.Generator) -> Camera:
    """Grow spacing, then size, until the construct fits; then shift the frame at random."""
    u, v, mag = cam.project(pts)
    ext_u = (u.max() - u.min()) * cam.spacing + 2 * MARGIN_MM * mag.mean()
    ext_v = (v.max() - v.min()) * cam.spacing + 2 * MARGIN_MM * mag.mean()
    sp = max(cam.spacing, ext_u / cam.width, ext_v / cam.height)
    sp = min(sp, acq.pixel_spacing[1])
    w = int(min(acq.image_side[1], max(cam.width, np.ceil(ext_u / sp))))
    h = int(min(acq.image_side[1], max(cam.height, np.ceil(ext_v / sp))))
    base = Camera(cam.source, cam.center, cam.eu, cam.ev, sp, w, h)
    slack_u = max(0.0, (w * sp - ext_u) / 2)
    slack_v = max(0.0, (h * sp - ext_v) / 2)
    cu = (u.max() + u.min()) / 2 - (cam.width - 1) / 2
    cv = (v.max() + v.min()) / 2 - (cam.height - 1) / 2
    shift = (cu * cam.spacing + rng.uniform(-0.35, 0.35) * slack_u) * cam.eu
    shift = shift + (cv * cam.spacing + rng.uniform(-0.35, 0.35) * slack_v) * cam.ev
    return Camera(base.source, base.center + shift, base.eu, base.ev, sp, w, h)


def _blank(
    source: np.ndarray,
    center: np.ndarray,
    eu: np.ndarray,
    acq: Acquisition,
    rng: np.random.Generator,
) -> Camera:
    sp = draw(rng, acq.pixel_spacing)
    w, h = (int(rng.integers(acq.image_side[0], acq.image_side[1] + 1)) for _ in range(2))
    return Camera(source, center, eu, np.array([0.0, 0, -1]), sp, w, h)


def cameras(pat: Patient, acq: Acquisition, rng: np.random.Generator) -> dict[str, Camera]:
    """The AP (beam anterior to posterior) and the left-lateral camera."""
    pts = key_points(pat)
    c = pts.mean(0)
    sod = rng.uniform(850, 1100)
    odd = -(pat.body_center_y - pat.body_half_depth) + rng.uniform(25, 70)
    ap = _blank(
        np.array([c[0], sod, c[2]]), np.array([c[0], -odd, c[2]]), np.array([1.0, 0, 0]), acq, rng
    )
    ratio = 1.0 + draw(rng, acq.lateral_mag_diff)
    xs = lateral_source_x(pat, ratio)
    xd = pat.body_half_width + rng.uniform(20, 50)
    lat = _blank(
        np.array([xs, c[1], c[2]]), np.array([xd, c[1], c[2]]), np.array([0.0, -1, 0]), acq, rng
    )
    return {"ap": _fit(ap, pts, acq, rng), "lateral": _fit(lat, pts, acq, rng)}
