"""Training loops for the view classifier, the detector and the two screw classifiers."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from screwid_train.augment import affine, intensity, normalise, rotate_scale_boxes
from screwid_train.checkpoint import StepCheckpoint
from screwid_train.detector import detector_loss, make_targets
from screwid_train.models import Classifier, Detector, screw_model, view_model
from screwid_train.scale import jitter, with_scale

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    view_steps: int = 400
    view_batch: int = 64
    det_steps: int = 2500
    det_batch: int = 8
    det_crop: int = 256
    cls_steps: int = 3000
    cls_batch: int = 48
    lr: float = 2e-3
    # Known designs only; 4 adds the "other design" output (render/variants.py), which
    # pack 0.2.0 showed not to help (rescore.py).
    screw_outputs: int = 3
    # The crop's scale as a second classifier channel (scale.py); the hospital workflow
    # trains without it for now.
    screw_scale: bool = True
    # Read each screw as the mean of its crop's logits and its mirror image's (contract:
    # `average_hflip`); pack 0.4.0's classifiers: AP 95.5 -> 96.6 %, lateral 98.5 -> 98.9 %.
    screw_hflip: bool = True
    seed: int = 0
    threads: int = 2
    parallel: bool = True


def _schedule(opt: torch.optim.Optimizer, step: int, total: int, lr: float) -> None:
    warm = max(1, total // 20)
    f = step / warm if step < warm else 0.5 * (1 + np.cos(np.pi * (step - warm) / (total - warm)))
    for group in opt.param_groups:
        group["lr"] = lr * max(f, 0.02)


def _tensor(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))


def predict_logits(
    model: torch.nn.Module,
    images: np.ndarray,
    batch: int = 256,
    mm_per_pixel: np.ndarray | None = None,
    hflip: bool = False,
) -> np.ndarray:
    """Logits of a classifier; `mm_per_pixel` (one per image) for a scale-input model;
    `hflip`: the mean of the logits of each image and its mirror image."""
    model.eval()
    out = []
    with torch.no_grad():
        for k in range(0, len(images), batch):
            x = normalise(_tensor(images[k : k + batch])[:, None])
            if mm_per_pixel is not None:
                x = with_scale(x, _tensor(mm_per_pixel[k : k + batch]))
            logits = model(x)
            if hflip:
                logits = (logits + model(torch.flip(x, dims=[3]))) / 2
            out.append(logits.numpy())
    return np.concatenate(out) if out else np.zeros((0, 3), dtype=np.float32)


def train_classifier(
    model: Classifier,
    images: np.ndarray,
    labels: np.ndarray,
    steps: int,
    batch: int,
    lr: float,
    seed: int,
    desc: str,
    ckpt: StepCheckpoint | None = None,
    mm_per_pixel: np.ndarray | None = None,
) -> Classifier:
    """Augmented cross-entropy training with class-balanced sampling.

    With `ckpt`, the loop starts from its saved state and saves as it goes. With
    `mm_per_pixel` (one per image) the model gets each crop's scale as a second channel,
    followed through the zoom of the augmentation and jittered (`scale.py`)."""
    g = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    counts = np.bincount(labels, minlength=int(labels.max()) + 1).astype(np.float64)
    p = 1.0 / counts[labels]
    p /= p.sum()
    start = ckpt.restore(model, opt, rng, g) if ckpt else 0
    model.train()
    bar = tqdm(range(start, steps), desc=desc, initial=start, total=steps)
    for step in bar:
        _schedule(opt, step, steps, lr)
        idx = rng.choice(len(images), size=batch, p=p)
        x = _tensor(images[idx])[:, None]
        level = min(1.0, 0.25 + step / (0.4 * steps))
        zoom: list[torch.Tensor] = []
        x = intensity(affine(x, g, level=level, zoom=zoom), g, level=level)
        x = normalise(x)
        if mm_per_pixel is not None:
            mm = jitter(torch.from_numpy(mm_per_pixel[idx].astype(np.float64)), g, level)
            x = with_scale(x, mm / zoom[0].to(torch.float64))
        y = torch.from_numpy(labels[idx])
        loss = F.cross_entropy(model(x), y, label_smoothing=0.05)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 20 == 0:
            bar.set_postfix(loss=f"{loss.item():.3f}")
        if ckpt:
            ckpt.after_step(step + 1, steps, model, opt, rng, g)
    model.eval()
    return model


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Temperature minimising validation NLL (grid then refine)."""
    if len(labels) == 0:
        return 1.0
    lg = torch.from_numpy(logits.astype(np.float64))
    y = torch.from_numpy(labels)
    best, best_t = float("inf"), 1.0
    for t in np.exp(np.linspace(np.log(0.3), np.log(5.0), 120)):
        nll = float(F.cross_entropy(lg / t, y))
        if nll < best:
            best, best_t = nll, float(t)
    return round(best_t, 4)


def train_view(
    data: dict[str, np.ndarray],
    others: np.ndarray,
    cfg: TrainConfig,
    ckpt: StepCheckpoint | None = None,
) -> Classifier:
    imgs = np.concatenate([data["ap_small"], data["lateral_small"], others]).astype(np.float32)
    labels = np.concatenate(
        [
            np.zeros(len(data["ap_small"])),
            np.ones(len(data["lateral_small"])),
            np.full(len(others), 2),
        ]
    ).astype(np.int64)
    torch.manual_seed(cfg.seed)
    return train_classifier(
        view_model(),
        imgs,
        labels,
        cfg.view_steps,
        cfg.view_batch,
        cfg.lr,
        cfg.seed,
        "train view",
        ckpt,
    )


def train_screw(
    data: dict[str, np.ndarray],
    view: str,
    cfg: TrainConfig,
    classes: int = 3,
    ckpt: StepCheckpoint | None = None,
    scale: bool = False,
) -> Classifier:
    """One view's screw classifier; with `scale`, on crops and their scales."""
    crops = data[f"{view}_crops"].astype(np.float32)
    labels = data[f"{view}_crop_labels"]
    keep = (labels >= 0) & (labels < classes)
    mm = data[f"{view}_crop_mm"][keep] if scale else None
    if mm is not None and not np.isfinite(mm).all():
        raise ValueError(f"{view}: crops without a pixel spacing cannot train a scale input")
    torch.manual_seed(cfg.seed + 1)
    return train_classifier(
        screw_model(classes, scale),
        crops[keep],
        labels[keep],
        cfg.cls_steps,
        cfg.cls_batch,
        cfg.lr,
        cfg.seed + 1,
        f"train classifier_{view}",
        ckpt,
        mm,
    )


def _det_samples(data: dict[str, np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    images, boxes = [], []
    for view in ("ap", "lateral"):
        counts = data[f"{view}_box_count"]
        starts = np.concatenate([[0], np.cumsum(counts)])
        for k in range(len(counts)):
            images.append(data[f"{view}_det"][k])
            boxes.append(data[f"{view}_boxes"][starts[k] : starts[k + 1]])
    return np.stack(images), boxes


def _det_batch(
    images: np.ndarray,
    boxes: list[np.ndarray],
    idx: np.ndarray,
    crop: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, ...]:
    xs, hms, regs, masks, pairs, regs2 = [], [], [], [], [], []
    size = images.shape[-1]
    for k in idx:
        b = boxes[k].copy()
        if len(b) and rng.uniform() < 0.85:
            c = b[rng.integers(0, len(b))]
            cx, cy = (c[0] + c[2]) / 2, (c[1] + c[3]) / 2
            ox = int(np.clip(cx - rng.uniform(0.15, 0.85) * crop, 0, size - crop)) // 4 * 4
            oy = int(np.clip(cy - rng.uniform(0.15, 0.85) * crop, 0, size - crop)) // 4 * 4
        else:
            ox, oy = (int(rng.integers(0, size - crop + 1)) // 4 * 4 for _ in range(2))
        img = images[k, oy : oy + crop, ox : ox + crop].astype(np.float32)
        b = b - np.array([ox, oy, ox, oy], dtype=np.float32)
        if rng.uniform() < 0.5:
            img = img[:, ::-1]
            b = (
                np.stack([crop - b[:, 2], b[:, 1], crop - b[:, 0], b[:, 3]], axis=1)
                if len(b)
                else b
            )
        if rng.uniform() < 0.3:
            img = img[::-1]
            b = (
                np.stack([b[:, 0], crop - b[:, 3], b[:, 2], crop - b[:, 1]], axis=1)
                if len(b)
                else b
            )
        img, b = rotate_scale_boxes(np.ascontiguousarray(img), b, rng)
        t = make_targets(b, crop)
        xs.append(img.copy())
        hms.append(t["hm"])
        regs.append(t["reg"])
        masks.append(t["mask"])
        pairs.append(t["pair"])
        regs2.append(t["reg2"])
    return tuple(np.stack(a) for a in (xs, hms, regs, masks, pairs, regs2))


def train_detector(
    data: dict[str, np.ndarray],
    cfg: TrainConfig,
    ckpt: StepCheckpoint | None = None,
    init: dict[str, torch.Tensor] | None = None,
) -> Detector:
    """The detector, from scratch or from the weights `init` (training goes on from them)."""
    images, boxes = _det_samples(data)
    torch.manual_seed(cfg.seed + 2)
    g = torch.Generator().manual_seed(cfg.seed + 2)
    rng = np.random.default_rng(cfg.seed + 2)
    model = Detector()
    if init is not None:
        model.load_state_dict(init)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=1e-4)
    start = ckpt.restore(model, opt, rng, g) if ckpt else 0
    model.train()
    bar = tqdm(
        range(start, cfg.det_steps), desc="train detector", initial=start, total=cfg.det_steps
    )
    t0 = time.time()
    for step in bar:
        _schedule(opt, step, cfg.det_steps, cfg.lr)
        idx = rng.integers(0, len(images), size=cfg.det_batch)
        x, hm, reg, mask, pair, reg2 = (
            _tensor(a) for a in _det_batch(images, boxes, idx, cfg.det_crop, rng)
        )
        x = intensity(x[:, None], g)
        loss, parts = detector_loss(model.raw(normalise(x)), hm, reg, mask, pair, reg2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 10 == 0:
            bar.set_postfix(loss=f"{loss.item():.3f}", focal=f"{parts['focal']:.3f}")
        if ckpt:
            ckpt.after_step(step + 1, cfg.det_steps, model, opt, rng, g)
    logger.info("detector trained in %.0f s", time.time() - t0)
    model.eval()
    return model
