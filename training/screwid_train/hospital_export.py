"""`export`: a trained and evaluated run to a model pack the app loads.

ONNX (checked against PyTorch under onnxruntime), self-test vectors with PyTorch's outputs
(checked under tract by `screwid check-pack`), the model card, plots, metrics and the manifest.
The pack is assembled beside `out` and moved into place only when complete."""

from __future__ import annotations

import json
import logging
import pickle
import shutil
from pathlib import Path

import numpy as np
import torch

from screwid_train.export import export_onnx, sha256_file, write_manifest
from screwid_train.hospital import load_dataset
from screwid_train.hospital_card import trained_on
from screwid_train.hospital_train import MODEL_NAMES, RunConfig, load_models
from screwid_train.scale import with_scale_np
from screwid_train.selftest import (
    SHAPES,
    check_with_onnxruntime,
    normalise,
    random_input,
    write_selftest,
)
from screwid_train.split import read_split

logger = logging.getLogger(__name__)

EVAL_FILES = ("MODEL_CARD.md", "metrics.json", "confusion.png", "reliability.png")
# Which prepared array gives each model a real input for its self-test vector.
REAL_INPUT = {
    "view": "ap_small",
    "detector": "ap_det",
    "classifier_ap": "ap_crops",
    "classifier_lateral": "lateral_crops",
}


def _inputs(run: Path, rc: RunConfig) -> dict[str, list[np.ndarray]]:
    """A random input and a real one (a validation or training image) per model; the
    classifiers' with their scale plane when they take one."""
    arrays = pickle.loads((run / "data" / "arrays.pkl").read_bytes())["arrays"]
    real = arrays.get("val") or arrays["train"]
    out = {}
    for k, name in enumerate(MODEL_NAMES):
        classifier = name.startswith("classifier_")
        c, (w, h) = (2 if classifier and rc.scale else 1), _size(name, rc)
        xs = [random_input(name, k, (c, h, w))]
        a = real[REAL_INPUT[name]]
        if len(a):
            x = normalise(a[0])
            if c == 2:
                x = with_scale_np(x, float(real[f"{name.removeprefix('classifier_')}_crop_mm"][0]))
            xs.append(x)
        out[name] = xs
    return out


def _size(name: str, rc: RunConfig) -> tuple[int, int]:
    """(width, height) of a model's input."""
    if name.startswith("classifier_"):
        return rc.crop_size, rc.crop_size
    return SHAPES[name]


def _summary(m: dict) -> dict:
    def row(t: dict | None) -> dict | None:
        return None if t is None else {k: round(t[k], 4) for k in ("n", "accuracy", "f1")}

    return {
        "evaluated_on": m["evaluated_on"],
        "per_screw": {v: row(m["per_screw"][v]) for v in ("ap", "lateral", "both")},
        "per_patient": {v: row(m["per_patient"][v]) for v in ("ap", "lateral", "both")},
        "set_accuracy": m["set_accuracy"],
        "detection_map50": {v: m["detection"][v]["map50"] for v in ("ap", "lateral")},
    }


def export_run(run: Path, out: Path, name: str, version: str) -> dict:
    rc = RunConfig.read(run)
    info = json.loads((run / "train.json").read_text())
    if not (run / "eval" / "metrics.json").exists():
        raise FileNotFoundError(f"run `screwid-train evaluate` on this run first: {run}")
    m = json.loads((run / "eval" / "metrics.json").read_text())
    classes = info["classes"]
    models = load_models(run, len(classes), rc.scale)
    tmp = out.parent / f".{out.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    diffs = {}
    for n in MODEL_NAMES:
        w, h = _size(n, rc)
        channels = getattr(models[n], "in_channels", 1)
        diffs[n] = export_onnx(models[n], tmp / f"{n}.onnx", w, h, channels)

    def torch_run(n: str, x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return models[n](torch.from_numpy(x)).numpy()

    extra = write_selftest(tmp, _inputs(run, rc), torch_run, f"pytorch {torch.__version__}")
    for f in EVAL_FILES:
        shutil.copy2(run / "eval" / f, tmp / f)
    data, _ = load_dataset(Path(rc.data))
    assign = read_split(Path(rc.split), data)
    write_manifest(
        tmp,
        classes,
        info["temperatures"],
        m["thresholds"],
        _summary(m),
        version,
        name=name,
        trained_on=trained_on(data, assign, info),
        extra=extra,
        hflip=rc.train_config().screw_hflip,
    )
    worst = check_with_onnxruntime(tmp)
    verify_pack(tmp)
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    return {"onnx_vs_torch": diffs, "selftest_onnxruntime_max_diff": worst}


def verify_pack(pack: Path) -> dict:
    """Load a pack's manifest back and check every checksum (what the app does first)."""
    manifest = json.loads((pack / "manifest.json").read_text())
    if manifest.get("format") != "screwid.pack/1":
        raise ValueError(f"not a screwid.pack/1 manifest: {pack}")
    for f, h in manifest["sha256"].items():
        if sha256_file(pack / f) != h:
            raise ValueError(f"checksum mismatch: {pack / f}")
    for spec in manifest["models"].values():
        if spec["file"] not in manifest["sha256"]:
            raise ValueError(f"no checksum for {spec['file']}: {pack}")
    return manifest
