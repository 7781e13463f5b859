"""Crude lumbar-thoracic anatomy as analytic solids (elliptic cylinders and ellipsoids).

World frame: x = patient's left, y = posterior, z = cranial (millimetres). Each vertebra has
its own local frame with the same meaning, rotated by lordosis and a little scoliosis.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass

import numpy as np

from screwid_train.render.projection import Primitive, frame_from_axis, rotation

logger = logging.getLogger(__name__)

# Attenuation per mm, in excess of soft tissue for bone.
MU_TISSUE = 0.013
MU_CORTICAL = 0.032
MU_CANCELLOUS = 0.009
MU_AIR = -0.012

# width (x), depth (y), height (z) of the vertebral body; disc height below it.
LEVEL_SIZE: dict[str, tuple[float, float, float, float]] = {
    "T10": (32, 27, 21, 6),
    "T11": (34, 28, 22, 6),
    "T12": (36, 29, 23, 7),
    "L1": (40, 31, 25, 9),
    "L2": (42, 32, 26, 10),
    "L3": (45, 33, 27, 10),
    "L4": (47, 34, 27, 11),
    "L5": (48, 35, 26, 11),
    "S1": (46, 30, 26, 0),
}
# Sagittal angle of each level's cranial axis (degrees, positive = top tilted anterior).
LORDOSIS = {
    "T10": -7,
    "T11": -5,
    "T12": -3,
    "L1": 0,
    "L2": 4,
    "L3": 10,
    "L4": 17,
    "L5": 25,
    "S1": 38,
}


@dataclass(frozen=True)
class Vertebra:
    level: str
    centre: np.ndarray
    rot: np.ndarray  # columns: local x, y, z in world
    width: float
    depth: float
    height: float

    def to_world(self, local: np.ndarray) -> np.ndarray:
        return self.centre + self.rot @ local


def spine_poses(levels: tuple[str, ...], rng: np.random.Generator) -> list[Vertebra]:
    """Stack the vertebrae from S1 upwards along a lordotic, slightly scoliotic curve."""
    scale = rng.uniform(0.9, 1.1)
    lordosis = rng.uniform(0.6, 1.3)
    scol_amp, scol_phase = rng.uniform(0, 6), rng.uniform(0, 2 * np.pi)
    out: list[Vertebra] = []
    for i, level in enumerate(reversed(levels)):
        w, d, h, disc = (scale * v for v in LEVEL_SIZE[level])
        sag = LORDOSIS[level] * lordosis + rng.normal(0, 2.0)
        cor = scol_amp * np.sin(scol_phase + 0.6 * i) + rng.normal(0, 1.0)
        rot = rotation(rx=sag, ry=cor, rz=rng.normal(0, 2.5))
        up = rot[:, 2]
        if not out:
            centre = np.zeros(3)
        else:
            prev = out[-1]
            up_prev = prev.rot[:, 2]
            mid = (up_prev + up) / np.linalg.norm(up_prev + up)
            centre = prev.centre + up_prev * prev.height / 2 + mid * disc + up * h / 2
        out.append(Vertebra(level, centre, rot, w, d, h))
    out.reverse()
    return out


def _prim(
    kind: str,
    v: Vertebra,
    local: tuple[float, float, float],
    semi: tuple[float, float, float],
    mu: float,
    rot: np.ndarray | None = None,
) -> Primitive:
    r = v.rot if rot is None else v.rot @ rot
    return Primitive(kind, v.to_world(np.array(local, float)), r, np.array(semi, float), mu)


def _shell(
    kind: str,
    v: Vertebra,
    local: tuple[float, float, float],
    semi: tuple[float, float, float],
    wall: float,
    mu_in: float,
    rot: np.ndarray | None = None,
) -> list[Primitive]:
    """A cortical shell of thickness `wall` around a cancellous core."""
    inner = tuple(max(s - wall, 0.3) for s in semi)
    return [
        _prim(kind, v, local, semi, MU_CORTICAL, rot),
        _prim(kind, v, local, inner, mu_in - MU_CORTICAL, rot),
    ]  # type: ignore[arg-type]


def pedicle_centre(v: Vertebra, side: float) -> np.ndarray:
    """Local coordinates of a pedicle centre (side +1 = left)."""
    return np.array([side * v.width * 0.31, v.depth / 2 + 6.0, v.height * 0.12])


def vertebra_primitives(v: Vertebra) -> list[Primitive]:
    w, d, h = v.width, v.depth, v.height
    prims = _shell("cylinder", v, (0, 0, 0), (w / 2, d / 2, h / 2), 1.4, MU_CANCELLOUS)
    along_y = rotation(rx=90)
    for side in (-1.0, 1.0):
        pc = pedicle_centre(v, side)
        prims += _shell(
            "cylinder", v, tuple(pc), (w * 0.1, h * 0.26, 7.0), 1.3, MU_CANCELLOUS, along_y
        )
        prims.append(
            _prim(
                "ellipsoid",
                v,
                (side * w * 0.27, d / 2 + 17, h * 0.45),
                (4.5, 5, 6),
                MU_CORTICAL * 0.8,
            )
        )
        prims.append(
            _prim(
                "ellipsoid",
                v,
                (side * w * 0.27, d / 2 + 17, -h * 0.45),
                (4.5, 5, 6),
                MU_CORTICAL * 0.8,
            )
        )
        if v.level != "S1":
            tp_len = 14 if v.level.startswith("L") else 9
            prims.append(
                _prim(
                    "ellipsoid",
                    v,
                    (side * (w / 2 + tp_len * 0.7), d / 2 + 9, 0),
                    (tp_len, 4, 4.5),
                    MU_CORTICAL * 0.7,
                )
            )
    prims.append(
        _prim("ellipsoid", v, (0, d / 2 + 15, -h * 0.1), (w * 0.33, 4, h * 0.5), MU_CORTICAL * 0.7)
    )
    spin = rotation(rx=-25)
    prims.append(
        _prim("ellipsoid", v, (0, d / 2 + 32, -h * 0.3), (3.5, 14, 7), MU_CORTICAL * 0.8, spin)
    )
    if v.level == "S1":
        prims += _sacrum(v)
    if v.level in ("T10", "T11", "T12"):
        prims += _ribs(v)
    return prims


def _sacrum(v: Vertebra) -> list[Primitive]:
    prims: list[Primitive] = []
    prims += _shell("ellipsoid", v, (0, 4, -32), (34, 14, 30), 1.5, MU_CANCELLOUS)
    for side in (-1.0, 1.0):
        prims += _shell("ellipsoid", v, (side * 34, 2, -8), (20, 16, 18), 1.5, MU_CANCELLOUS)
        wing = rotation(rz=side * 25, rx=-10)
        prims += _shell(
            "ellipsoid", v, (side * 80, 12, -5), (45, 7, 60), 1.8, MU_CANCELLOUS * 0.8, wing
        )
    return prims


def _rib_path(v: Vertebra, side: float, n: int) -> np.ndarray:
    """Local points of one rib: from the transverse process out, back, then forward and down."""
    t = np.linspace(0.0, 1.0, n + 1)
    ang = np.radians(15 + 150 * t)
    x = side * (v.width / 2 + 8 + 95 * np.sin(ang))
    y = v.depth / 2 + 12 + 35 * np.sin(ang * 0.9) - 120 * (1 - np.cos(ang)) * 0.5
    z = -55.0 * t
    return np.stack([x, y, z], axis=1)


def _ribs(v: Vertebra) -> list[Primitive]:
    """Ribs as chains of short elliptic cylinders (floating ribs are shorter)."""
    prims: list[Primitive] = []
    n = {"T10": 8, "T11": 5, "T12": 3}[v.level]
    for side in (-1.0, 1.0):
        pts = _rib_path(v, side, n)
        for a, b in itertools.pairwise(pts):
            d = b - a
            length = float(np.linalg.norm(d))
            rot = frame_from_axis(d / length, np.array([0.0, 0.0, 1.0]))
            mid = tuple((a + b) / 2)
            prims += _shell(
                "cylinder", v, mid, (5.5, 3.5, length / 2 + 0.5), 1.0, MU_CANCELLOUS * 0.6, rot
            )
    return prims


@dataclass(frozen=True)
class Body:
    """Soft tissue outline and gas: sampled once per patient."""

    centre: np.ndarray
    semi: np.ndarray
    gas: tuple[tuple[np.ndarray, np.ndarray], ...]


def sample_body(spine: list[Vertebra], rng: np.random.Generator) -> Body:
    mid = np.mean([v.centre for v in spine], axis=0)
    centre = mid + np.array([rng.normal(0, 5), rng.uniform(-40, -20), 0.0])
    semi = np.array([rng.uniform(140, 190), rng.uniform(110, 150), 600.0])
    gas = []
    for _ in range(int(rng.integers(2, 14))):
        c = centre + np.array(
            [rng.uniform(-110, 110), rng.uniform(-80, 20), rng.uniform(-150, 120)]
        )
        gas.append((c, rng.uniform(6, 22, size=3)))
    return Body(centre=centre, semi=semi, gas=tuple(gas))


def body_primitives(body: Body, spine: list[Vertebra]) -> list[Primitive]:
    eye = np.eye(3)
    prims = [Primitive("cylinder", body.centre, eye, body.semi, MU_TISSUE)]
    for c, s in body.gas:
        prims.append(Primitive("ellipsoid", c, eye, s, MU_AIR))
    top = max(spine, key=lambda v: v.centre[2])
    if top.level.startswith("T"):
        for side in (-1.0, 1.0):
            c = top.centre + np.array([side * 75, -15, 95])
            prims.append(Primitive("ellipsoid", c, eye, np.array([60, 75, 110]), MU_AIR * 0.8))
    for side in (-1.0, 1.0):
        low = min(spine, key=lambda v: v.centre[2])
        c = (top.centre + low.centre) / 2 + np.array([side * 30, -5, -20])
        prims.append(Primitive("cylinder", c, eye, np.array([18, 22, 110]), 0.003))
    return prims
