"""`build-pack`: render, train, export, evaluate and write a complete pack atomically."""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing as mp
import pickle
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from screwid_train import report
from screwid_train.dataset import DataConfig, build_others, build_patients, build_unseen
from screwid_train.designs import DesignFile, default_designs_path, load_designs
from screwid_train.evaluate import Pack, collect, detection_stats, tune_detection
from screwid_train.export import export_onnx, onnx_input_shape, write_manifest
from screwid_train.metrics import jsonable
from screwid_train.modelcard import write_model_card
from screwid_train.models import Detector, screw_model, view_model
from screwid_train.train import (
    TrainConfig,
    fit_temperature,
    predict_logits,
    train_detector,
    train_screw,
    train_view,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PackConfig:
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    version: str = "0.1.0"
    designs: Path | None = None
    cache: Path | None = None  # reuse rendered data between builds (same code and config)


_SHARED: dict = {}


def _train_task(name: str, threads: int = 1) -> tuple[str, dict]:
    """One model, in a forked worker with one thread (small convs scale poorly across
    threads, so models in parallel beat threads in parallel) or alone with `threads`."""
    torch.set_num_threads(threads)
    data, others, cfg = _SHARED["data"], _SHARED["others"], _SHARED["cfg"]
    if name == "view":
        model: torch.nn.Module = train_view(data, others, cfg)
    elif name == "detector":
        model = train_detector(data, cfg, init=_SHARED.get("init", {}).get("detector"))
    else:
        model = train_screw(data, name, cfg, classes=cfg.screw_outputs, scale=cfg.screw_scale)
    return name, {k: v.detach().clone() for k, v in model.state_dict().items()}


def fresh_models(cfg: TrainConfig, names: tuple[str, ...]) -> dict[str, torch.nn.Module]:
    """Untrained models `names` of the shapes `cfg` trains."""
    makers = {
        "view": view_model,
        "detector": Detector,
        "ap": lambda: screw_model(cfg.screw_outputs, cfg.screw_scale),
        "lateral": lambda: screw_model(cfg.screw_outputs, cfg.screw_scale),
    }
    return {k: makers[k]() for k in names}


def train_all(
    data: dict,
    others: np.ndarray,
    cfg: TrainConfig,
    names: tuple[str, ...] = ("detector", "ap", "lateral", "view"),
    init: dict[str, dict] | None = None,
) -> dict[str, torch.nn.Module]:
    """Train the models `names` in parallel processes; returns them in eval mode. `init`:
    state dicts to start from, by name (the detector only, for now)."""
    _SHARED.update(data=data, others=others, cfg=cfg, init=init or {})
    if cfg.parallel and len(names) > 1:
        with mp.get_context("fork").Pool(len(names)) as pool:
            states = dict(pool.map(_train_task, names))
    else:
        states = dict(_train_task(n, cfg.threads) for n in names)
    fresh = fresh_models(cfg, names)
    for name, model in fresh.items():
        model.load_state_dict(states[name])
        model.eval()
    torch.set_num_threads(cfg.threads)
    return fresh


def _temperatures(
    models: dict, val: dict[str, np.ndarray], outputs: int, hflip: bool = False
) -> dict[str, float]:
    """Per view, the temperature minimising the NLL of the validation crops of the classes
    the classifier has (read with their mirror images with `hflip`)."""
    out = {}
    for view in ("ap", "lateral"):
        labels = val[f"{view}_crop_labels"]
        keep = (labels >= 0) & (labels < outputs)
        crops = val[f"{view}_crops"][keep].astype(np.float32)
        mm = val[f"{view}_crop_mm"][keep] if models[view].in_channels == 2 else None
        logits = predict_logits(models[view], crops, mm_per_pixel=mm, hflip=hflip)
        out[view] = fit_temperature(logits, labels[keep])
    return out


def export_classifiers(models: dict, tmp: Path, crop: int) -> dict[str, float]:
    """The two screw classifiers as ONNX (input [1, C, crop, crop]); max |ort - torch|."""
    return {
        f"classifier_{v}": export_onnx(
            models[v], tmp / f"classifier_{v}.onnx", crop, crop, models[v].in_channels
        )
        for v in ("ap", "lateral")
    }


def _export(models: dict, tmp: Path, crop: int) -> dict[str, float]:
    diffs = {
        "view": export_onnx(models["view"], tmp / "view.onnx", 128, 128),
        "detector": export_onnx(models["detector"], tmp / "detector.onnx", 512, 512),
        **export_classifiers(models, tmp, crop),
    }
    for k, v in diffs.items():
        print(f"onnx check {k}: max |onnxruntime - torch| = {v:.2e}")
    return diffs


def build_pack(out: Path, cfg: PackConfig) -> dict:
    """Everything from scratch; the pack replaces `out` only once it is complete."""
    t_start = time.time()
    torch.set_num_threads(cfg.train.threads)
    df = load_designs(cfg.designs)
    arrays, results, others, unseen = render_data(cfg, df)
    return train_and_write(out, cfg, df, (arrays, results, others, unseen), t_start)


def train_and_write(
    out: Path, cfg: PackConfig, df: DesignFile, data: tuple, t_start: float
) -> dict:
    """Train the four models on `data` (arrays, results, others, unseen), export them with
    self-test vectors, score the pack, and move it to `out` once complete."""
    arrays, results, others, unseen = data
    n_other = len(others)
    others_train, others_val = others[: int(0.8 * n_other)], others[int(0.8 * n_other) :]
    t_render = time.time() - t_start
    t0 = time.time()
    models = train_all(arrays["train"], others_train, cfg.train)
    t_train = time.time() - t0
    temps = _temperatures(models, arrays["val"], cfg.train.screw_outputs, cfg.train.screw_hflip)
    tmp = out.parent / f".{out.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    diffs = _export(models, tmp, cfg.data.crop_size)
    extra = _selftest(models, arrays["val"], tmp)
    times = {"render_seconds": round(t_render), "train_seconds": round(t_train)}
    metrics = score_pack(tmp, cfg, df, (results, others_val, unseen), temps, extra, diffs, times)
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    logger.info("pack written to %s in %.0f s", out, time.time() - t_start)
    return metrics


def score_pack(
    tmp: Path,
    cfg: PackConfig,
    df: DesignFile,
    data: tuple[dict, np.ndarray, list[dict]],
    temps: dict[str, float],
    extra: dict,
    diffs: dict[str, float],
    times: dict[str, int],
    fixed: dict | None = None,
    notes: dict[str, str] | None = None,
) -> dict:
    """Tune thresholds on validation (except those in `fixed`), measure the test and unseen
    sets, write plots, metrics, model card and manifest into the pack folder `tmp`; returns
    the metrics. `notes` go into the metrics and the card (`render_note`, `rebuild`)."""
    results, others_val, unseen = data
    t0 = time.time()
    pack = Pack(tmp, temps, hflip=cfg.train.screw_hflip)
    labels = df.labels()
    val_recs = collect(pack, results["val"], "evaluate val")
    thr, nms_iou, pair = tune_detection(val_recs)
    th = {
        "detection": thr,
        "nms_iou": nms_iou,
        "screw_uncertain_below": report.tune_uncertain(val_recs, labels),
        "view_other_below": 0.5,
        "pair": pair,
    }
    th |= fixed or {}
    # Tuned once the detection thresholds are set, on the app's whole path (a rule tuned
    # on the classifier's calls for true boxes would not see missed or extra detections).
    # Pack 0.4.0 used the founding study's rule (0.2, 2 screws, 0 per view).
    th |= report.tune_mixed(pack, val_recs, labels, th) if "mixed_min_share" not in th else {}
    thr, nms_iou, pair = th["detection"], th["nms_iou"], th["pair"]
    test_recs = collect(pack, results["test"], "evaluate test")
    unseen_recs = collect(pack, unseen, "evaluate unseen")
    sm = report.screw_metrics(test_recs, labels)
    metrics = {
        "evaluated_on": "held-out rendered phantoms (test split, seeds never used in training)",
        "test_patients": len({r.patient for r in test_recs}),
        "test_screws": {v: sm[v]["screws"] for v in ("ap", "lateral")},
        "screw_accuracy_on_truth_boxes": {v: round(sm[v]["accuracy"], 4) for v in sm},
        "ece": {v: round(sm[v]["ece"], 4) for v in sm},
        "detection": detection_stats(test_recs, thr, nms_iou, pair),
        **report.end_to_end(pack, test_recs, labels, th),
        "view": report.view_metrics(test_recs, report.other_logits(pack, others_val)),
        "unseen": report.unseen_metrics(unseen_recs, test_recs, th["screw_uncertain_below"]),
        "onnx_max_abs_diff": {k: f"{v:.2e}" for k, v in diffs.items()},
        **times,
        **(notes or {}),
    }
    report.plot_confusion(sm, labels, tmp / "confusion.png")
    report.plot_reliability(sm, tmp / "reliability.png")
    hflip = cfg.train.screw_hflip
    write_manifest(
        tmp, labels, temps, th, jsonable(_summary(metrics)), cfg.version, extra=extra, hflip=hflip
    )
    metrics["samples_full_size"] = _check_samples(tmp)
    metrics["classifier_outputs"] = _outputs(tmp / "classifier_ap.onnx")
    metrics["classifier_input"] = list(onnx_input_shape(tmp / "classifier_ap.onnx"))
    metrics["score_seconds"] = round(time.time() - t0)
    metrics["total_seconds"] = sum(times.values()) + metrics["score_seconds"]
    (tmp / "metrics.json").write_text(json.dumps(jsonable(metrics), indent=2) + "\n")
    write_model_card(tmp / "MODEL_CARD.md", metrics, th, temps, asdict(cfg.data), asdict(cfg.train))
    write_manifest(
        tmp, labels, temps, th, jsonable(_summary(metrics)), cfg.version, extra=extra, hflip=hflip
    )
    return metrics


def _outputs(path: Path) -> int:
    import onnx

    return int(onnx.load(str(path)).graph.output[0].type.tensor_type.shape.dim[1].dim_value)


def _selftest(
    models: dict, val: dict[str, np.ndarray], tmp: Path, reference: str | None = None
) -> dict:
    """Self-test vectors: a random and a validation input per model, with the outputs of the
    models (PyTorch modules, or callables on numpy arrays such as onnxruntime sessions)."""
    from screwid_train.selftest import random_input, write_selftest

    names = {"view": "view", "detector": "detector", "classifier_ap": "ap"}
    names["classifier_lateral"] = "lateral"
    real = {"view": "ap_small", "detector": "ap_det"}
    real |= {"classifier_ap": "ap_crops", "classifier_lateral": "lateral_crops"}
    inputs = {
        n: [random_input(n, k, _input_shape(models[names[n]], val[real[n]])), _real_input(n, val)]
        for k, n in enumerate(names)
    }

    def run(n: str, x: np.ndarray) -> np.ndarray:
        model = models[names[n]]
        if not isinstance(model, torch.nn.Module):
            return model(x)
        with torch.no_grad():
            return model(torch.from_numpy(x)).numpy()

    return write_selftest(tmp, inputs, run, reference or f"pytorch {torch.__version__}")


def _input_shape(model: object, examples: np.ndarray) -> tuple[int, int, int]:
    """(channels, height, width) of a model's input, from an example array [N, H, W]."""
    return (getattr(model, "in_channels", 1), *examples.shape[1:])


def _real_input(name: str, val: dict[str, np.ndarray]) -> np.ndarray:
    """The first validation input of a model, with its scale channel for a classifier."""
    from screwid_train.scale import with_scale_np
    from screwid_train.selftest import normalise

    if name.startswith("classifier_"):
        view = name.removeprefix("classifier_")
        x = normalise(val[f"{view}_crops"][0])
        mm = float(val[f"{view}_crop_mm"][0])
        return with_scale_np(x, mm) if np.isfinite(mm) else x
    return normalise(val["ap_small" if name == "view" else "ap_det"][0])


def _check_samples(pack: Path) -> list[dict]:
    """The bundled full-size sample patients through the freshly exported pack, if present."""
    from screwid_train.checks import check_folder
    from screwid_train.designs import repo_root

    samples = repo_root() / "assets" / "samples"
    if not samples.is_dir() or not (pack / "manifest.json").exists():
        return []
    return check_folder(pack, samples)


def _cache_key(cfg: PackConfig) -> str:
    """Hash of the data config, the design file and the renderer's source."""
    h = hashlib.sha256(json.dumps(asdict(cfg.data), sort_keys=True).encode())
    h.update((cfg.designs or default_designs_path()).read_bytes())
    src = Path(__file__).parent
    for f in sorted([*src.glob("render/*.py"), src / "dataset.py", src / "imaging.py"]):
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def render_data(cfg: PackConfig, df: DesignFile) -> tuple:
    path = cfg.cache / f"render-{_cache_key(cfg)}.pkl" if cfg.cache else None
    if path is not None and path.exists():
        logger.info("reusing rendered data from %s", path)
        with path.open("rb") as f:
            return pickle.load(f)
    arrays, results = build_patients(cfg.data, df, cfg.designs)
    others = build_others(cfg.data)
    unseen = build_unseen(cfg.data, df, cfg.designs)
    out = (arrays, results, others, unseen)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            pickle.dump(out, f, protocol=pickle.HIGHEST_PROTOCOL)
    return out


def _summary(m: dict) -> dict:
    return {
        "evaluated_on": m["evaluated_on"],
        "test_patients": m["test_patients"],
        "test_screws": m["test_screws"],
        "screw_accuracy_on_truth_boxes": m["screw_accuracy_on_truth_boxes"],
        "screw_accuracy_on_detections": m["matched_screw_accuracy"],
        "patient_accuracy": m["patient_accuracy"],
        "detection_recall": {v: round(m["detection"][v]["recall"], 4) for v in ("ap", "lateral")},
        "ece": m["ece"],
    }


def default_designs() -> Path:
    return default_designs_path()
