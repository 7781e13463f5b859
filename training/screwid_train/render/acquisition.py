"""Acquisition: camera set-up, detector physics (blur, quantum noise), window, extras."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy.ndimage import gaussian_filter

from screwid_train.designs import Acquisition
from screwid_train.render.projection import Camera

logger = logging.getLogger(__name__)

A_SAT = 8.0  # log-attenuation at which the detector bottoms out
METAL_WIRE_MU = 0.45


@dataclass(frozen=True)
class ViewParams:
    """Everything about one exposure that is not the patient."""

    view: str
    modality: str
    width: int
    height: int
    pixel_spacing: float
    bits_stored: int
    photometric: str
    photons: float  # mean photons per full-resolution pixel without attenuation
    blur_sigma: float  # full-resolution pixels
    roll_deg: float
    yaw_deg: float  # patient rotation about the long axis: real laterals are rarely true
    flip: bool
    iso_offset: tuple[float, float]  # mm in the detector plane
    src_dist: float
    det_dist: float
    window_extra: float  # log-attenuation above the anatomy kept inside the window
    window_low: float
    extras: tuple[str, ...]
    extras_seed: int


def sample_view_params(view: str, acq: Acquisition, rng: np.random.Generator) -> ViewParams:
    extras = tuple(e for e in acq.extras if rng.uniform() < 0.35)
    return ViewParams(
        view=view,
        modality=str(rng.choice(["CR", "DX"])),
        width=int(rng.integers(acq.image_side[0], acq.image_side[1] + 1)),
        height=int(rng.integers(acq.image_side[0], acq.image_side[1] + 1)),
        pixel_spacing=float(rng.uniform(*acq.pixel_spacing)),
        bits_stored=int(rng.choice(acq.bits_stored)),
        photometric=str(rng.choice(acq.photometric)),
        photons=float(np.exp(rng.uniform(np.log(5000), np.log(50000)))),
        blur_sigma=float(rng.uniform(*acq.blur_sigma_pixels)),
        roll_deg=float(rng.uniform(-15, 15)),
        yaw_deg=float(rng.uniform(-6, 6) if view == "lateral" else rng.uniform(-4, 4)),
        flip=bool(rng.uniform() < 0.2),
        iso_offset=(float(rng.uniform(-25, 25)), float(rng.uniform(-25, 25))),
        src_dist=float(rng.uniform(900, 1100)),
        det_dist=float(rng.uniform(10, 50)),
        window_extra=float(rng.uniform(1.0, 4.0)),
        window_low=float(rng.uniform(-0.3, 0.4)),
        extras=extras,
        extras_seed=int(rng.integers(0, 2**31)),
    )


def view_axes(
    view: str, roll_deg: float, flip: bool, yaw_deg: float = 0.0
) -> tuple[np.ndarray, ...]:
    """Beam, image-x and image-y directions of an AP or a lateral view.

    `yaw_deg` turns the beam about the body's long axis (z): a patient rotated by a few
    degrees, which is what separates the left and right screws on most real laterals.
    """
    if view == "ap":
        beam, eu, ev = np.array([0.0, 1, 0]), np.array([1.0, 0, 0]), np.array([0.0, 0, -1])
    else:
        beam, eu, ev = np.array([1.0, 0, 0]), np.array([0.0, -1, 0]), np.array([0.0, 0, -1])
    y = np.radians(yaw_deg)
    turn = np.array([[np.cos(y), -np.sin(y), 0.0], [np.sin(y), np.cos(y), 0.0], [0.0, 0.0, 1.0]])
    beam, eu = turn @ beam, turn @ eu
    if flip:
        eu = -eu
    r = np.radians(roll_deg)
    eu, ev = np.cos(r) * eu + np.sin(r) * ev, -np.sin(r) * eu + np.cos(r) * ev
    return beam, eu, ev


def make_camera(p: ViewParams, iso: np.ndarray, scale: float) -> Camera:
    """Camera for rendering at `scale` times the stored resolution (boxes follow)."""
    beam, eu, ev = view_axes(p.view, p.roll_deg, p.flip, p.yaw_deg)
    width, height = max(8, round(p.width * scale)), max(8, round(p.height * scale))
    ps = p.pixel_spacing * p.width / width
    sid = p.src_dist + p.det_dist
    centre = iso + (p.iso_offset[0] * eu + p.iso_offset[1] * ev) / (sid / p.src_dist)
    return Camera(
        iso=centre,
        beam=beam,
        eu=eu,
        ev=ev,
        src_dist=p.src_dist,
        sid=sid,
        pixel_spacing=ps,
        width=width,
        height=height,
        cx=width / 2,
        cy=height / 2,
    )


def gain_field(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Smooth exposure gradient (heel effect)."""
    H, W = shape
    gy, gx = rng.uniform(-0.15, 0.15, size=2)
    y = np.linspace(-1, 1, H, dtype=np.float32)[:, None]
    x = np.linspace(-1, 1, W, dtype=np.float32)[None, :]
    return (1.0 + gx * x + gy * y).astype(np.float32)


def expose(atten: np.ndarray, p: ViewParams, scale: float, seed: int) -> np.ndarray:
    """Quantum-limited detector: observed log-attenuation in [0, A_SAT].

    Noise is the Gaussian form of Poisson noise (variance = mean) from a fixed normal field, so
    that two renders that differ in some pixels keep identical noise everywhere else.
    """
    rng = np.random.default_rng(seed)
    n0 = p.photons / (scale * scale)
    field = n0 * gain_field(atten.shape, rng)
    counts = field * np.exp(-atten.astype(np.float32))
    sigma = p.blur_sigma * scale
    if sigma > 0.3:
        counts = gaussian_filter(counts, sigma)
    z = rng.standard_normal(atten.shape, dtype=np.float32)
    counts = counts + np.sqrt(np.maximum(counts, 0)) * z
    floor = n0 * np.exp(-A_SAT)
    obs = -np.log(np.maximum(counts, floor) / field)
    return np.clip(obs, 0.0, A_SAT).astype(np.float32)


def quantise(obs: np.ndarray, p: ViewParams) -> np.ndarray:
    """Observed log-attenuation to stored pixel values of the view's bit depth."""
    top = 2**p.bits_stored - 1
    gain = top * 0.92 / A_SAT
    val = np.rint(top * 0.03 + gain * obs)
    val = np.clip(val, 0, top)
    if p.photometric == "MONOCHROME1":
        val = top - val
    return val.astype(np.uint16)


def window_for(anatomy: np.ndarray, p: ViewParams) -> tuple[float, float]:
    """Window centre and width (stored units, DICOM LINEAR) from the anatomy alone."""
    top = 2**p.bits_stored - 1
    gain = top * 0.92 / A_SAT
    lo_a, hi_a = np.percentile(anatomy[::4, ::4], [2.0, 99.5])
    lo_a = max(lo_a + p.window_low * (hi_a - lo_a), 0.0)
    hi_a = min(hi_a + p.window_extra, A_SAT)
    lo, hi = top * 0.03 + gain * lo_a, top * 0.03 + gain * hi_a
    if p.photometric == "MONOCHROME1":
        lo, hi = top - hi, top - lo
    width = round(hi - lo + 1.0, 2)
    centre = round((lo + hi) / 2.0 + 0.5, 2)
    return centre, width


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):
        return ImageFont.load_default()


def marker_x(p: ViewParams, letter: str, inset: float) -> float:
    """Left edge of a side marker as a share of the image width.

    On an AP film the radiographer puts "R" on the patient's right, which is the viewer's
    left unless the image is mirrored; on a lateral the letter names the side against the
    detector and may sit anywhere.
    """
    if p.view != "ap":
        return inset * 2
    patient_right_on_left = not p.flip
    on_left = (letter == "R") == patient_right_on_left
    return inset if on_left else 1.0 - inset - 0.05


def extras_layer(shape: tuple[int, int], p: ViewParams, scale: float) -> np.ndarray:
    """Attenuation of collimators, side marker, skin staples and ECG leads (design-free)."""
    rng = np.random.default_rng(p.extras_seed)
    H, W = shape
    layer = Image.new("F", (W, H), 0.0)
    draw = ImageDraw.Draw(layer)
    px = 1.0 / (p.pixel_spacing / scale)  # pixels per mm at the render scale
    if "side_marker" in p.extras:
        size = int(max(10, 14 * px))
        letter = str(rng.choice(["L", "R"]))
        x = marker_x(p, letter, float(rng.uniform(0.05, 0.4))) * W
        y = rng.uniform(0.03, 0.15) * H
        draw.text((x, y), letter, fill=3.0, font=_font(size))
    if "skin_staples" in p.extras:
        x0, y0 = rng.uniform(0.35, 0.65) * W, rng.uniform(0.1, 0.3) * H
        step = rng.uniform(8, 12) * px
        for k in range(int(rng.integers(6, 16))):
            y = y0 + k * step
            xs = x0 + rng.normal(0, 1.5 * px)
            wid = max(1, int(0.6 * px))
            draw.line([(xs - 3 * px, y), (xs + 3 * px, y)], fill=METAL_WIRE_MU * 0.6, width=wid)
    if "ecg_leads" in p.extras:
        for _ in range(int(rng.integers(1, 4))):
            cx, cy = rng.uniform(0.1, 0.9) * W, rng.uniform(0.05, 0.5) * H
            r = 5 * px
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=0.8)
            pts = [(cx, cy)]
            for _ in range(8):
                pts.append((pts[-1][0] + rng.normal(0, 25 * px), pts[-1][1] + 20 * px))
            draw.line(pts, fill=0.35, width=max(1, int(1.2 * px)))
    out = np.asarray(layer, dtype=np.float32)
    if "collimation_edges" in p.extras:
        m = (rng.uniform(0, 0.08, size=4) * np.array([W, H, W, H])).astype(int)
        mask = np.ones((H, W), dtype=bool)
        mask[m[1] : H - m[3], m[0] : W - m[2]] = False
        out = np.where(mask, A_SAT * rng.uniform(0.75, 1.0), out)
    return out


def burn_text(stored: np.ndarray, p: ViewParams, scale: float) -> np.ndarray:
    """Burned-in annotation text at the display's white level."""
    if "burned_in_text" not in p.extras:
        return stored
    rng = np.random.default_rng(p.extras_seed + 1)
    top = 2**p.bits_stored - 1
    white = 0 if p.photometric == "MONOCHROME1" else top
    img = Image.fromarray(stored.astype(np.int32), mode="I")
    draw = ImageDraw.Draw(img)
    size = max(8, int(stored.shape[0] * 0.02))
    lines = ["PHANTOM", f"{p.view.upper()} {p.modality}", f"kVp {int(rng.integers(70, 95))}"]
    x, y = int(stored.shape[1] * rng.uniform(0.02, 0.1)), int(stored.shape[0] * 0.85)
    for k, text in enumerate(lines):
        draw.text((x, y + k * size * 1.2), text, fill=white, font=_font(size))
    del scale
    return np.asarray(img, dtype=np.int32).astype(np.uint16)
