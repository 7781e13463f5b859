"""The patient: a curved spine T10-S1, ribs, pelvis, layered soft tissue, gas, and the construct.

Patient frame (mm): x towards the patient's left, y anterior, z cranial; S1 sits near the
origin. Every solid is an analytic primitive whose mu is its excess over soft tissue, so
bone, gas and lung add to (or take from) the body's layered tissue cylinders.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from screwid_train.altrender.geometry import (
    BOX,
    CYLINDER,
    ELLIPSOID,
    Prim,
    prim,
    rot_x,
    rot_z,
    unit,
)
from screwid_train.altrender.implants import ScrewGeom
from screwid_train.altrender.spec import DENSITY, Design, DesignFile, draw

KAPPA = 0.021  # effective 1/mm per g/cm3 for tissue and bone at a ~70 kVp spectrum
KAPPA_METAL = 0.06  # metal per g/cm3: photoelectric absorption of mid-Z atoms, soft beam
# Cylinder axis along local z; these turn it onto patient y or x.
ALONG_Y = rot_x(-90.0)
ALONG_X = np.array([[0.0, 0, 1], [0, 1, 0], [-1, 0, 0]])


@dataclass
class Vertebra:
    """One level: centre, frame (columns = local left, anterior, cranial) and sizes."""

    name: str
    center: np.ndarray
    rot: np.ndarray
    half_width: float
    half_depth: float
    half_height: float
    ped_x: float
    ped_len: float

    def world(self, local: object) -> np.ndarray:
        return self.center + self.rot @ np.asarray(local, float)


@dataclass
class ScrewPlan:
    """One pedicle screw: where it is, where it points, and what it looks like."""

    level: str
    side: str
    geom: ScrewGeom
    sphere_center: np.ndarray
    shank_dir: np.ndarray
    tulip_axis: np.ndarray = field(default_factory=lambda: np.zeros(3))
    rod_dir: np.ndarray = field(default_factory=lambda: np.array([0.0, 0, 1]))


@dataclass
class Patient:
    """Everything the projector needs for one patient."""

    prims: list[Prim]
    screws: list[ScrewPlan]
    rods: list[tuple[np.ndarray, float, float]]  # path, radius, mu
    bars: list[tuple[np.ndarray, float, float]]  # crosslinks and cage marker pins
    blocks: list[tuple[np.ndarray, np.ndarray, float]]  # centre, semi-axes, mu (axis-aligned)
    designs: list[str]
    body_half_width: float
    body_half_depth: float
    body_center_y: float


def _shell(
    kind: str,
    center: np.ndarray,
    semi: np.ndarray,
    rot: np.ndarray,
    cortex: float,
    rim: float,
    inner: float,
) -> list[Prim]:
    """A dense cortical rim of thickness `cortex` round a lighter core: two nested solids."""
    core = np.maximum(semi - cortex, 0.3)
    return [
        prim(kind, center, semi, KAPPA * rim, rot),
        prim(kind, center, core, KAPPA * (inner - rim), rot),
    ]


def _spine(rng: np.random.Generator, names: tuple[str, ...]) -> list[Vertebra]:
    """Levels stacked from S1 up, on a lordotic/kyphotic curve with a slight scoliosis."""
    lordosis, kyphosis = rng.uniform(6, 15), rng.uniform(3, 9)
    scol = rng.uniform(-7, 7)
    slope = rng.uniform(12, 24)
    out, z = [], 0.0
    prev_h = 0.0
    for name in reversed(names):
        lumbar = name[0] != "T"
        h = rng.uniform(12.5, 14.5) if lumbar else rng.uniform(10.5, 12.0)
        disc = rng.uniform(4.0, 5.5) if lumbar else rng.uniform(2.5, 3.5)
        z = 0.0 if not out else z + prev_h + disc + h
        prev_h = h
        out.append((name, z, h, lumbar))
    top = out[-1][1]
    verts = []
    for name, z, h, lumbar in reversed(out):
        t = z / top
        y = lordosis * np.sin(np.pi * min(t / 0.7, 1.0)) - kyphosis * max(0.0, (t - 0.7) / 0.3)
        dy = (
            (lordosis * np.pi / (0.7 * top)) * np.cos(np.pi * t / 0.7)
            if t < 0.7
            else -kyphosis / (0.3 * top)
        )
        beta = -np.degrees(np.arctan(dy)) - (slope if name == "S1" else 0.0)
        x = scol * np.sin(np.pi * t)
        idx = names.index(name)
        grow = idx / max(1, len(names) - 1)
        verts.append(
            Vertebra(
                name=name,
                center=np.array([x, y, z]),
                rot=rot_x(beta),
                half_width=rng.uniform(17, 19) + 7 * grow if lumbar else rng.uniform(15, 17),
                half_depth=rng.uniform(15, 18) if lumbar else rng.uniform(13, 15),
                half_height=h,
                ped_x=rng.uniform(14, 17) + 4 * grow if lumbar else rng.uniform(11, 13),
                ped_len=rng.uniform(16, 20) if lumbar else rng.uniform(14, 17),
            )
        )
    return verts


def _vertebra_prims(v: Vertebra, rng: np.random.Generator) -> list[Prim]:
    a, b, h, R = v.half_width, v.half_depth, v.half_height, v.rot
    lumbar = v.name[0] != "T"
    out = _shell(CYLINDER, v.center, np.array([a, b, h]), R, 1.3, 1.0, rng.uniform(0.2, 0.32))
    for s in (-1, 1):
        ped = v.world([s * v.ped_x, -b - v.ped_len / 2, 0.2 * h])
        out += _shell(
            CYLINDER,
            ped,
            np.array([4.2 if lumbar else 3.3, 6.5, v.ped_len / 2 + 2]),
            R @ ALONG_Y,
            1.2,
            0.9,
            0.25,
        )
        tl = rng.uniform(16, 24) if v.name in ("L2", "L3", "L4") else rng.uniform(9, 14)
        tp = v.world([s * (v.ped_x + tl / 2 + 2), -b - 0.6 * v.ped_len, 0.25 * h])
        out.append(prim(CYLINDER, tp, [3.0, 4.0, tl / 2], KAPPA * 0.6, R @ ALONG_X))
        for dz in (-0.7, 0.7):
            f = v.world([s * 0.95 * v.ped_x, -b - v.ped_len - 2, dz * h])
            out.append(prim(ELLIPSOID, f, [4.5, 4.0, 6.0], KAPPA * 0.55, R))
    lam = v.world([0, -b - v.ped_len - 3, 0.1 * h])
    out.append(prim(BOX, lam, [v.ped_x + 2, 3.5, 0.75 * h], KAPPA * 0.65, R))
    sl = rng.uniform(24, 30)
    droop = rng.uniform(5, 15) if lumbar else rng.uniform(30, 45)
    sp_rot = R @ rot_x(droop)
    sp = lam + sp_rot @ np.array([0, -sl / 2 - 2, 0])
    out.append(prim(ELLIPSOID, sp, [3.0, sl / 2, 0.55 * h], KAPPA * 0.8, sp_rot))
    return out


def _discs(verts: list[Vertebra]) -> list[Prim]:
    out = []
    for up, lo in itertools.pairwise(verts):
        top, bot = up.world([0, 0, -up.half_height]), lo.world([0, 0, lo.half_height])
        gap = max(1.0, float(np.linalg.norm(top - bot)) / 2)
        out.append(
            prim(
                CYLINDER,
                (top + bot) / 2,
                [up.half_width * 0.97, up.half_depth * 0.97, gap],
                KAPPA * 0.07,
                up.rot,
            )
        )
    return out


def _ribs(verts: list[Vertebra], rng: np.random.Generator, hx: float, hy: float) -> list[Prim]:
    """Ribs as chains of flat cylinders round the torso, for the thoracic levels."""
    out = []
    reach = {"T10": 2.1, "T11": 1.5, "T12": 0.9}
    for v in verts:
        if v.name not in reach:
            continue
        for s in (-1, 1):
            phi = np.linspace(0.45, reach[v.name] + rng.uniform(-0.1, 0.1), 9)
            yc = v.center[1] - v.half_depth - 35 + hy * 0.8
            pts = np.stack(
                [
                    s * 0.8 * hx * np.sin(phi) + s * v.ped_x * 0.6,
                    yc - 0.8 * hy * np.cos(phi) + 10,
                    v.center[2] - 25 * (phi - 0.45) + 4,
                ],
                axis=1,
            )
            for p0, p1 in itertools.pairwise(pts):
                axis = unit(p1 - p0)
                e2 = unit(np.cross(axis, [0, 0, 1.0]))
                rot = np.stack([np.cross(e2, axis), e2, axis], axis=1)
                length = float(np.linalg.norm(p1 - p0)) / 2
                out += _shell(
                    CYLINDER, (p0 + p1) / 2, np.array([5.5, 3.0, length]), rot, 1.0, 0.8, 0.25
                )
    return out


def _pelvis(s1: Vertebra, rng: np.random.Generator) -> list[Prim]:
    out = []
    for s in (-1, 1):
        ala = s1.world([s * (s1.half_width + 16), -s1.half_depth * 0.3, -4])
        out.append(prim(ELLIPSOID, ala, [20, 15, 17], KAPPA * 0.45, s1.rot))
        wing = s1.center + np.array(
            [s * rng.uniform(80, 98), rng.uniform(-20, -5), rng.uniform(20, 35)]
        )
        rot = rot_z(s * rng.uniform(22, 35))
        out += _shell(ELLIPSOID, wing, np.array([9.0, 52, 58]), rot, 1.6, 1.0, 0.2)
    out.append(
        prim(
            ELLIPSOID, s1.world([0, -8, -42]), [s1.half_width * 0.85, 14, 34], KAPPA * 0.35, s1.rot
        )
    )
    return out


def _soft_tissue(
    rng: np.random.Generator, y_post: float, top: float
) -> tuple[list[Prim], float, float, float]:
    """Nested tissue cylinders (fat, muscle, viscera) plus psoas and paraspinal muscles."""
    hx, hy = rng.uniform(150, 205), rng.uniform(100, 145)
    yc = y_post + hy
    fat = rng.uniform(10, 38)
    mid = top / 2
    out = [
        prim(CYLINDER, [0, yc, mid], [hx, hy, 900], KAPPA * 0.93),
        prim(CYLINDER, [0, yc, mid], [hx - fat, hy - fat * 0.8, 900], KAPPA * 0.1),
        prim(CYLINDER, [0, yc + 10, mid], [hx * 0.55, hy * 0.55, 900], KAPPA * 0.03),
    ]
    for s in (-1, 1):
        out.append(prim(ELLIPSOID, [s * 38, y_post + 35, mid], [26, 24, 260], KAPPA * 0.06))
        out.append(prim(ELLIPSOID, [s * 40, 8, 60], [17, 19, 110], KAPPA * 0.05, rot_z(0)))
    return out, hx, hy, yc


def _air(
    rng: np.random.Generator, verts: list[Vertebra], hx: float, hy: float, yc: float
) -> list[Prim]:
    """Lung bases above the diaphragm and bowel gas in front of the lumbar spine."""
    z_t12 = next(v.center[2] for v in verts if v.name == "T12")
    z_l1 = next(v.center[2] for v in verts if v.name == "L1")
    out = [
        prim(
            ELLIPSOID,
            [s * 0.45 * hx, yc - 0.1 * hy, z_t12 + rng.uniform(70, 95)],
            [0.36 * hx, 0.55 * hy, 120],
            -KAPPA * 0.4,
        )
        for s in (-1, 1)
    ]
    for _ in range(rng.integers(3, 15)):
        semi = rng.uniform(7, 32, 3) * [1, 0.7, 1]
        c = [
            rng.uniform(-0.7, 0.7) * hx,
            rng.uniform(25, 0.6 * hy + yc * 0.3),
            rng.uniform(-40, z_l1),
        ]
        out.append(
            prim(ELLIPSOID, c, semi, -KAPPA * rng.uniform(0.5, 0.95), rot_z(rng.uniform(0, 180)))
        )
    return out


def _levels_for(rng: np.random.Generator, df: DesignFile) -> list[int]:
    a = df.anatomy
    n = int(rng.integers(a.instrumented[0], a.instrumented[1] + 1))
    total = len(a.levels)
    if rng.random() < a.sacral_share:
        first = total - n
    else:
        first = int(rng.integers(0, total - n)) if total - n > 0 else 0
    return list(range(first, first + n))


def _geoms(
    rng: np.random.Generator, df: DesignFile, design: Design, levels: list[str]
) -> dict[str, ScrewGeom]:
    """Thread and head shared by the construct; diameter and length chosen per level."""
    c = df.common
    shared = {
        "pitch": draw(rng, design.pitch),
        "pitch_distal": draw(rng, design.pitch_distal) if design.pitch_distal else None,
        "core_ratio": draw(rng, design.core_ratio),
        "taper": draw(rng, design.tip_taper),
        "tulip_h": draw(rng, design.tulip_height),
        "tulip_w": draw(rng, design.tulip_width),
        "sphere": draw(rng, design.sphere),
    }
    mu = KAPPA_METAL * DENSITY[c.screw_material]
    out = {}
    for name in levels:
        thor = name[0] == "T"
        od = draw(rng, c.od_thoracic if thor else c.od_lumbar)
        length = draw(rng, c.len_thoracic if thor else c.len_lumbar)
        out[name] = ScrewGeom(design=design, od=od, length=length, mu=mu, **shared)
    return out


def _place(
    v: Vertebra, sign: int, g: ScrewGeom, rng: np.random.Generator, df: DesignFile
) -> ScrewPlan:
    conv = draw(rng, df.anatomy.convergence) + (8.0 if v.name == "S1" else 0.0)
    # S1 screws aim up towards the promontory.
    tilt = draw(rng, df.anatomy.tilt) + (12.0 if v.name == "S1" else 0.0)
    local = rot_x(tilt) @ np.array([-sign * np.sin(np.radians(conv)), np.cos(np.radians(conv)), 0])
    d = v.rot @ local
    entry = v.world([sign * (v.ped_x + 2.0), -v.half_depth - v.ped_len * 0.95, 0.2 * v.half_height])
    sphere = entry - d * (rng.uniform(2.0, 6.0) + 0.85 * g.sphere / 2)
    side = "left" if sign > 0 else "right"
    return ScrewPlan(level=v.name, side=side, geom=g, sphere_center=sphere, shank_dir=d)


def _orient_heads(screws: list[ScrewPlan], verts: dict[str, Vertebra]) -> None:
    """Turn each tulip towards the rod: between the shank axis and straight back."""
    for side in ("left", "right"):
        row = [s for s in screws if s.side == side]
        cs = np.array([s.sphere_center for s in row])
        for i, s in enumerate(row):
            lo, hi = max(0, i - 1), min(len(row) - 1, i + 1)
            tan = unit(cs[lo] - cs[hi]) if hi > lo else verts[s.level].rot[:, 2]
            back = -verts[s.level].rot[:, 1]
            a = unit(0.45 * -s.shank_dir + 0.55 * back)
            s.tulip_axis = unit(a - (a @ tan) * tan)
            s.rod_dir = tan


def _rod_mu(rng: np.random.Generator, d: Design, df: DesignFile) -> float:
    mat = "cobalt_chrome" if rng.random() < d.rod_cocr_share else "titanium"
    if mat not in df.common.rod_materials:
        mat = df.common.rod_materials[0]
    return KAPPA_METAL * DENSITY[mat]


def build_patient(rng: np.random.Generator, df: DesignFile, design: Design) -> Patient:
    """Sample one patient whose construct is `design` (maybe mixed with a second one below)."""
    names = df.anatomy.levels
    verts = _spine(rng, names)
    vmap = {v.name: v for v in verts}
    y_post = -verts[4].half_depth - verts[4].ped_len - rng.uniform(45, 75)
    soft, hx, hy, yc = _soft_tissue(rng, y_post, verts[0].center[2])
    prims = soft + _discs(verts) + _ribs(verts, rng, hx, hy) + _pelvis(vmap["S1"], rng)
    for v in verts:
        prims += _vertebra_prims(v, rng)
    prims += _air(rng, verts, hx, hy, yc)
    idx = _levels_for(rng, df)
    levels = [names[i] for i in idx]
    plan = [(lv, design) for lv in levels]
    if len(levels) >= 2 and rng.random() < df.anatomy.mixed_share:
        other = [d for d in df.known() if d.key != design.key]
        lower = other[int(rng.integers(len(other)))]
        cut = int(rng.integers(1, len(levels)))
        plan = [(lv, design if i < cut else lower) for i, lv in enumerate(levels)]
    used = list(dict.fromkeys(d for _, d in plan))
    geoms = {d.key: _geoms(rng, df, d, [lv for lv, dd in plan if dd is d]) for d in used}
    screws = [_place(vmap[lv], s, geoms[d.key][lv], rng, df) for lv, d in plan for s in (1, -1)]
    _orient_heads(screws, vmap)
    rods, bars, blocks = _construct(screws, used, rng, df, vmap, idx, names)
    prims += _cages(rng, df, vmap, levels, bars)
    return Patient(prims, screws, rods, bars, blocks, [d.label for d in used], hx, hy, yc)


def _construct(
    screws: list[ScrewPlan],
    used: list[Design],
    rng: np.random.Generator,
    df: DesignFile,
    vmap: dict[str, Vertebra],
    idx: list[int],
    names: tuple[str, ...],
) -> tuple[list, list, list]:
    """Rods per design and side through the rod seats, connectors, crosslinks."""
    rods, bars, blocks = [], [], []
    for d in used:
        mu = _rod_mu(rng, d, df)
        for side in ("left", "right"):
            row = [s for s in screws if s.side == side and s.geom.design is d]
            seats = np.array(
                [
                    s.sphere_center + s.tulip_axis * (s.geom.rod_height - s.geom.sphere_height)
                    for s in row
                ]
            )
            rods.append((seats, d.rod_diameter / 2, mu))
    if len(used) == 2:
        for side in ("left", "right"):
            row = [s for s in screws if s.side == side]
            k = next(i for i, s in enumerate(row) if s.geom.design is used[1])
            mid = (row[k - 1].sphere_center + row[k].sphere_center) / 2 + row[k].tulip_axis * 6
            blocks.append((mid, np.array([7.0, 5.0, 9.0]), KAPPA_METAL * DENSITY["titanium"]))
    if len(idx) >= 2 and rng.random() < df.anatomy.crosslink_share:
        k = int(rng.integers(0, len(idx) - 1))
        pair = []
        for side in ("left", "right"):
            row = [s for s in screws if s.side == side]
            seat = [
                s.sphere_center + s.tulip_axis * (s.geom.rod_height - s.geom.sphere_height)
                for s in row[k : k + 2]
            ]
            pair.append((seat[0] + seat[1]) / 2)
        mu = KAPPA_METAL * DENSITY["titanium"]
        bars.append((np.stack(pair), rng.uniform(1.8, 2.5), mu))
        for p in pair:
            blocks.append((p + np.array([0, -2.0, 0]), np.array([4.0, 4.0, 5.0]), mu))
    return rods, bars, blocks


def _cages(
    rng: np.random.Generator,
    df: DesignFile,
    vmap: dict[str, Vertebra],
    levels: list[str],
    bars: list,
) -> list[Prim]:
    """Radiolucent PEEK cages in instrumented discs, each with 2-4 tantalum marker pins."""
    out = []
    if len(levels) < 2 or rng.random() >= df.anatomy.cage_share:
        return out
    ta = KAPPA_METAL * DENSITY["tantalum"]
    for up, lo in itertools.pairwise(levels):
        if rng.random() < 0.4:
            continue
        u, v = vmap[up], vmap[lo]
        top, bot = u.world([0, 0, -u.half_height]), v.world([0, 0, v.half_height])
        c = (top + bot) / 2
        half = max(2.0, float(np.linalg.norm(top - bot)) / 2)
        semi = np.array([u.half_width * 0.55, u.half_depth * 0.6, half])
        out.append(prim(BOX, c, semi, KAPPA * 0.3, u.rot))
        for _ in range(int(rng.integers(2, 5))):
            off = u.rot @ (rng.uniform(-0.9, 0.9, 3) * semi * [1, 1, 0])
            axis = u.rot[:, 2] * min(2.0, half * 0.8)
            bars.append((np.stack([c + off - axis, c + off + axis]), 0.5, ta))
    return out
