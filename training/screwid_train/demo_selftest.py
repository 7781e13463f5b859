"""Self-test vectors for an existing pack whose PyTorch weights are gone (the bundled demo).

The reference outputs then come from onnxruntime on the pack's own ONNX files: `check-pack`
compares tract with onnxruntime, which still catches an engine that reads a graph differently
but cannot catch an export that was wrong from the start (that was checked at build time)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import onnxruntime as ort

from screwid_train.designs import load_designs
from screwid_train.export import sha256_file
from screwid_train.imaging import crop_mm_per_pixel, letterbox, screw_crop
from screwid_train.render.patient import sample_patient
from screwid_train.render.scene import render_patient
from screwid_train.scale import with_scale_np
from screwid_train.selftest import normalise, random_input, write_selftest

logger = logging.getLogger(__name__)

CARD_NOTE = (
    "\n## Self-test vectors\n\n"
    "`selftest/` holds a random and a rendered input per model with the outputs of "
    "onnxruntime {version} on these ONNX files (the PyTorch checkpoints of this pack were not "
    "kept), so `screwid check-pack` compares tract with onnxruntime here, not with PyTorch.\n"
)


def _real_inputs(shapes: dict[str, list]) -> dict[str, np.ndarray]:
    """One rendered phantom (a seed never used in training) as each model's real input
    [1, C, H, W], normalised; `shapes` are the models' input shapes."""
    spec = sample_patient(load_designs(), 9_500_001, ("stryker",), "ST01")
    views = render_patient(spec, long_side=1024)
    out = {
        "view": normalise(letterbox(views["ap"].display(), 128, 128)[0]),
        "detector": normalise(letterbox(views["ap"].display(), 512, 512)[0]),
    }
    for view in ("ap", "lateral"):
        rv, (_, c, size, _) = views[view], shapes[f"classifier_{view}"]
        disp, box = rv.display(), rv.screws[0].box
        x = normalise(screw_crop(disp, box, size))
        if c == 2:
            H, W = disp.shape
            x = with_scale_np(x, crop_mm_per_pixel(box, W, H, size, 0.15, rv.pixel_spacing))
        out[f"classifier_{view}"] = x
    return out


def add_selftest(pack: Path) -> int:
    """Write vectors into `pack`, note it in the card, rewrite the manifest's checksums;
    returns the number of vectors."""
    manifest = json.loads((pack / "manifest.json").read_text())
    sessions = {
        n: ort.InferenceSession(str(pack / spec["file"]), providers=["CPUExecutionProvider"])
        for n, spec in manifest["models"].items()
    }
    shapes = {n: s.get_inputs()[0].shape for n, s in sessions.items()}
    real = _real_inputs(shapes)
    inputs = {
        n: [random_input(n, k, tuple(shapes[n][1:])), real[n]] for k, n in enumerate(sessions)
    }
    extra = write_selftest(
        pack,
        inputs,
        lambda n, x: sessions[n].run(None, {"input": x})[0],
        f"onnxruntime {ort.__version__}",
    )
    card = pack / "MODEL_CARD.md"
    text = card.read_text()
    if "## Self-test vectors" not in text:
        card.write_text(text.rstrip("\n") + "\n" + CARD_NOTE.format(version=ort.__version__))
    sha = manifest.pop("sha256")
    manifest.update(extra)
    files = sorted(p for p in pack.rglob("*") if p.is_file() and p.name != "manifest.json")
    manifest["sha256"] = {p.relative_to(pack).as_posix(): sha256_file(p) for p in files}
    logger.info("checksums: %d before, %d after", len(sha), len(manifest["sha256"]))
    (pack / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return sum(len(v) for v in inputs.values())
