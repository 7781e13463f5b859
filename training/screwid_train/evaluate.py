"""Run the exported pack the way the app does (onnxruntime + contract pre/post-processing)."""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tqdm import tqdm

from screwid_train.detector import decode
from screwid_train.imaging import box_iou, crop_mm_per_pixel, letterbox, screw_crop
from screwid_train.scale import spacing_or_assumed, with_scale_np

logger = logging.getLogger(__name__)


def softmax(x: np.ndarray, t: float = 1.0) -> np.ndarray:
    z = x / t
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


class Pack:
    """The four ONNX models of a pack directory, run one image at a time."""

    def __init__(
        self,
        pack: Path,
        temperatures: dict[str, float],
        classes: int = 3,
        hflip: bool | None = None,
    ) -> None:
        """`hflip`: read each screw with its crop's mirror image (None: as the pack's
        manifest says, if it has one yet)."""
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 2
        self.sess = {
            name: ort.InferenceSession(
                str(pack / f"{name}.onnx"), opts, providers=["CPUExecutionProvider"]
            )
            for name in ("view", "detector", "classifier_ap", "classifier_lateral")
        }
        self.temperatures = temperatures
        self.classes = classes
        # [1, C, H, W] of the classifiers: C = 2 adds the crop's scale (scale.py).
        shape = self.sess["classifier_ap"].get_inputs()[0].shape
        self.crop_channels, self.crop_size = int(shape[1]), int(shape[2])
        if hflip is None:
            path = pack / "manifest.json"
            spec = json.loads(path.read_text())["models"]["classifier_ap"] if path.exists() else {}
            hflip = bool(spec.get("average_hflip", False))
        self.hflip = hflip

    def _run(self, name: str, x: np.ndarray, mm_per_pixel: float | None = None) -> np.ndarray:
        inp = ((x - 0.5) / 0.25).astype(np.float32)[None, None]
        if mm_per_pixel is not None:
            inp = with_scale_np(inp, mm_per_pixel)
        return self.sess[name].run(None, {"input": inp})[0][0]

    def view_logits(self, display: np.ndarray) -> np.ndarray:
        return self._run("view", letterbox(display, 128, 128)[0])

    def detector_out(self, display: np.ndarray) -> tuple[np.ndarray, object]:
        x, g = letterbox(display, 512, 512)
        return self._run("detector", x), g

    def detect(
        self,
        display: np.ndarray,
        threshold: float,
        nms_iou: float,
    ) -> tuple[np.ndarray, np.ndarray]:
        out, g = self.detector_out(display)
        return boxes_to_image(out, g, threshold, nms_iou)

    def classify(
        self, display: np.ndarray, view: str, boxes: np.ndarray, spacing: float | None = None
    ) -> np.ndarray:
        """Calibrated probabilities [N, K] of each box's K known classes; `spacing` is the
        display's millimetres per pixel (None: unknown, as in a PNG).

        With an "other design" output (K + 1 logits) the softmax runs over all K + 1, as in
        the app, and the known probabilities then sum to 1 - other.
        """
        if len(boxes) == 0:
            return np.zeros((0, self.classes), dtype=np.float32)
        logits = np.stack([self._screw_logits(display, view, tuple(b), spacing) for b in boxes])
        return softmax(logits, self.temperatures[view])[:, : self.classes]

    def _screw_logits(
        self, display: np.ndarray, view: str, box: tuple, spacing: float | None
    ) -> np.ndarray:
        crop = screw_crop(display, box, self.crop_size)
        mm = None
        if self.crop_channels == 2:
            H, W = display.shape
            known = spacing_or_assumed(spacing, W, H)
            mm = crop_mm_per_pixel(box, W, H, self.crop_size, 0.15, known)
        return read_crop(lambda c: self._run(f"classifier_{view}", c, mm), crop, self.hflip)


def read_crop(run: Callable[[np.ndarray], np.ndarray], crop: np.ndarray, hflip: bool) -> np.ndarray:
    """A classifier's logits for one crop, as the contract reads them: with `hflip`
    (`average_hflip`), the mean of the crop's and its left-right mirror image's."""
    logits = run(crop)
    if hflip:
        logits = (logits + run(np.ascontiguousarray(crop[:, ::-1]))) / 2
    return logits


def boxes_to_image(
    out: np.ndarray,
    g: object,
    threshold: float,
    nms_iou: float,
    pair: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    boxes, scores = decode(out, threshold, nms_iou, pair=pair)
    if len(boxes):
        boxes = (boxes - np.array([g.ox, g.oy, g.ox, g.oy])) / g.scale  # type: ignore[attr-defined]
    return boxes, scores


def match(gt: np.ndarray, det: np.ndarray, iou: float = 0.5) -> np.ndarray:
    """Greedy one-to-one matching; returns for each GT box the detection index or -1."""
    out = np.full(len(gt), -1, dtype=np.int64)
    if len(gt) == 0 or len(det) == 0:
        return out
    m = box_iou(gt, det)
    used: set[int] = set()
    for k in np.argsort(-m.max(axis=1)):
        for d in np.argsort(-m[k]):
            if m[k, d] < iou:
                break
            if int(d) not in used:
                out[k] = int(d)
                used.add(int(d))
                break
    return out


def vote(
    probs: np.ndarray,
    labels: list[str],
    uncertain_below: float,
    min_share: float,
    min_screws: int,
    views: np.ndarray | None = None,
    min_per_view: int = 0,
) -> list[str]:
    """Designs of a patient from its confident screws (app's vote, mirrored here).

    `views`: each screw's view (any labels); a design then also needs `min_per_view`
    confident screws in every view that has confident screws."""
    if len(probs) == 0:
        return []
    confident = probs.max(axis=1) >= uncertain_below
    conf = probs[confident]
    if len(conf) == 0:
        return []
    counts = np.bincount(conf.argmax(axis=1), minlength=len(labels))
    shares = counts / counts.sum()
    in_each = np.ones(len(labels), dtype=bool)
    if views is not None:
        v = np.asarray(views)[confident]
        for name in np.unique(v):
            in_each &= np.bincount(conf[v == name].argmax(axis=1), minlength=len(labels)) >= (
                min_per_view
            )
    chosen = [
        labels[k]
        for k in range(len(labels))
        if shares[k] >= min_share and counts[k] >= min_screws and in_each[k]
    ]
    return chosen or [labels[int(counts.argmax())]]


def vote_views(probs: dict[str, np.ndarray], labels: list[str], th: dict) -> list[str]:
    """`vote` over the views of one patient (`probs` per view name) with a pack's
    thresholds (`mixed_min_per_view` 0 when absent)."""
    parts = [(v, p) for v, p in probs.items() if len(p)]
    if not parts:
        return []
    return vote(
        np.concatenate([p for _, p in parts]),
        labels,
        th["screw_uncertain_below"],
        th["mixed_min_share"],
        th["mixed_min_screws"],
        np.concatenate([[v] * len(p) for v, p in parts]),
        th.get("mixed_min_per_view", 0),
    )


def ece(probs: np.ndarray, labels: np.ndarray, bins: int = 15) -> tuple[float, list[dict]]:
    """Expected calibration error of the top class, with the bins for a reliability plot."""
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    edges = np.linspace(0, 1, bins + 1)
    total, table = 0.0, []
    for lo, hi in itertools.pairwise(edges):
        sel = (conf > lo) & (conf <= hi)
        if sel.any():
            gap = abs(correct[sel].mean() - conf[sel].mean())
            total += sel.mean() * gap
            table.append(
                {
                    "lo": lo,
                    "hi": hi,
                    "n": int(sel.sum()),
                    "acc": float(correct[sel].mean()),
                    "conf": float(conf[sel].mean()),
                }
            )
    return float(total), table


@dataclass
class ViewRecord:
    """Per image: truth and predictions, for threshold tuning and metrics."""

    view: str
    patient: int
    gt_boxes: np.ndarray
    gt_labels: list[str]
    det_out: np.ndarray
    letterbox: object
    gt_probs: np.ndarray
    view_logits: np.ndarray
    display: np.ndarray = field(repr=False)
    spacing: float | None = None  # display mm per pixel


def collect(pack: Pack, results: list[dict], desc: str) -> list[ViewRecord]:
    """Run view, detector and classifier (on truth boxes) over rendered patients."""
    recs = []
    for r in tqdm(results, desc=desc):
        for view, v in r["views"].items():
            disp = v["display"].astype(np.float32)
            gt = np.array(v["screw_boxes"], dtype=np.float64).reshape(-1, 4)
            out, g = pack.detector_out(disp)
            recs.append(
                ViewRecord(
                    view,
                    r["index"],
                    gt,
                    list(v["screw_labels"]),
                    out,
                    g,
                    pack.classify(disp, view, gt, v.get("spacing")),
                    pack.view_logits(disp),
                    disp,
                    v.get("spacing"),
                )
            )
    return recs


def detection_stats(
    recs: list[ViewRecord],
    threshold: float,
    nms_iou: float,
    pair: float | None = None,
) -> dict[str, dict[str, float]]:
    stats: dict[str, dict[str, float]] = {}
    for view in ("ap", "lateral"):
        tp = n_gt = n_det = 0
        for r in (x for x in recs if x.view == view):
            boxes, _ = boxes_to_image(r.det_out, r.letterbox, threshold, nms_iou, pair)
            m = match(r.gt_boxes, boxes)
            tp += int((m >= 0).sum())
            n_gt += len(r.gt_boxes)
            n_det += len(boxes)
        stats[view] = {
            "recall": tp / max(n_gt, 1),
            "precision": tp / max(n_det, 1),
            "screws": n_gt,
            "detections": n_det,
        }
    return stats


def _mean_f1(st: dict[str, dict[str, float]]) -> float:
    return float(
        np.mean(
            [
                2 * s["recall"] * s["precision"] / max(s["recall"] + s["precision"], 1e-9)
                for s in st.values()
            ]
        )
    )


def tune_detection(recs: list[ViewRecord]) -> tuple[float, float, float]:
    """Threshold, NMS IoU and second-screw threshold maximising mean F1 over the two views
    (validation split); the second-screw threshold is searched once the other two are set."""
    best, best_cfg = -1.0, (0.35, 0.5)
    for nms_iou in (0.5, 0.6, 0.7, 0.8):
        for thr in np.arange(0.15, 0.75, 0.05):
            f1 = _mean_f1(detection_stats(recs, float(thr), nms_iou))
            if f1 > best:
                best, best_cfg = f1, (round(float(thr), 2), nms_iou)
    thr, nms_iou = best_cfg
    best_pair = thr
    for pair in np.arange(thr, 0.96, 0.05):
        f1 = _mean_f1(detection_stats(recs, thr, nms_iou, float(pair)))
        if f1 > best + 1e-9:
            best, best_pair = f1, round(float(pair), 2)
    return thr, nms_iou, best_pair
