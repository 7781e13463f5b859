"""Render a sampled patient into stored radiographs with screw boxes."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from screwid_train.imaging import display_from_stored
from screwid_train.render import implants as imp
from screwid_train.render.acquisition import (
    ViewParams,
    burn_text,
    expose,
    extras_layer,
    make_camera,
    quantise,
    window_for,
)
from screwid_train.render.anatomy import body_primitives, vertebra_primitives
from screwid_train.render.patient import STREAM_JITTER, STREAM_NOISE, PatientSpec, stream
from screwid_train.render.projection import Camera, render_primitive, splat, splat_points

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScrewTruth:
    box: tuple[float, float, float, float]
    label: str
    level: str
    side: str


@dataclass
class RenderedView:
    view: str
    stored: np.ndarray
    params: ViewParams
    window_center: float
    window_width: float
    pixel_spacing: float
    screws: list[ScrewTruth]
    implant: np.ndarray | None = None
    slope: float = 1.0
    intercept: float = 0.0

    def display(self) -> np.ndarray:
        return display_from_stored(
            self.stored,
            self.slope,
            self.intercept,
            self.window_center,
            self.window_width,
            self.params.photometric,
        )


@dataclass
class PatientClouds:
    screws: list[imp.Cloud]
    others: list[imp.Cloud]


def point_spacing(spec: PatientSpec, scales: dict[str, float]) -> float:
    """Cloud spacing fine enough for the sharpest of the views rendered."""
    finest = min(p.pixel_spacing / scales[v] for v, p in spec.views.items() if v in scales)
    return float(np.clip(0.8 * finest, 0.07, 0.35))


def build_clouds(spec: PatientSpec, h: float) -> PatientClouds:
    rng = stream(spec.seed, STREAM_JITTER)
    screw_mu = imp.metal_mu("titanium")
    screws = []
    for s in spec.screws:
        c = spec.constructs[s.construct]
        shaft = imp.shaft_cloud(c.thread, s.pose, h, screw_mu, rng)
        tulip = imp.tulip_cloud(c.head, s.pose, h, screw_mu, rng)
        screws.append(imp.merge([shaft, tulip]))
    others = _rods(spec, h, rng)
    if spec.crosslink is not None:
        others.append(_crosslink(spec, spec.crosslink, h, rng))
    for centre, axis in spec.cage_markers:
        others.append(imp.cage_marker_cloud(centre, axis, h, rng))
    return PatientClouds(screws=screws, others=others)


def _rod_points(spec: PatientSpec, side: str, construct: int | None = None) -> np.ndarray:
    pts = [
        imp.rod_point(s.pose, spec.constructs[s.construct].head)
        for s in spec.screws
        if s.side == side and (construct is None or s.construct == construct)
    ]
    return np.array(pts)


def _rods(spec: PatientSpec, h: float, rng: np.random.Generator) -> list[imp.Cloud]:
    out = []
    for ci, c in enumerate(spec.constructs):
        for k, side in enumerate(("left", "right")):
            pts = _rod_points(spec, side, ci)
            if len(pts) == 0:
                continue
            curve = imp.catmull_rom(pts, spec.rod_extend[k])
            mu = imp.metal_mu(c.rod_material)
            out.append(imp.tube_cloud(curve, c.head.rod_diameter / 2, h, mu, rng))
    return out


def _crosslink(spec: PatientSpec, k: int, h: float, rng: np.random.Generator) -> imp.Cloud:
    left, right = _rod_points(spec, "left"), _rod_points(spec, "right")
    a = (left[k] + left[k + 1]) / 2
    b = (right[k] + right[k + 1]) / 2
    return imp.crosslink_cloud(a, b, h, rng)


def _anatomy(spec: PatientSpec, cam: Camera) -> np.ndarray:
    img = np.zeros((cam.height, cam.width), dtype=np.float32)
    for p in body_primitives(spec.body, spec.spine):
        render_primitive(img, cam, p)
    for v in spec.spine:
        for p in vertebra_primitives(v):
            render_primitive(img, cam, p)
    return np.maximum(img, 0.0)


def _clip_box(box: tuple[float, ...], cam: Camera) -> tuple[float, float, float, float] | None:
    x0, y0, x1, y1 = box
    area = max((x1 - x0) * (y1 - y0), 1e-6)
    cx0, cy0 = max(x0, 0.0), max(y0, 0.0)
    cx1, cy1 = min(x1, float(cam.width)), min(y1, float(cam.height))
    if cx1 <= cx0 or cy1 <= cy0 or (cx1 - cx0) * (cy1 - cy0) < 0.5 * area:
        return None
    return (round(cx0, 2), round(cy0, 2), round(cx1, 2), round(cy1, 2))


def iso_centre(spec: PatientSpec) -> np.ndarray:
    return np.mean([s.pose.head for s in spec.screws], axis=0)


def render_view(
    spec: PatientSpec, view: str, clouds: PatientClouds, scale: float, keep_implant: bool = False
) -> RenderedView:
    p = spec.views[view]
    cam = make_camera(p, iso_centre(spec), scale)
    anatomy = _anatomy(spec, cam)
    implant = np.zeros_like(anatomy)
    truths = []
    for s, cloud in zip(spec.screws, clouds.screws, strict=True):
        u, v, m = cam.project(cloud[0])
        splat(implant, u, v, cloud[1] * (m / cam.pixel_spacing) ** 2)
        box = _clip_box((u.min(), v.min(), u.max(), v.max()), cam)
        if box is not None:
            truths.append(ScrewTruth(box, spec.constructs[s.construct].label, s.level, s.side))
    for pts, w in clouds.others:
        splat_points(implant, cam, pts, w)
    extras = extras_layer(anatomy.shape, p, scale)
    atten = anatomy + implant + extras
    obs = expose(
        atten,
        p,
        scale,
        int(stream(spec.seed, STREAM_NOISE).integers(0, 2**31)) + (0 if view == "ap" else 1),
    )
    stored = burn_text(quantise(obs, p), p, scale)
    centre, width = window_for(anatomy, p)
    return RenderedView(
        view=view,
        stored=stored,
        params=p,
        window_center=centre,
        window_width=width,
        pixel_spacing=cam.pixel_spacing,
        screws=truths,
        implant=implant if keep_implant else None,
    )


def view_scale(p: ViewParams, long_side: int | None) -> float:
    if long_side is None:
        return 1.0
    return min(1.0, long_side / max(p.width, p.height))


def render_patient(
    spec: PatientSpec, long_side: int | None = None, keep_implant: bool = False
) -> dict[str, RenderedView]:
    """Render both views; `long_side` renders smaller than stored (training arrays)."""
    scales = {v: view_scale(p, long_side) for v, p in spec.views.items()}
    clouds = build_clouds(spec, point_spacing(spec, scales))
    return {v: render_view(spec, v, clouds, scales[v], keep_implant) for v in spec.views}
