"""A phantom patient: sampled geometry, constructs, and the AP and lateral exposures.

Randomness comes from separate streams per seed (geometry, design parameters, acquisition,
noise, point jitter), so the same seed with another design changes only the implants.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

import numpy as np

from screwid_train.designs import Acquisition, Design, DesignFile
from screwid_train.render import implants as imp
from screwid_train.render.acquisition import ViewParams, sample_view_params
from screwid_train.render.anatomy import (
    Body,
    Vertebra,
    pedicle_centre,
    sample_body,
    spine_poses,
)

logger = logging.getLogger(__name__)

STREAM_GEOMETRY, STREAM_DESIGN, STREAM_ACQ, STREAM_NOISE, STREAM_JITTER = 1, 2, 3, 4, 5


def stream(seed: int, which: int) -> np.random.Generator:
    return np.random.default_rng([seed, which])


@dataclass(frozen=True)
class Construct:
    design: str
    label: str
    thread: imp.ThreadGeometry
    head: imp.HeadGeometry
    rod_material: str


@dataclass(frozen=True)
class ScrewInstance:
    level: str
    side: str
    construct: int
    pose: imp.ScrewPose


@dataclass(frozen=True)
class PatientSpec:
    patient_id: str
    seed: int
    spine: list[Vertebra]
    body: Body
    constructs: list[Construct]
    screws: list[ScrewInstance]
    rod_extend: tuple[float, float]
    crosslink: int | None  # index of the level pair (k, k + 1) bridged, if any
    cage_markers: list[tuple[np.ndarray, np.ndarray]]
    views: dict[str, ViewParams] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return sorted({c.label for c in self.constructs})

    @property
    def mixed(self) -> bool:
        return len({c.label for c in self.constructs}) > 1


def sample_construct(
    d: Design, rng: np.random.Generator, rod_choices: tuple[str, ...]
) -> Construct:
    """Thread and head geometry shared by every screw of one construct of design `d`."""
    distal = float(rng.uniform(*d.thread_pitch_distal)) if d.thread_pitch_distal else None
    thread = imp.ThreadGeometry(
        pitch=float(rng.uniform(*d.thread_pitch)),
        pitch_distal=distal,
        leads=d.thread_leads,
        profile=d.thread_profile,
        core_ratio=float(rng.uniform(*d.core_ratio)),
        core_shape=d.core_shape,
        tip_taper=float(rng.uniform(*d.tip_taper_length)),
    )
    head = imp.HeadGeometry(
        tulip_height=float(rng.uniform(*d.tulip_height)),
        tulip_width=float(rng.uniform(*d.tulip_width)),
        head_diameter=float(rng.uniform(*d.head_sphere_diameter)),
        closure=d.closure,
        rod_diameter=d.rod_diameter,
    )
    cocr = "cobalt_chrome" in rod_choices and rng.uniform() < d.rod_cobalt_chrome_share
    return Construct(d.key, d.label, thread, head, "cobalt_chrome" if cocr else "titanium")


def _levels_instrumented(df: DesignFile, rng: np.random.Generator, n_designs: int) -> list[int]:
    levels = df.anatomy.levels
    lo, hi = df.anatomy.instrumented_levels
    n = int(rng.integers(lo, hi + 1))
    sacral = rng.uniform() < df.anatomy.sacral_screw_share
    if n_designs > 1:
        n = max(n, 2)
    last = len(levels) - 1 if sacral else int(rng.integers(max(n - 1, 2), len(levels) - 1))
    return list(range(last - n + 1, last + 1))


def _screw_pose(
    v: Vertebra,
    side: float,
    conv: float,
    tilt: float,
    outer: float,
    length: float,
    entry: float,
    rng: np.random.Generator,
) -> imp.ScrewPose:
    c, t = np.radians(conv), np.radians(tilt)
    local_axis = np.array([-side * np.sin(c) * np.cos(t), -np.cos(c) * np.cos(t), np.sin(t)])
    axis = v.rot @ (local_axis / np.linalg.norm(local_axis))
    head = v.to_world(pedicle_centre(v, side)) - axis * entry
    post = v.rot @ np.array([0.0, 1.0, 0.0])
    tulip = 0.5 * (-axis) + 0.5 * post + rng.normal(0, 0.05, size=3)
    return imp.ScrewPose(
        head=head,
        axis=axis,
        tulip_axis=tulip / np.linalg.norm(tulip),
        rod_dir=v.rot[:, 2],
        outer_diameter=outer,
        length=length,
    )


def _place_screws(
    df: DesignFile,
    spine: list[Vertebra],
    idx: list[int],
    split: int,
    n_designs: int,
    rng: np.random.Generator,
) -> list[ScrewInstance]:
    a = df.anatomy
    c = df.common
    out: list[ScrewInstance] = []
    for k, li in enumerate(idx):
        v = spine[li]
        thoracic = v.level.startswith("T")
        outer = rng.uniform(*(c.outer_diameter_thoracic if thoracic else c.outer_diameter_lumbar))
        length = rng.uniform(*(c.length_thoracic if thoracic else c.length_lumbar))
        conv0 = rng.uniform(*a.ap_convergence)
        tilt0 = rng.uniform(*a.sagittal_tilt)
        construct = 0 if (n_designs == 1 or k < split) else 1
        for side_name, side in (("right", -1.0), ("left", 1.0)):
            conv = float(np.clip(conv0 + rng.normal(0, 3), *a.ap_convergence))
            tilt = float(np.clip(tilt0 + rng.normal(0, 3), *a.sagittal_tilt))
            pose = _screw_pose(
                v, side, conv, tilt, outer, length + rng.normal(0, 1.0), rng.uniform(11, 16), rng
            )
            out.append(ScrewInstance(v.level, side_name, construct, pose))
    return _align_rod_dirs(out)


def _align_rod_dirs(screws: list[ScrewInstance]) -> list[ScrewInstance]:
    """Point each screw's rod direction along its side's chain of heads."""
    out = list(screws)
    for side in ("left", "right"):
        ids = [i for i, s in enumerate(screws) if s.side == side]
        heads = np.array([screws[i].pose.head for i in ids])
        for j, i in enumerate(ids):
            if len(ids) < 2:
                continue
            a, b = heads[max(j - 1, 0)], heads[min(j + 1, len(ids) - 1)]
            d = (a - b) / np.linalg.norm(a - b)
            p = screws[i].pose
            out[i] = ScrewInstance(
                screws[i].level,
                side,
                screws[i].construct,
                imp.ScrewPose(p.head, p.axis, p.tulip_axis, d, p.outer_diameter, p.length),
            )
    return out


def _cage_markers(
    spine: list[Vertebra], idx: list[int], rng: np.random.Generator
) -> list[tuple[np.ndarray, np.ndarray]]:
    k = int(rng.integers(0, len(idx) - 1))
    upper, lower = spine[idx[k]], spine[idx[k + 1]]
    centre = (upper.centre + lower.centre) / 2
    up = upper.rot[:, 2]
    spots = [(0, -0.4, 0), (0, 0.4, 0), (-0.35, 0, 0), (0.35, 0, 0)]
    n = int(rng.integers(2, 5))
    out = []
    for sx, sy, sz in spots[:n]:
        local = np.array([sx * upper.width, sy * upper.depth, sz])
        out.append((centre + upper.rot @ local, up))
    return out


def sample_patient(
    df: DesignFile, seed: int, design_keys: tuple[str, ...], patient_id: str = "P000"
) -> PatientSpec:
    """Sample one phantom patient. `design_keys`: one design, or (upper, lower) when mixed."""
    g = stream(seed, STREAM_GEOMETRY)
    spine = spine_poses(df.anatomy.levels, g)
    body = sample_body(spine, g)
    idx = _levels_instrumented(df, g, len(design_keys))
    split = int(g.integers(1, max(len(idx), 2)))
    screws = _place_screws(df, spine, idx, split, len(design_keys), g)
    rod_extend = (float(g.uniform(4, 10)), float(g.uniform(4, 10)))
    crosslink = (
        int(g.integers(0, len(idx) - 1))
        if (g.uniform() < df.anatomy.crosslink_share and len(idx) > 1)
        else None
    )
    cages = (
        _cage_markers(spine, idx, g)
        if (g.uniform() < df.anatomy.interbody_cage_share and len(idx) > 1)
        else []
    )
    dr = stream(seed, STREAM_DESIGN)
    constructs = [
        sample_construct(df.designs[k], dr, df.common.rod_material_choices) for k in design_keys
    ]
    ar = stream(seed, STREAM_ACQ)
    views = {v: sample_view_params(v, df.acquisition, ar) for v in ("ap", "lateral")}
    lat = views["lateral"]
    diff = float(ar.uniform(*df.acquisition.lateral_magnification_difference))
    sep = float(np.mean([abs(s.pose.head[0]) for s in screws])) * 2
    views["lateral"] = _replace(
        lat, src_dist=max(sep / diff, 400.0), det_dist=body.semi[0] + float(ar.uniform(20, 60))
    )
    ap = views["ap"]
    views["ap"] = _replace(ap, det_dist=body.semi[1] + body.centre[1] + ap.det_dist)
    views = {k: fit_view(v, screws, df.acquisition) for k, v in views.items()}
    return PatientSpec(
        patient_id, seed, spine, body, constructs, screws, rod_extend, crosslink, cages, views
    )


def _replace(p: ViewParams, **kw: float) -> ViewParams:
    return replace(p, **kw)


def fit_view(p: ViewParams, screws: list[ScrewInstance], acq: Acquisition) -> ViewParams:
    """Coarsen the pixel spacing (then enlarge the image) until the construct fits, as a
    radiographer frames the instrumented levels."""
    beam = np.array([0.0, 1.0, 0.0]) if p.view == "ap" else np.array([1.0, 0.0, 0.0])
    pts = np.array(
        [s.pose.head for s in screws] + [s.pose.head + s.pose.axis * s.pose.length for s in screws]
    )
    iso = np.mean([s.pose.head for s in screws], axis=0)
    d = pts - iso
    d -= np.outer(d @ beam, beam)
    radius = float(np.linalg.norm(d, axis=1).max()) + 18.0 + float(np.hypot(*p.iso_offset))
    mag = (p.src_dist + p.det_dist) / p.src_dist
    need = radius * mag / (0.46 * min(p.width, p.height))
    ps_hi = acq.pixel_spacing[1]
    if need <= p.pixel_spacing:
        return p
    if need <= ps_hi:
        return replace(p, pixel_spacing=need)
    side = int(np.ceil(radius * mag / (0.46 * ps_hi)))
    grow = min(side, acq.image_side[1]) / min(p.width, p.height)
    w = min(int(p.width * grow), acq.image_side[1])
    h = min(int(p.height * grow), acq.image_side[1])
    return replace(p, pixel_spacing=ps_hi, width=w, height=h)
