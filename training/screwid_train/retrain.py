"""`retrain-classifiers`: new screw classifiers for a built pack; its view model and detector stay.

The classifiers are the weak stage of pack 0.3.0 (Medtronic and Stryker confused on both
views) and the cheapest to retrain: the view model and detector take most of a full build's
training time and do not depend on the crop size or the scale channel. The classifiers are
trained on the same data as `build-combined` (the first renderer's training split and the
second renderer's training patients, repeated), the pack is scored again with the detection
thresholds kept, and the model card gets the second renderer's test patients for the old and
the new classifiers side by side.
"""

from __future__ import annotations

import json
import logging
import pickle
import shutil
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

from screwid_train.checks import check_patient
from screwid_train.combine import add_card_section, both_renderers, second_renderer_section
from screwid_train.dataset import _pack
from screwid_train.designs import load_designs
from screwid_train.evaluate import Pack
from screwid_train.metrics import jsonable
from screwid_train.novelty import WithNovelty, features, fit
from screwid_train.pipeline import (
    PackConfig,
    _selftest,
    _temperatures,
    export_classifiers,
    score_pack,
    train_all,
)
from screwid_train.render.variants import OTHER_LABEL

logger = logging.getLogger(__name__)

KEPT = ("view", "detector")


class _Onnx:
    """An ONNX model of the pack as a callable on numpy inputs (self-test reference)."""

    def __init__(self, path: Path) -> None:
        self.sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        self.in_channels = int(self.sess.get_inputs()[0].shape[1])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.sess.run(None, {"input": x})[0]


def _alt_rows(pack_dir: Path, folders: list[Path]) -> list[dict]:
    manifest = json.loads((pack_dir / "manifest.json").read_text())
    temps = {v: manifest["models"][f"classifier_{v}"]["temperature"] for v in ("ap", "lateral")}
    pack = Pack(pack_dir, temps)
    return [check_patient(pack, manifest, f) for f in folders]


def _known_features(
    model: torch.nn.Module,
    a: dict[str, np.ndarray],
    view: str,
    classes: int,
    sample: tuple[int, np.random.Generator] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Pooled features and labels of known-design crops (a random `sample` of them)."""
    labels = a[f"{view}_crop_labels"]
    idx = np.flatnonzero((labels >= 0) & (labels < classes))
    if sample is not None and len(idx) > sample[0]:
        idx = np.sort(sample[1].choice(idx, sample[0], replace=False))
    mm = a[f"{view}_crop_mm"][idx] if model.in_channels == 2 else None
    return features(model, a[f"{view}_crops"][idx], mm), labels[idx]


def add_novelty(
    models: dict,
    train: dict[str, np.ndarray],
    val: dict[str, np.ndarray],
    temps: dict[str, float],
    classes: int,
    quantiles: tuple[float, float] = (0.98, 0.995),
    sample: int = 20_000,
) -> dict:
    """Wrap both classifiers with the "other design" logit of `novelty.py`; its fit."""
    rng = np.random.default_rng(7)
    out: dict = {"quantile": quantiles[0], "steep": quantiles[1]}
    for view in ("ap", "lateral"):
        tf, ty = _known_features(models[view], train, view, classes, (sample, rng))
        vf, _ = _known_features(models[view], val, view, classes)
        nf = fit(tf, ty, vf, *quantiles)
        models[view] = WithNovelty(models[view], nf, temps[view])
        out[view] = {"tau": round(nf.tau, 3), "beta": round(nf.beta, 5), "features": len(tf)}
    return out


def retrain_classifiers(
    pack_dir: Path,
    cfg: PackConfig,
    rendered: Path,
    alt_roots: list[Path],
    split_sizes: tuple[int, int, int],
    notes: dict[str, str] | None = None,
    novelty: bool = False,
) -> dict:
    """Replace the screw classifiers of `pack_dir` and rescore it (see the module doc).

    `split_sizes`: second-renderer patients kept for test and validation, and how many times
    each of the rest is repeated in training. `novelty` adds the feature-distance "other
    design" logit (`novelty.py`); off by default, see there."""
    t_start = time.time()
    df = load_designs(cfg.designs)
    old = json.loads((pack_dir / "manifest.json").read_text())
    old_metrics = json.loads((pack_dir / "metrics.json").read_text())
    with rendered.open("rb") as f:
        _, results, others, unseen = pickle.load(f)
    both = both_renderers(results, alt_roots, split_sizes, cfg.data, df.labels())
    train, val = both.train, both.val
    # Temperatures from the first renderer's validation split, as pack 0.3.0's: fitted with
    # the second renderer's patients too, they made the first renderer's test screws
    # underconfident (ECE 0.07 / 0.09 instead of 0.02).
    val_first = _pack(results["val"], cfg.data, [*df.labels(), OTHER_LABEL])
    results = both.results
    t_render = time.time() - t_start
    t0 = time.time()
    train_cfg = replace(cfg.train, parallel=True)
    models = train_all(train, others, train_cfg, names=("ap", "lateral"))
    t_train = time.time() - t0
    weights = rendered.parent / f"classifiers-{cfg.version}.pt"
    torch.save({v: m.state_dict() for v, m in models.items()}, weights)
    logger.info("classifier weights kept in %s", weights)
    temps = _temperatures(models, val_first, cfg.train.screw_outputs)
    if novelty:
        fitted = add_novelty(models, train, val_first, temps, cfg.train.screw_outputs)
        notes = {**(notes or {}), "novelty": fitted}  # type: ignore[dict-item]
    tmp = pack_dir.parent / f".{pack_dir.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in KEPT:
        shutil.copy2(pack_dir / old["models"][name]["file"], tmp / f"{name}.onnx")
    diffs = {k: float(old_metrics["onnx_max_abs_diff"][k]) for k in KEPT}
    diffs |= export_classifiers(models, tmp, cfg.data.crop_size)
    runners = {**{k: _Onnx(tmp / f"{k}.onnx") for k in KEPT}, **models}
    extra = _selftest(runners, val, tmp, reference=f"pytorch (classifiers), ort {ort.__version__}")
    fixed = {k: old["thresholds"][k] for k in ("detection", "nms_iou", "pair")}
    times = {"render_seconds": round(t_render), "train_seconds": round(t_train)}
    others_val = others[int(0.8 * len(others)) :]
    metrics = score_pack(
        tmp, cfg, df, (results, others_val, unseen), temps, extra, diffs, times, fixed, notes
    )
    rows_new = _alt_rows(tmp, both.alt_test)
    rows_old = _alt_rows(pack_dir, both.alt_test)
    metrics["second_renderer"] = {"new": rows_new, "previous": rows_old}
    (tmp / "metrics.json").write_text(json.dumps(jsonable(metrics), indent=2) + "\n")
    built = (
        "View model and detector built with `screwid-train build-combined`, screw classifiers "
        "with `screwid-train retrain-classifiers`, both"
    )
    section = second_renderer_section(
        rows_new, (f"previous pack {old['version']}", rows_old), built
    )
    add_card_section(tmp, section)
    shutil.rmtree(pack_dir)
    tmp.rename(pack_dir)
    logger.info("classifiers retrained into %s in %.0f s", pack_dir, time.time() - t_start)
    return metrics
