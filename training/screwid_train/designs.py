"""Load the phantom design file (`assets/phantom/designs.toml`) into typed dataclasses."""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

Range = tuple[float, float]

# Density in g/cm3 as the design file states it.
MATERIAL_DENSITY: dict[str, float] = {
    "titanium": 4.4,
    "cobalt_chrome": 7.8,
    "stainless_steel": 7.9,
}

TRAINING_DESIGNS: tuple[str, ...] = ("medtronic", "nuvasive", "stryker")
UNSEEN_DESIGN = "unseen"


def repo_root() -> Path:
    """The project checkout that holds `training/`, `assets/` and `models/`."""
    return Path(__file__).resolve().parents[2]


def default_designs_path() -> Path:
    """The project copy of the design file, which the toolkit reads."""
    return repo_root() / "assets" / "phantom" / "designs.toml"


@dataclass(frozen=True)
class Design:
    """One screw system: everything that may differ between the classes."""

    key: str
    label: str
    thread_pitch: Range
    thread_pitch_distal: Range | None
    thread_leads: int
    thread_profile: str
    core_ratio: Range
    core_shape: str
    tip_taper_length: Range
    tulip_height: Range
    tulip_width: Range
    head_sphere_diameter: Range
    closure: str
    rod_diameter: float
    rod_cobalt_chrome_share: float


@dataclass(frozen=True)
class Common:
    outer_diameter_lumbar: Range
    outer_diameter_thoracic: Range
    length_lumbar: Range
    length_thoracic: Range
    screw_material: str
    rod_material_choices: tuple[str, ...]


@dataclass(frozen=True)
class Anatomy:
    levels: tuple[str, ...]
    instrumented_levels: tuple[int, int]
    sacral_screw_share: float
    crosslink_share: float
    interbody_cage_share: float
    mixed_construct_share: float
    ap_convergence: Range
    sagittal_tilt: Range


@dataclass(frozen=True)
class Acquisition:
    pixel_spacing: Range
    image_side: tuple[int, int]
    bits_stored: tuple[int, ...]
    photometric: tuple[str, ...]
    noise: str
    blur_sigma_pixels: Range
    lateral_magnification_difference: Range
    extras: tuple[str, ...]


@dataclass(frozen=True)
class DesignFile:
    common: Common
    designs: dict[str, Design]
    anatomy: Anatomy
    acquisition: Acquisition

    def labels(self, keys: tuple[str, ...] = TRAINING_DESIGNS) -> list[str]:
        """Class names in the order of `keys`."""
        return [self.designs[k].label for k in keys]


def _range(value: list[float]) -> Range:
    if len(value) != 2:
        raise ValueError(f"expected a [low, high] pair, got {value!r}")
    return (float(value[0]), float(value[1]))


def _design(key: str, raw: dict) -> Design:
    distal = raw.get("thread_pitch_distal")
    return Design(
        key=key,
        label=str(raw["label"]),
        thread_pitch=_range(raw["thread_pitch"]),
        thread_pitch_distal=_range(distal) if distal is not None else None,
        thread_leads=int(raw["thread_leads"]),
        thread_profile=str(raw["thread_profile"]),
        core_ratio=_range(raw["core_ratio"]),
        core_shape=str(raw["core_shape"]),
        tip_taper_length=_range(raw["tip_taper_length"]),
        tulip_height=_range(raw["tulip_height"]),
        tulip_width=_range(raw["tulip_width"]),
        head_sphere_diameter=_range(raw["head_sphere_diameter"]),
        closure=str(raw["closure"]),
        rod_diameter=float(raw["rod_diameter"]),
        rod_cobalt_chrome_share=float(raw["rod_cobalt_chrome_share"]),
    )


def parse_designs(raw: dict) -> DesignFile:
    """Build the typed design file from the parsed TOML table."""
    c = raw["common"]
    common = Common(
        outer_diameter_lumbar=_range(c["outer_diameter_lumbar"]),
        outer_diameter_thoracic=_range(c["outer_diameter_thoracic"]),
        length_lumbar=_range(c["length_lumbar"]),
        length_thoracic=_range(c["length_thoracic"]),
        screw_material=str(c["screw_material"]),
        rod_material_choices=tuple(c["rod_material_choices"]),
    )
    a = raw["anatomy"]
    anatomy = Anatomy(
        levels=tuple(a["levels"]),
        instrumented_levels=(int(a["instrumented_levels"][0]), int(a["instrumented_levels"][1])),
        sacral_screw_share=float(a["sacral_screw_share"]),
        crosslink_share=float(a["crosslink_share"]),
        interbody_cage_share=float(a["interbody_cage_share"]),
        mixed_construct_share=float(a["mixed_construct_share"]),
        ap_convergence=_range(a["ap_convergence"]),
        sagittal_tilt=_range(a["sagittal_tilt"]),
    )
    q = raw["acquisition"]
    acquisition = Acquisition(
        pixel_spacing=_range(q["pixel_spacing"]),
        image_side=(int(q["image_side"][0]), int(q["image_side"][1])),
        bits_stored=tuple(int(b) for b in q["bits_stored"]),
        photometric=tuple(q["photometric"]),
        noise=str(q["noise"]),
        blur_sigma_pixels=_range(q["blur_sigma_pixels"]),
        lateral_magnification_difference=_range(q["lateral_magnification_difference"]),
        extras=tuple(q["extras"]),
    )
    designs = {k: _design(k, v) for k, v in raw["designs"].items()}
    return DesignFile(common=common, designs=designs, anatomy=anatomy, acquisition=acquisition)


def load_designs(path: Path | None = None) -> DesignFile:
    """Read and parse a design file (the project copy by default)."""
    path = path or default_designs_path()
    with path.open("rb") as f:
        raw = tomllib.load(f)
    logger.debug("loaded %d designs from %s", len(raw.get("designs", {})), path)
    return parse_designs(raw)
