"""The founding study's Table 2 metrics, detection AP and Cohen's kappa, as plain functions.

Per class, one-vs-rest: precision TP/(TP+FP), recall TP/(TP+FN), specificity TN/(TN+FP), F1.
"Weighted" averages weight each class by its support (number of true items), as scikit-learn's
`average="weighted"`; a class with no prediction gets precision 0 (and likewise for 0/0).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from screwid_train.imaging import box_iou

logger = logging.getLogger(__name__)


def _div(a: float, b: float) -> float:
    return float(a) / float(b) if b else 0.0


def confusion(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    """[truth, prediction] counts."""
    c = np.zeros((k, k), dtype=np.int64)
    np.add.at(c, (np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)), 1)
    return c


def per_class(c: np.ndarray) -> list[dict[str, float]]:
    """One-vs-rest precision, recall, specificity, F1 and support of each class."""
    total = c.sum()
    out = []
    for k in range(len(c)):
        tp = c[k, k]
        fp = c[:, k].sum() - tp
        fn = c[k, :].sum() - tp
        tn = total - tp - fp - fn
        p, r = _div(tp, tp + fp), _div(tp, tp + fn)
        out.append(
            {
                "precision": p,
                "recall": r,
                "specificity": _div(tn, tn + fp),
                "f1": _div(2 * p * r, p + r),
                "support": int(c[k, :].sum()),
            }
        )
    return out


def table2(y_true: np.ndarray, y_pred: np.ndarray, names: list[str]) -> dict:
    """Accuracy, weighted precision / recall / specificity / F1, per-class rows, confusion."""
    c = confusion(y_true, y_pred, len(names))
    rows = per_class(c)
    n = c.sum()
    w = np.array([r["support"] for r in rows], dtype=np.float64)
    w = w / w.sum() if w.sum() else w
    avg = {m: float(sum(wk * r[m] for wk, r in zip(w, rows, strict=True))) for m in rows[0]}
    return {
        "n": int(n),
        "accuracy": _div(np.trace(c), n),
        "precision": avg["precision"],
        "recall": avg["recall"],
        "specificity": avg["specificity"],
        "f1": avg["f1"],
        "per_class": {name: r for name, r in zip(names, rows, strict=True)},
        "confusion": c.tolist(),
    }


def cohen_kappa(a: list[str], b: list[str]) -> float:
    """Cohen's kappa of two raters' labels (any strings): (p_o - p_e) / (1 - p_e)."""
    if len(a) != len(b) or not a:
        raise ValueError("kappa needs two equally long, non-empty label lists")
    cats = sorted(set(a) | set(b))
    c = confusion([cats.index(x) for x in a], [cats.index(x) for x in b], len(cats))
    n = c.sum()
    po = np.trace(c) / n
    pe = float((c.sum(0) * c.sum(1)).sum()) / n**2
    return 1.0 if pe == 1 else float((po - pe) / (1 - pe))


def average_precision(
    gts: list[np.ndarray], dets: list[tuple[np.ndarray, np.ndarray]], iou: float = 0.5
) -> float:
    """AP of one class over images: detections sorted by score over all images, each matched
    greedily to the unmatched ground truth box of highest IoU >= `iou` in its image; the area
    under the precision-recall curve with precision made monotone (all-point interpolation, as
    PASCAL VOC 2010+ and COCO's AP50 without its 101-point sampling)."""
    n_gt = sum(len(g) for g in gts)
    if n_gt == 0:
        return 0.0
    flat = [(float(s), i, k) for i, (_, sc) in enumerate(dets) for k, s in enumerate(sc)]
    flat.sort(key=lambda t: -t[0])
    used = [np.zeros(len(g), dtype=bool) for g in gts]
    tp = np.zeros(len(flat))
    for j, (_, i, k) in enumerate(flat):
        g = gts[i]
        if len(g) == 0:
            continue
        ious = box_iou(dets[i][0][k : k + 1], g)[0]
        ious[used[i]] = -1
        best = int(np.argmax(ious))
        if ious[best] >= iou:
            used[i][best] = True
            tp[j] = 1
    ctp = np.cumsum(tp)
    recall = ctp / n_gt
    precision = ctp / np.arange(1, len(flat) + 1)
    r = np.concatenate([[0.0], recall, [recall[-1] if len(recall) else 0.0]])
    p = np.concatenate([[1.0], precision, [0.0]])
    p = np.maximum.accumulate(p[::-1])[::-1]
    return float(np.sum((r[1:] - r[:-1]) * p[1:]))


def jsonable(x: object) -> object:
    """`x` with numpy numbers as Python ones (floats to 4 places) and paths as text."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [jsonable(v) for v in x]
    if isinstance(x, np.floating | float):
        return round(float(x), 4)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, Path):
        return str(x)
    return x
