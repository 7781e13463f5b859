"""`train`: the four models on a hospital dataset, seeded and resumable from a run folder.

A run folder RUN holds:
    run.json                 what was asked (data folder, split, seed, steps): fixed at start
    data/arrays.pkl          model inputs prepared from the images (read once)
    checkpoints/<model>.pt   the loop state while a model trains (see checkpoint.py)
    models/<model>.pt        the finished weights
    train.json               classes, temperatures, counts, seconds (once all four are done)
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from screwid_train.checkpoint import StepCheckpoint
from screwid_train.dataset import DataConfig, _pack, build_others
from screwid_train.hospital import (
    VIEWS,
    HospitalData,
    Patient,
    load_dataset,
    read_display,
    read_spacing,
)
from screwid_train.imaging import crop_mm_per_pixel, jitter_box, letterbox, screw_crop
from screwid_train.models import Detector, screw_model, view_model
from screwid_train.scale import spacing_or_assumed
from screwid_train.split import read_split
from screwid_train.train import (
    TrainConfig,
    fit_temperature,
    predict_logits,
    train_detector,
    train_screw,
    train_view,
)

logger = logging.getLogger(__name__)

MODEL_NAMES = ("view", "detector", "classifier_ap", "classifier_lateral")


@dataclass(frozen=True)
class RunConfig:
    data: str
    split: str
    seed: int = 0
    # The screw classifiers take 128-px crops and their scale (scale.py), as the bundled
    # pack's: the spacing comes from each DICOM, and a PNG / JPEG gets the app's assumption.
    train: dict = field(default_factory=lambda: asdict(TrainConfig()))
    others: str | None = None  # folder of non-spine images for the view model's "other"
    rendered_others: int = 240  # phantom non-spine renders added to "other"
    crop_jitters: int = 3
    checkpoint_every: int = 50
    # Runs started before the scale channel had 96-px crops (and `screw_scale` false).
    crop_size: int = 128

    @property
    def scale(self) -> bool:
        """Whether the screw classifiers take the crop's scale as a second channel."""
        return bool(self.train.get("screw_scale", False))

    @classmethod
    def read(cls, run: Path) -> RunConfig:
        """The settings a run was started with (its run.json)."""
        saved = json.loads((run / "run.json").read_text())
        saved.setdefault("crop_size", 96)  # written before crop_size was a setting
        saved["train"].setdefault("screw_hflip", False)  # ... and before mirror reading
        return cls(**saved)

    def train_config(self) -> TrainConfig:
        return TrainConfig(**{**self.train, "seed": self.seed, "parallel": False})


def _patient_arrays(
    index: int, p: Patient, classes: list[str], cfg: DataConfig, rng: np.random.Generator
) -> dict:
    """Model inputs of one patient, in the layout `dataset._pack` stacks."""
    out: dict = {"index": index, "views": {}}
    for view in VIEWS:
        im = p.images[view]
        disp = read_display(im.path)
        det, g = letterbox(disp, cfg.det_size, cfg.det_size)
        small, _ = letterbox(disp, cfg.view_size, cfg.view_size)
        boxes = np.array(
            [[*g.to_input(b.x0, b.y0), *g.to_input(b.x1, b.y1)] for b in im.boxes],
            dtype=np.float32,
        ).reshape(-1, 4)
        H, W = disp.shape
        spacing = spacing_or_assumed(read_spacing(im.path), W, H)
        crops, labels, mm = [], [], []
        for b in im.boxes:
            for k in range(cfg.crop_jitters):
                box = b.xyxy() if k == 0 else jitter_box(b.xyxy(), rng, 0.1)
                crops.append(screw_crop(disp, box, cfg.crop_size, cfg.crop_margin))
                labels.append(b.label)
                mm.append(crop_mm_per_pixel(box, W, H, cfg.crop_size, cfg.crop_margin, spacing))
        out["views"][view] = {
            "det": det.astype(np.float16),
            "small": small.astype(np.float16),
            "boxes": boxes,
            "crops": np.array(crops, dtype=np.float16).reshape(-1, cfg.crop_size, cfg.crop_size),
            "crop_labels": labels,
            "crop_mm": np.array(mm, dtype=np.float32),
        }
    return out


def _other_images(folder: Path | None, size: int) -> list[np.ndarray]:
    if folder is None:
        return []
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    out = []
    for f in tqdm(files, desc="read other images"):
        try:
            out.append(letterbox(read_display(f), size, size)[0].astype(np.float16))
        except Exception as e:  # a stray non-image file in the folder is skipped, not fatal
            logger.warning("skipping %s (%s)", f.name, e.__class__.__name__)
    return out


def prepare_arrays(data: HospitalData, assign: dict[str, str], rc: RunConfig) -> dict:
    """Train and validation arrays, and the "other" images of the view model."""
    cfg = DataConfig(
        seed=rc.seed,
        crop_jitters=rc.crop_jitters,
        others=rc.rendered_others,
        crop_size=rc.crop_size,
    )
    rng = np.random.default_rng([rc.seed, 31])
    patients = sorted(data.patients, key=lambda p: p.patient_id)
    results: dict[str, list[dict]] = {"train": [], "val": []}
    for k, p in enumerate(tqdm(patients, desc="read images")):
        split = assign[p.patient_id]
        if split in results:
            results[split].append(_patient_arrays(k, p, data.classes, cfg, rng))
    arrays = {s: _pack(r, cfg, data.classes) for s, r in results.items() if r}
    others = list(build_others(replace_workers(cfg))) if rc.rendered_others else []
    others += _other_images(Path(rc.others) if rc.others else None, cfg.view_size)
    if not others:
        raise ValueError("the view model needs 'other' images: keep --rendered-others > 0")
    return {"arrays": arrays, "others": np.stack(others)}


def replace_workers(cfg: DataConfig) -> DataConfig:
    from dataclasses import replace

    return replace(cfg, workers=1)


def _train_one(
    name: str,
    arrays: dict,
    others: np.ndarray,
    classes: int,
    rc: RunConfig,
    run: Path,
    stop_after: int | None,
) -> torch.nn.Module:
    cfg = rc.train_config()
    ckpt = StepCheckpoint(run / "checkpoints" / f"{name}.pt", rc.checkpoint_every, stop_after)
    train = arrays["train"]
    if name == "view":
        return train_view(train, others, cfg, ckpt)
    if name == "detector":
        return train_detector(train, cfg, ckpt)
    view = name.removeprefix("classifier_")
    return train_screw(train, view, cfg, classes, ckpt, scale=cfg.screw_scale)


def fresh_model(name: str, classes: int, scale: bool = False) -> torch.nn.Module:
    if name == "view":
        return view_model()
    if name == "detector":
        return Detector()
    return screw_model(classes, scale)


def load_models(run: Path, classes: int, scale: bool) -> dict[str, torch.nn.Module]:
    out = {}
    for name in MODEL_NAMES:
        m = fresh_model(name, classes, scale)
        m.load_state_dict(torch.load(run / "models" / f"{name}.pt", weights_only=True))
        out[name] = m.eval()
    return out


def _start(run: Path, rc: RunConfig, resume: bool) -> RunConfig:
    cfg_path = run / "run.json"
    if cfg_path.exists():
        if not resume:
            raise FileExistsError(
                f"this folder already holds a run; pass --resume to continue it or choose "
                f"another --out: {run}"
            )
        saved = RunConfig.read(run)
        if saved != rc:
            logger.warning("resuming with the settings the run was started with (run.json)")
        return saved
    if resume:
        raise FileNotFoundError(f"nothing to resume (no run.json): {run}")
    run.mkdir(parents=True, exist_ok=True)
    cfg_path.write_text(json.dumps(asdict(rc), indent=2) + "\n")
    return rc


def train_run(run: Path, rc: RunConfig, resume: bool, stop_after: int | None = None) -> dict:
    """Train what is not finished yet; returns train.json's content.

    Raises checkpoint.StopTrainingError when `stop_after` stops a model early."""
    t0 = time.time()
    rc = _start(run, rc, resume)
    cfg = rc.train_config()
    torch.set_num_threads(cfg.threads)
    data, issues = load_dataset(Path(rc.data))
    if issues:
        raise ValueError(f"{len(issues)} problem(s) in the dataset; run check-data: {rc.data}")
    assign = read_split(Path(rc.split), data)
    cache = run / "data" / "arrays.pkl"
    if cache.exists():
        prepared = pickle.loads(cache.read_bytes())
    else:
        prepared = prepare_arrays(data, assign, rc)
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, cache)  # a run killed while writing must not leave half a cache
    arrays, others = prepared["arrays"], prepared["others"].astype(np.float32)
    k = len(data.classes)
    for name in MODEL_NAMES:
        final = run / "models" / f"{name}.pt"
        if final.exists():
            continue
        model = _train_one(name, arrays, others, k, rc, run, stop_after)
        final.parent.mkdir(parents=True, exist_ok=True)
        torch.save(model.state_dict(), final)
    models = load_models(run, k, rc.scale)
    temps = {}
    for view in VIEWS:
        val = arrays.get("val")
        if val is None:
            temps[view] = 1.0
            continue
        mm = val[f"{view}_crop_mm"] if rc.scale else None
        crops = val[f"{view}_crops"].astype(np.float32)
        logits = predict_logits(
            models[f"classifier_{view}"], crops, mm_per_pixel=mm, hflip=cfg.screw_hflip
        )
        temps[view] = fit_temperature(logits, val[f"{view}_crop_labels"])
    summary = {
        "classes": data.classes,
        "temperatures": temps,
        "patients": {s: sum(v == s for v in assign.values()) for s in ("train", "val", "test")},
        "screws_train": {
            v: int((arrays["train"][f"{v}_crop_labels"] >= 0).sum() // rc.crop_jitters)
            for v in VIEWS
        },
        "others": len(others),
        "seconds_this_session": round(time.time() - t0),
    }
    (run / "train.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary
