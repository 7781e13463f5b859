"""`evaluate`: a trained run on the test split, as the founding study's Table 2.

The models run exactly as the app runs them (display image, letterbox, normalisation, detector
decode, crops of the original image, softmax with the fitted temperature), from the PyTorch
weights; `export` then checks that the ONNX files give the same outputs.

Per screw: the classifier on the true boxes (classification alone, as Table 2). Per patient:
the majority label of the patient's confident screws in that view (or both), compared with
the patient's manufacturer; mixed patients are left out of the per-patient table (a single
label does not describe them) and counted in `set_accuracy` (the app's vote, mixed rule
included, against the true set of manufacturers).
"""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path

import numpy as np
import torch

from screwid_train.evaluate import (
    ViewRecord,
    boxes_to_image,
    ece,
    match,
    read_crop,
    softmax,
    tune_detection,
    vote_views,
)
from screwid_train.hospital import VIEWS, HospitalData, load_dataset, read_display, read_spacing
from screwid_train.hospital_plots import plot_confusions, plot_reliability
from screwid_train.hospital_train import RunConfig, load_models
from screwid_train.imaging import crop_mm_per_pixel, letterbox, screw_crop
from screwid_train.metrics import average_precision, cohen_kappa, jsonable, table2
from screwid_train.report import end_to_end
from screwid_train.scale import spacing_or_assumed, with_scale_np
from screwid_train.split import read_split

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLDS = {
    "detection": 0.35,
    "nms_iou": 0.5,
    "screw_uncertain_below": 0.6,
    "view_other_below": 0.5,
    # As the bundled pack's (pipeline.py): a second design on both films, not one.
    "mixed_min_share": 0.15,
    "mixed_min_screws": 2,
    "mixed_min_per_view": 1,
}


class TorchPack:
    """The four PyTorch models behind the interface of `evaluate.Pack`; `scale`: the screw
    classifiers take `crop_size` crops with their scale (`scale.py`); `hflip`: each screw is
    read with its crop's mirror image."""

    def __init__(
        self,
        models: dict[str, torch.nn.Module],
        temps: dict[str, float],
        crop_size: int = 128,
        scale: bool = True,
        hflip: bool = False,
    ) -> None:
        self.models = models
        self.temperatures = temps
        self.crop_size = crop_size
        self.scale = scale
        self.hflip = hflip

    def _run(self, name: str, x: np.ndarray, mm_per_pixel: float | None = None) -> np.ndarray:
        inp = ((x - 0.5) / 0.25).astype(np.float32)[None, None]
        if mm_per_pixel is not None:
            inp = with_scale_np(inp, mm_per_pixel)
        with torch.no_grad():
            return self.models[name](torch.from_numpy(inp)).numpy()[0]

    def view_logits(self, display: np.ndarray) -> np.ndarray:
        return self._run("view", letterbox(display, 128, 128)[0])

    def detector_out(self, display: np.ndarray) -> tuple[np.ndarray, object]:
        x, g = letterbox(display, 512, 512)
        return self._run("detector", x), g

    def classify(
        self, display: np.ndarray, view: str, boxes: np.ndarray, spacing: float | None = None
    ) -> np.ndarray:
        """Probabilities [N, K] of each box; `spacing`: the display's millimetres per pixel
        (None: unknown, as in a PNG, and then assumed as the app does)."""
        k = self.models[f"classifier_{view}"].fc.out_features
        if len(boxes) == 0:
            return np.zeros((0, k), dtype=np.float32)
        H, W = display.shape
        known = spacing_or_assumed(spacing, W, H)
        logits = []
        for b in boxes:
            box = tuple(b)
            crop = screw_crop(display, box, self.crop_size)
            mm = crop_mm_per_pixel(box, W, H, self.crop_size, 0.15, known) if self.scale else None
            run = lambda c, mm=mm: self._run(f"classifier_{view}", c, mm)  # noqa: E731
            logits.append(read_crop(run, crop, self.hflip))
        return softmax(np.stack(logits), self.temperatures[view])


def collect(pack: TorchPack, data: HospitalData, ids: list[str]) -> list[ViewRecord]:
    recs = []
    by_id = data.by_id()
    for k, pid in enumerate(ids):
        for view in VIEWS:
            im = by_id[pid].images[view]
            disp = read_display(im.path)
            spacing = read_spacing(im.path)
            gt = np.array([b.xyxy() for b in im.boxes], dtype=np.float64).reshape(-1, 4)
            out, g = pack.detector_out(disp)
            recs.append(
                ViewRecord(
                    view,
                    k,
                    gt,
                    [b.label for b in im.boxes],
                    out,
                    g,
                    pack.classify(disp, view, gt, spacing),
                    pack.view_logits(disp),
                    disp,
                    spacing,
                )
            )
    return recs


def _screw_table(recs: list[ViewRecord], classes: list[str], views: tuple[str, ...]) -> dict | None:
    sel = [r for r in recs if r.view in views and len(r.gt_probs)]
    if not sel:
        return None
    y = np.concatenate([[classes.index(s) for s in r.gt_labels] for r in sel]).astype(int)
    p = np.concatenate([r.gt_probs for r in sel])
    t = table2(y, p.argmax(1), classes)
    t["ece"], t["bins"] = ece(p, y)
    return t


def _patient_label(probs: np.ndarray, below: float) -> int:
    conf = probs[probs.max(1) >= below]
    use = conf if len(conf) else probs
    return int(np.bincount(use.argmax(1), minlength=probs.shape[1]).argmax())


def _patient_tables(recs: list[ViewRecord], classes: list[str], th: dict) -> dict:
    out: dict = {}
    patients = sorted({r.patient for r in recs})
    for name, views in (("ap", ("ap",)), ("lateral", ("lateral",)), ("both", VIEWS)):
        y, yhat = [], []
        for pid in patients:
            rs = [r for r in recs if r.patient == pid and r.view in views and len(r.gt_probs)]
            labels = {s for r in rs for s in r.gt_labels}
            if len(labels) != 1:
                continue
            y.append(classes.index(labels.pop()))
            yhat.append(
                _patient_label(
                    np.concatenate([r.gt_probs for r in rs]), th["screw_uncertain_below"]
                )
            )
        out[name] = (
            table2(np.array(y, dtype=int), np.array(yhat, dtype=int), classes) if y else None
        )
    return out


def _patient_sets(
    recs: list[ViewRecord], classes: list[str], th: dict
) -> dict[int, tuple[list[str], list[str]]]:
    """Per patient: (true set, voted set) from the classifier on the true boxes."""
    out = {}
    for pid in sorted({r.patient for r in recs}):
        rs = [r for r in recs if r.patient == pid and len(r.gt_probs)]
        truth = sorted({s for r in rs for s in r.gt_labels})
        got = vote_views(
            {
                v: np.concatenate([r.gt_probs for r in rs if r.view == v])
                for v in VIEWS
                if any(r.view == v for r in rs)
            },
            classes,
            th,
        )
        out[pid] = (truth, sorted(got))
    return out


def _detection(recs: list[ViewRecord], th: dict) -> dict:
    out = {}
    for view in VIEWS:
        rs = [r for r in recs if r.view == view]
        gts, dets, tp, n_det = [], [], 0, 0
        for r in rs:
            # AP sweeps every score: decode at a floor low enough to keep the whole curve.
            dets.append(boxes_to_image(r.det_out, r.letterbox, 0.01, th["nms_iou"]))
            gts.append(r.gt_boxes)
            boxes, _ = boxes_to_image(
                r.det_out, r.letterbox, th["detection"], th["nms_iou"], th.get("pair")
            )
            tp += int((match(r.gt_boxes, boxes) >= 0).sum())
            n_det += len(boxes)
        n_gt = sum(len(g) for g in gts)
        out[view] = {
            "screws": n_gt,
            "recall": tp / max(n_gt, 1),
            "precision": tp / max(n_det, 1),
            "map50": average_precision(gts, dets, 0.5),
        }
    return out


def read_readers(path: Path) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return {
            r["patient_id"].strip(): ";".join(
                sorted(x.strip() for x in r["manufacturer"].split(";"))
            )
            for r in csv.DictReader(f)
        }


def _kappa(sets: dict, ids: list[str], readers: dict[str, str]) -> dict:
    common = [k for k, pid in enumerate(ids) if pid in readers]
    if not common:
        return {"patients": 0}
    model = [";".join(sets[k][1]) or "none" for k in common]
    truth = [";".join(sets[k][0]) for k in common]
    reader = [readers[ids[k]] for k in common]
    return {
        "patients": len(common),
        "model_vs_reader": cohen_kappa(model, reader),
        "reader_vs_truth": cohen_kappa(reader, truth),
        "model_vs_truth": cohen_kappa(model, truth),
    }


def evaluate_run(run: Path, readers: Path | None = None) -> dict:
    """Metrics, plots and model card of a trained run, into RUN/eval/."""
    rc = RunConfig.read(run)
    info = json.loads((run / "train.json").read_text())
    data, issues = load_dataset(Path(rc.data))
    if issues:
        raise ValueError(f"{len(issues)} problem(s) in the dataset; run check-data: {rc.data}")
    assign = read_split(Path(rc.split), data)
    classes = info["classes"]
    models = load_models(run, len(classes), rc.scale)
    hflip = rc.train_config().screw_hflip
    pack = TorchPack(models, info["temperatures"], rc.crop_size, rc.scale, hflip)
    val_ids = sorted(p for p, s in assign.items() if s == "val")
    test_ids = sorted(p for p, s in assign.items() if s == "test")
    if not test_ids:
        raise ValueError("the split has no test patients")
    th = dict(DEFAULT_THRESHOLDS)
    if val_ids:
        th["detection"], th["nms_iou"], th["pair"] = tune_detection(collect(pack, data, val_ids))
    recs = collect(pack, data, test_ids)
    sets = _patient_sets(recs, classes, th)
    m = {
        "evaluated_on": f"test split of {Path(rc.data).name}: {len(test_ids)} patients",
        "classes": classes,
        "thresholds": th,
        "per_screw": {
            v: _screw_table(recs, classes, vs)
            for v, vs in (("ap", ("ap",)), ("lateral", ("lateral",)), ("both", VIEWS))
        },
        "per_patient": _patient_tables(recs, classes, th),
        "set_accuracy": float(np.mean([t == g for t, g in sets.values()])),
        "detection": _detection(recs, th),
        # The app's whole path: detections, crops of them, the vote (mixed rule included).
        "app_path": end_to_end(pack, recs, classes, th),  # type: ignore[arg-type]
        "view_accuracy": float(
            np.mean([int(np.argmax(r.view_logits)) == VIEWS.index(r.view) for r in recs])
        ),
    }
    if readers is not None:
        m["kappa"] = _kappa(sets, test_ids, read_readers(readers))
    out = run / "eval"
    out.mkdir(parents=True, exist_ok=True)
    plot_confusions(m, classes, out / "confusion.png")
    plot_reliability(m, out / "reliability.png")
    (out / "metrics.json").write_text(json.dumps(jsonable(m), indent=2) + "\n")
    from screwid_train.hospital_card import write_card

    write_card(out / "MODEL_CARD.md", m, rc, info, data, assign)
    return m
