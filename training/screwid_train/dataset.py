"""Render phantom patients into training arrays (multiprocessing) and split them by patient."""

from __future__ import annotations

import logging
import multiprocessing as mp
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from screwid_train.designs import TRAINING_DESIGNS, UNSEEN_DESIGN, DesignFile, load_designs
from screwid_train.imaging import crop_mm_per_pixel, jitter_box, letterbox, screw_crop
from screwid_train.render.others import render_other
from screwid_train.render.patient import sample_patient
from screwid_train.render.scene import render_patient
from screwid_train.render.variants import OTHER_LABEL, VARIANT_KEY, with_variant

logger = logging.getLogger(__name__)

VIEWS = ("ap", "lateral")
SEED_STRIDE = 100_000
UNSEEN_SEED_BASE = 8_000_000
OTHER_SEED_BASE = 7_000_000
SAMPLE_SEED_BASE = 9_000_000
VARIANT_SEED_BASE = 6_000_000


@dataclass(frozen=True)
class DataConfig:
    # A larger test share than the founding study's 20 % so that the test split has at
    # least 200 patients within a render budget of a few tens of minutes on 2 cores.
    patients: int = 800
    train_share: float = 0.6
    val_share: float = 0.1
    variants: int = 150  # patients with a random "other" design (train 80 %, val 20 %)
    others: int = 480
    unseen: int = 64
    long_side: int = 1024
    det_size: int = 512
    view_size: int = 128
    # 128, not 96: at 96 a lateral screw's thread (2.3-3.1 mm) spanned 3-4 crop pixels.
    crop_size: int = 128
    crop_margin: float = 0.15
    crop_jitters: int = 3
    workers: int = 2
    seed: int = 0


def patient_designs(seed: int, index: int, mixed_share: float) -> tuple[str, ...]:
    """Round-robin primary design; a share of patients get a second design (mixed)."""
    primary = TRAINING_DESIGNS[index % len(TRAINING_DESIGNS)]
    rng = np.random.default_rng([seed, index, 11])
    if rng.uniform() >= mixed_share:
        return (primary,)
    other = [d for d in TRAINING_DESIGNS if d != primary][int(rng.integers(0, 2))]
    return (primary, other) if rng.uniform() < 0.5 else (other, primary)


def split_patients(
    n: int, seed: int, train_share: float = 0.65, val_share: float = 0.15
) -> dict[str, list[int]]:
    """Patient-level split (train / val / rest for test), stratified by primary design."""
    rng = np.random.default_rng([seed, 99])
    out: dict[str, list[int]] = {"train": [], "val": [], "test": []}
    for k in range(len(TRAINING_DESIGNS)):
        ids = np.array([i for i in range(n) if i % len(TRAINING_DESIGNS) == k])
        rng.shuffle(ids)
        n_tr, n_va = round(train_share * len(ids)), round(val_share * len(ids))
        out["train"] += ids[:n_tr].tolist()
        out["val"] += ids[n_tr : n_tr + n_va].tolist()
        out["test"] += ids[n_tr + n_va :].tolist()
    return {k: sorted(v) for k, v in out.items()}


@dataclass(frozen=True)
class _Job:
    index: int
    seed: int
    designs: tuple[str, ...]
    patient_id: str
    cfg: DataConfig
    keep_display: bool
    designs_path: str | None


def view_arrays(
    disp: np.ndarray,
    boxes: list[tuple[float, float, float, float]],
    labels: list[str],
    cfg: DataConfig,
    rng: np.random.Generator,
    keep_display: bool,
    spacing: float | None,
) -> dict:
    """One image's training arrays: detector and view inputs, boxes in detector-input
    pixels, and screw crops (the true box, then jittered ones) with the millimetres each crop
    pixel spans (`spacing`: millimetres per pixel of `disp`; None when unknown)."""
    det, g = letterbox(disp, cfg.det_size, cfg.det_size)
    small, _ = letterbox(disp, cfg.view_size, cfg.view_size)
    det_boxes = np.array(
        [[*g.to_input(b[0], b[1]), *g.to_input(b[2], b[3])] for b in boxes], dtype=np.float32
    ).reshape(-1, 4)
    crops, crop_labels, crop_mm = [], [], []
    H, W = disp.shape
    for box, label in zip(boxes, labels, strict=True):
        jittered = [jitter_box(box, rng, 0.1) for _ in range(cfg.crop_jitters - 1)]
        for b in (box, *jittered):
            crops.append(screw_crop(disp, b, cfg.crop_size, cfg.crop_margin))
            crop_labels.append(label)
            crop_mm.append(crop_mm_per_pixel(b, W, H, cfg.crop_size, cfg.crop_margin, spacing))
    return {
        "det": det.astype(np.float16),
        "small": small.astype(np.float16),
        "boxes": det_boxes,
        "crops": np.array(crops, dtype=np.float16).reshape(-1, cfg.crop_size, cfg.crop_size),
        "crop_labels": crop_labels,
        "crop_mm": np.array(crop_mm, dtype=np.float32),
        "spacing": spacing,
        "screw_boxes": list(boxes),
        "screw_labels": list(labels),
        "display": disp.astype(np.float16) if keep_display else None,
    }


def _render_job(job: _Job) -> dict:
    df = load_designs(Path(job.designs_path) if job.designs_path else None)
    if job.designs == (VARIANT_KEY,):
        df = with_variant(df, job.seed)
    spec = sample_patient(df, job.seed, job.designs, job.patient_id)
    views = render_patient(spec, long_side=job.cfg.long_side)
    rng = np.random.default_rng([job.seed, 21])
    out: dict = {"index": job.index, "labels": spec.labels, "mixed": spec.mixed, "views": {}}
    for name, rv in views.items():
        boxes = [s.box for s in rv.screws]
        labels = [s.label for s in rv.screws]
        out["views"][name] = view_arrays(
            rv.display(), boxes, labels, job.cfg, rng, job.keep_display, rv.pixel_spacing
        )
    return out


def _run(jobs: list[_Job], workers: int, desc: str) -> list[dict]:
    if workers <= 1:
        return [_render_job(j) for j in tqdm(jobs, desc=desc)]
    with mp.get_context("fork").Pool(workers) as pool:
        return list(tqdm(pool.imap(_render_job, jobs, chunksize=2), total=len(jobs), desc=desc))


def _pack(results: list[dict], cfg: DataConfig, label_names: list[str]) -> dict[str, np.ndarray]:
    """Stack rendered patients into arrays keyed per view."""
    arrays: dict[str, list] = {}
    for r in results:
        for view in VIEWS:
            v = r["views"][view]
            arrays.setdefault(f"{view}_det", []).append(v["det"])
            arrays.setdefault(f"{view}_small", []).append(v["small"])
            arrays.setdefault(f"{view}_boxes", []).append(v["boxes"])
            arrays.setdefault(f"{view}_crops", []).append(v["crops"])
            # Hospital arrays (hospital_train.py) carry no scales yet.
            mm = v.get("crop_mm", np.full(len(v["crops"]), np.nan, dtype=np.float32))
            arrays.setdefault(f"{view}_crop_mm", []).append(mm)
            lab = [label_names.index(x) if x in label_names else -1 for x in v["crop_labels"]]
            arrays.setdefault(f"{view}_crop_labels", []).append(np.array(lab, dtype=np.int64))
            arrays.setdefault(f"{view}_crop_patient", []).append(
                np.full(len(lab), r["index"], dtype=np.int64)
            )
    out: dict[str, np.ndarray] = {}
    for view in VIEWS:
        out[f"{view}_det"] = np.stack(arrays[f"{view}_det"])
        out[f"{view}_small"] = np.stack(arrays[f"{view}_small"])
        out[f"{view}_crops"] = np.concatenate(arrays[f"{view}_crops"])
        out[f"{view}_crop_mm"] = np.concatenate(arrays[f"{view}_crop_mm"])
        out[f"{view}_crop_labels"] = np.concatenate(arrays[f"{view}_crop_labels"])
        out[f"{view}_crop_patient"] = np.concatenate(arrays[f"{view}_crop_patient"])
        boxes = arrays[f"{view}_boxes"]
        out[f"{view}_box_count"] = np.array([len(b) for b in boxes], dtype=np.int64)
        out[f"{view}_boxes"] = np.concatenate(boxes).astype(np.float32)
    out["patient"] = np.array([r["index"] for r in results], dtype=np.int64)
    return out


def build_patients(
    cfg: DataConfig,
    df: DesignFile,
    designs_path: Path | None,
) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, list[dict]]]:
    """Render every patient; returns arrays per split and the raw results (for evaluation).

    Patients of a random variant design ("other design" class) come after the known ones and
    go to train and val only: the test split is about the three known designs.
    """
    splits = split_patients(cfg.patients, cfg.seed, cfg.train_share, cfg.val_share)
    dp = str(designs_path) if designs_path else None
    jobs = []
    for i in range(cfg.patients):
        designs = patient_designs(cfg.seed, i, df.anatomy.mixed_construct_share)
        split = next(k for k, v in splits.items() if i in v)
        jobs.append(
            _Job(
                i,
                cfg.seed * SEED_STRIDE + i,
                designs,
                f"T{i:04d}",
                cfg,
                split in ("val", "test"),
                dp,
            )
        )
    for k, job in enumerate(_variant_jobs(cfg, dp)):
        splits["train" if k % 5 else "val"].append(job.index)
        jobs.append(job)
    results = _run(jobs, cfg.workers, "render patients")
    labels = [*df.labels(), OTHER_LABEL]
    by_split = {k: [r for r in results if r["index"] in set(v)] for k, v in splits.items()}
    arrays = {k: _pack(v, cfg, labels) for k, v in by_split.items()}
    return arrays, by_split


def _variant_jobs(cfg: DataConfig, designs_path: str | None) -> list[_Job]:
    """`cfg.variants` patients of random variant designs, indexed after the known ones; one
    in five is a validation patient (and keeps its display)."""
    return [
        _Job(
            cfg.patients + k,
            VARIANT_SEED_BASE + cfg.seed * 10_000 + k,
            (VARIANT_KEY,),
            f"V{k:04d}",
            cfg,
            k % 5 == 0,
            designs_path,
        )
        for k in range(cfg.variants)
    ]


def build_variants(cfg: DataConfig, designs_path: Path | None) -> dict[str, list[dict]]:
    """The variant-design patients of `build_patients` on their own, by split (train, val),
    for adding the "other design" class to data rendered without it."""
    results = _run(
        _variant_jobs(cfg, str(designs_path) if designs_path else None),
        cfg.workers,
        "render variants",
    )
    return {
        "train": [r for k, r in enumerate(results) if k % 5],
        "val": [r for k, r in enumerate(results) if k % 5 == 0],
    }


def build_unseen(cfg: DataConfig, df: DesignFile, designs_path: Path | None) -> list[dict]:
    dp = str(designs_path) if designs_path else None
    jobs = [
        _Job(
            i, UNSEEN_SEED_BASE + cfg.seed * 1000 + i, (UNSEEN_DESIGN,), f"U{i:03d}", cfg, True, dp
        )
        for i in range(cfg.unseen)
    ]
    return _run(jobs, cfg.workers, "render unseen")


def _other_job(args: tuple[int, int, int]) -> np.ndarray:
    seed, size, long_side = args
    _, img = render_other(seed, long_side)
    small, _ = letterbox(img, size, size)
    return small.astype(np.float16)


def build_others(cfg: DataConfig) -> np.ndarray:
    args = [
        (OTHER_SEED_BASE + cfg.seed * 10_000 + i, cfg.view_size, 640) for i in range(cfg.others)
    ]
    if cfg.workers <= 1:
        out = [_other_job(a) for a in tqdm(args, desc="render others")]
    else:
        with mp.get_context("fork").Pool(cfg.workers) as pool:
            out = list(
                tqdm(
                    pool.imap(_other_job, args, chunksize=8), total=len(args), desc="render others"
                )
            )
    return np.stack(out)
