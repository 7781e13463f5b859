"""`retrain-classifiers` and `retrain-detector`: new models for a built pack; the rest stay.

Each stage can be retrained on its own because the view model, the detector and the screw
classifiers share no weights and meet only at the contract (`docs/contracts.md`): the
classifiers take crops of whatever boxes the detector gives, the detector takes the whole
letterboxed film. Retraining one stage costs a fraction of a full build. Both commands train
on the same data as `build-combined` (the first renderer's training split and the second
renderer's training patients, repeated), score the pack again, and put the second
renderer's test patients for the old and the new pack side by side in the model card.

- Classifiers: the detection thresholds are kept (they were tuned for the detector, which
  does not change); the temperatures are fitted again.
- Detector: the temperatures are kept (the classifiers do not change); the detection
  thresholds are tuned again on validation, since they belong to the new detector.
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
from screwid_train.dataset import _pack, build_variants
from screwid_train.designs import load_designs
from screwid_train.evaluate import Pack
from screwid_train.export import export_onnx
from screwid_train.metrics import jsonable
from screwid_train.novelty import WithNovelty, features, fit
from screwid_train.pipeline import (
    PackConfig,
    _selftest,
    _temperatures,
    export_classifiers,
    fresh_models,
    score_pack,
    train_all,
)
from screwid_train.render.variants import OTHER_LABEL
from screwid_train.train import TrainConfig

logger = logging.getLogger(__name__)

# Models of the pack each part replaces, and the ONNX files they are written to.
PARTS: dict[str, tuple[str, ...]] = {
    "classifiers": ("ap", "lateral"),
    "detector": ("detector",),
}
FILES = {"view": "view", "detector": "detector", "ap": "classifier_ap"}
FILES["lateral"] = "classifier_lateral"


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


def retrain(
    pack_dir: Path,
    cfg: PackConfig,
    rendered: Path,
    alt_roots: list[Path],
    split_sizes: tuple[int, int, int],
    part: str,
    notes: dict[str, str] | None = None,
    novelty: bool = False,
    variants: int = 0,
    weights: Path | None = None,
    init: Path | None = None,
) -> dict:
    """Replace the `part` ("classifiers" or "detector") of `pack_dir` and rescore it (see
    the module doc).

    `split_sizes`: second-renderer patients kept for test and validation, and how many times
    each of the rest is repeated in training. `novelty` adds the feature-distance "other
    design" logit to new classifiers (`novelty.py`); off by default, see there. `variants`
    patients of random variant designs (`render/variants.py`) train new classifiers' fourth
    output, "other design". `weights`: the new models' state dicts, saved by an earlier run
    of the same command, used instead of training. `init`: such a file to go on training
    from (the detector only)."""
    t_start = time.time()
    df = load_designs(cfg.designs)
    old = json.loads((pack_dir / "manifest.json").read_text())
    old_metrics = json.loads((pack_dir / "metrics.json").read_text())
    with rendered.open("rb") as f:
        _, results, others, unseen = pickle.load(f)
    if variants and part == "classifiers":
        extra_patients = _variants(cfg, variants, rendered.parent)
        results = {**results, **{k: results[k] + v for k, v in extra_patients.items()}}
        cfg = replace(cfg, train=replace(cfg.train, screw_outputs=len(df.labels()) + 1))
    both = both_renderers(results, alt_roots, split_sizes, cfg.data, df.labels())
    train, val = both.train, both.val
    # Temperatures from the first renderer's validation split, as pack 0.3.0's: fitted with
    # the second renderer's patients too, they made the first renderer's test screws
    # underconfident (ECE 0.07 / 0.09 instead of 0.02).
    val_first = _pack(results["val"], cfg.data, [*df.labels(), OTHER_LABEL])
    results = both.results
    t_render = time.time() - t_start
    t0 = time.time()
    names = PARTS[part]
    if weights is None:
        start = torch.load(init, weights_only=True) if init else {}
        start = {k: v for k, v in start.items() if k in names}
        models = train_all(train, others, replace(cfg.train, parallel=True), names, start)
        t_train = time.time() - t0
        weights = rendered.parent / f"{part}-{cfg.version}.pt"
        saved = {v: m.state_dict() for v, m in models.items()}
        torch.save({**saved, TRAIN_SECONDS: t_train}, weights)
        logger.info("%s weights kept in %s", part, weights)
    else:
        models = load_models(weights, cfg.train, names)
        # The training time of the run that made the weights, for the card.
        t_train = float(torch.load(weights, weights_only=True).get(TRAIN_SECONDS, 0.0))
    if part == "classifiers":
        temps = _temperatures(models, val_first, cfg.train.screw_outputs, cfg.train.screw_hflip)
        fixed = {k: old["thresholds"][k] for k in ("detection", "nms_iou", "pair")}
    else:
        temps = {v: old["models"][f"classifier_{v}"]["temperature"] for v in ("ap", "lateral")}
        fixed = None
    if novelty and part == "classifiers":
        fitted = add_novelty(models, train, val_first, temps, cfg.train.screw_outputs)
        notes = {**(notes or {}), "novelty": fitted}  # type: ignore[dict-item]
    tmp = pack_dir.parent / f".{pack_dir.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    kept = [n for n in FILES if n not in names]
    for name in kept:
        shutil.copy2(pack_dir / old["models"][FILES[name]]["file"], tmp / f"{FILES[name]}.onnx")
    diffs = {FILES[k]: float(old_metrics["onnx_max_abs_diff"][FILES[k]]) for k in kept}
    diffs |= _export_part(models, tmp, cfg.data.crop_size)
    runners = {**{k: _Onnx(tmp / f"{FILES[k]}.onnx") for k in kept}, **models}
    reference = f"pytorch ({part}), ort {ort.__version__}"
    extra = _selftest(runners, val, tmp, reference=reference)
    times = {"render_seconds": round(t_render), "train_seconds": round(t_train)}
    others_val = others[int(0.8 * len(others)) :]
    metrics = score_pack(
        tmp, cfg, df, (results, others_val, unseen), temps, extra, diffs, times, fixed, notes
    )
    rows_new = _alt_rows(tmp, both.alt_test)
    rows_old = _alt_rows(pack_dir, both.alt_test)
    metrics["second_renderer"] = {"new": rows_new, "previous": rows_old}
    (tmp / "metrics.json").write_text(json.dumps(jsonable(metrics), indent=2) + "\n")
    section = second_renderer_section(
        rows_new, (f"previous pack {old['version']}", rows_old), _built_with(old, part)
    )
    add_card_section(tmp, section)
    shutil.rmtree(pack_dir)
    tmp.rename(pack_dir)
    logger.info("%s retrained into %s in %.0f s", part, pack_dir, time.time() - t_start)
    return metrics


# Key of the weights file that holds the seconds the models took to train.
TRAIN_SECONDS = "train_seconds"


def load_models(weights: Path, cfg: TrainConfig, names: tuple[str, ...]) -> dict:
    """Models `names` with the state dicts saved in `weights`, in eval mode."""
    states = torch.load(weights, weights_only=True)
    models = fresh_models(cfg, names)
    for name, model in models.items():
        model.load_state_dict(states[name])
        model.eval()
    return models


def _variants(cfg: PackConfig, n: int, cache: Path) -> dict[str, list[dict]]:
    """`n` variant-design patients by split, rendered once and kept in `cache`."""
    path = cache / f"variants-{n}-c{cfg.data.crop_size}.pkl"
    if path.exists():
        with path.open("rb") as f:
            return pickle.load(f)  # type: ignore[no-any-return]
    out = build_variants(replace(cfg.data, variants=n), cfg.designs)
    with path.open("wb") as f:
        pickle.dump(out, f, protocol=pickle.HIGHEST_PROTOCOL)
    return out


def _export_part(models: dict, tmp: Path, crop: int) -> dict[str, float]:
    """The new models as ONNX; max |onnxruntime - torch| of each."""
    if "detector" in models:
        return {"detector": export_onnx(models["detector"], tmp / "detector.onnx", 512, 512)}
    return export_classifiers(models, tmp, crop)


def _built_with(old: dict, part: str) -> str:
    """How the models of the retrained pack were built, for the card."""
    if part == "detector":
        return (
            f"View model and screw classifiers kept from pack {old['version']}; the detector "
            "retrained with `screwid-train retrain-detector`; all"
        )
    return (
        f"View model and detector kept from pack {old['version']}; the screw classifiers "
        "retrained with `screwid-train retrain-classifiers`; all"
    )
