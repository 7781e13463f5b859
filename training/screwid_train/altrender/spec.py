"""Typed view of the phantom design file (`assets/phantom/designs.toml`), parsed with tomllib.

This is a second parser beside `screwid_train/designs.py` on purpose: the second renderer is
written from the design file alone, sharing no code with the first, so that a misreading of
the file in one does not hide in both.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

Range = tuple[float, float]

# g/cm3, as listed in the design file's header.
DENSITY = {"titanium": 4.4, "cobalt_chrome": 7.8, "stainless_steel": 7.9, "tantalum": 16.6}


@dataclass(frozen=True)
class Design:
    """One screw system: thread, head and closure geometry (mm, deg)."""

    key: str
    label: str
    pitch: Range
    pitch_distal: Range | None
    leads: int
    profile: str
    core_ratio: Range
    core_shape: str
    tip_taper: Range
    tulip_height: Range
    tulip_width: Range
    sphere: Range
    closure: str
    rod_diameter: float
    rod_cocr_share: float


@dataclass(frozen=True)
class Common:
    """Sizes and materials shared by every design."""

    od_lumbar: Range
    od_thoracic: Range
    len_lumbar: Range
    len_thoracic: Range
    screw_material: str
    rod_materials: tuple[str, ...]


@dataclass(frozen=True)
class Anatomy:
    """Which levels get screws and how they are aimed."""

    levels: tuple[str, ...]
    instrumented: tuple[int, int]
    sacral_share: float
    crosslink_share: float
    cage_share: float
    mixed_share: float
    convergence: Range
    tilt: Range


@dataclass(frozen=True)
class Acquisition:
    """Detector and exposure ranges."""

    pixel_spacing: Range
    image_side: tuple[int, int]
    bits_stored: tuple[int, ...]
    photometric: tuple[str, ...]
    blur_sigma: Range
    lateral_mag_diff: Range
    extras: tuple[str, ...]


@dataclass(frozen=True)
class DesignFile:
    """The whole design file."""

    common: Common
    designs: dict[str, Design]
    anatomy: Anatomy
    acquisition: Acquisition

    def known(self) -> list[Design]:
        """The trainable designs in file order (every one but `unseen`)."""
        return [d for k, d in self.designs.items() if k != "unseen"]


def default_path() -> Path:
    """The project copy of the design file."""
    return Path(__file__).resolve().parents[3] / "assets" / "phantom" / "designs.toml"


def _pair(v: list[float]) -> Range:
    return (float(v[0]), float(v[1]))


def _design(key: str, t: dict) -> Design:
    return Design(
        key=key,
        label=t["label"],
        pitch=_pair(t["thread_pitch"]),
        pitch_distal=_pair(t["thread_pitch_distal"]) if "thread_pitch_distal" in t else None,
        leads=int(t["thread_leads"]),
        profile=t["thread_profile"],
        core_ratio=_pair(t["core_ratio"]),
        core_shape=t["core_shape"],
        tip_taper=_pair(t["tip_taper_length"]),
        tulip_height=_pair(t["tulip_height"]),
        tulip_width=_pair(t["tulip_width"]),
        sphere=_pair(t["head_sphere_diameter"]),
        closure=t["closure"],
        rod_diameter=float(t["rod_diameter"]),
        rod_cocr_share=float(t["rod_cobalt_chrome_share"]),
    )


def load(path: Path | None = None) -> DesignFile:
    """Parse the design file (default: the project copy)."""
    raw = tomllib.loads((path or default_path()).read_text())
    c, a, q = raw["common"], raw["anatomy"], raw["acquisition"]
    common = Common(
        od_lumbar=_pair(c["outer_diameter_lumbar"]),
        od_thoracic=_pair(c["outer_diameter_thoracic"]),
        len_lumbar=_pair(c["length_lumbar"]),
        len_thoracic=_pair(c["length_thoracic"]),
        screw_material=c["screw_material"],
        rod_materials=tuple(c["rod_material_choices"]),
    )
    anatomy = Anatomy(
        levels=tuple(a["levels"]),
        instrumented=(int(a["instrumented_levels"][0]), int(a["instrumented_levels"][1])),
        sacral_share=float(a["sacral_screw_share"]),
        crosslink_share=float(a["crosslink_share"]),
        cage_share=float(a["interbody_cage_share"]),
        mixed_share=float(a["mixed_construct_share"]),
        convergence=_pair(a["ap_convergence"]),
        tilt=_pair(a["sagittal_tilt"]),
    )
    acq = Acquisition(
        pixel_spacing=_pair(q["pixel_spacing"]),
        image_side=(int(q["image_side"][0]), int(q["image_side"][1])),
        bits_stored=tuple(int(b) for b in q["bits_stored"]),
        photometric=tuple(q["photometric"]),
        blur_sigma=_pair(q["blur_sigma_pixels"]),
        lateral_mag_diff=_pair(q["lateral_magnification_difference"]),
        extras=tuple(q.get("extras", ())),
    )
    designs = {k: _design(k, t) for k, t in raw["designs"].items()}
    return DesignFile(common=common, designs=designs, anatomy=anatomy, acquisition=acq)


def draw(rng: np.random.Generator, r: Range) -> float:
    """A uniform sample of a design-file range."""
    return float(rng.uniform(r[0], r[1]))
