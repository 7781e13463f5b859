"""Test metrics of a pack, plots, and the model card."""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from screwid_train.evaluate import (
    Pack,
    ViewRecord,
    boxes_to_image,
    ece,
    match,
    softmax,
    vote_views,
)

logger = logging.getLogger(__name__)


def screw_metrics(recs: list[ViewRecord], labels: list[str]) -> dict:
    out: dict = {}
    for view in ("ap", "lateral"):
        probs = [r.gt_probs for r in recs if r.view == view and len(r.gt_probs)]
        y = [
            np.array([labels.index(s) for s in r.gt_labels])
            for r in recs
            if r.view == view and len(r.gt_probs)
        ]
        p, t = np.concatenate(probs), np.concatenate(y)
        e, table = ece(p, t)
        conf = np.zeros((len(labels), len(labels)), dtype=np.int64)
        np.add.at(conf, (t, p.argmax(1)), 1)
        out[view] = {
            "accuracy": float((p.argmax(1) == t).mean()),
            "screws": len(t),
            "ece": e,
            "confusion": conf.tolist(),
            "bins": table,
        }
    return out


def _detected(
    pack: Pack, recs: list[ViewRecord], labels: list[str], th: dict
) -> tuple[dict[tuple[int, str], np.ndarray], dict[int, set[str]], dict[str, list[int]]]:
    """Per (patient, view): the probabilities of its detections, as the app gets them; per
    patient its true designs; per view [right, matched] screws."""
    per_view = {v: [0, 0] for v in ("ap", "lateral")}
    probs_of: dict[tuple[int, str], np.ndarray] = {}
    truth: dict[int, set[str]] = {}
    for r in recs:
        boxes, _ = boxes_to_image(
            r.det_out, r.letterbox, th["detection"], th["nms_iou"], th.get("pair")
        )
        probs = pack.classify(r.display, r.view, boxes, r.spacing)
        for k, d in enumerate(match(r.gt_boxes, boxes)):
            if d >= 0:
                per_view[r.view][0] += int(labels[int(probs[d].argmax())] == r.gt_labels[k])
                per_view[r.view][1] += 1
        probs_of[(r.patient, r.view)] = probs
        truth.setdefault(r.patient, set()).update(r.gt_labels)
    return probs_of, truth, per_view


def _patient_votes(
    probs_of: dict[tuple[int, str], np.ndarray],
    patients: list[int],
    labels: list[str],
    th: dict,
    views: tuple[str, ...] = ("ap", "lateral"),
) -> dict[int, set[str]]:
    return {
        pid: set(
            vote_views({v: probs_of[(pid, v)] for v in views if (pid, v) in probs_of}, labels, th)
        )
        for pid in patients
    }


def _mixed_rates(voted: dict[int, set[str]], truth: dict[int, set[str]]) -> tuple[float, float]:
    """Shares of mixed patients flagged mixed and of single-design ones flagged mixed."""
    mixed = [p for p in truth if len(truth[p]) > 1]
    single = [p for p in truth if len(truth[p]) == 1]
    flagged = float(np.mean([len(voted[p]) > 1 for p in mixed])) if mixed else float("nan")
    return flagged, float(np.mean([len(voted[p]) > 1 for p in single])) if single else 0.0


def end_to_end(pack: Pack, recs: list[ViewRecord], labels: list[str], th: dict) -> dict:
    """Detections classified from the display image, then voted per patient (AP only,
    lateral only and both views), with how often mixed and single-design patients are
    flagged as mixed."""
    probs_of, truth, per_view = _detected(pack, recs, labels, th)
    ids = sorted(truth)
    both = _patient_votes(probs_of, ids, labels, th)
    by_view = {v: _patient_votes(probs_of, ids, labels, th, (v,)) for v in ("ap", "lateral")}
    flagged, single_flagged = _mixed_rates(both, truth)
    mixed = [p for p in truth if len(truth[p]) > 1]
    return {
        "matched_screw_accuracy": {v: c / max(n, 1) for v, (c, n) in per_view.items()},
        "patient_accuracy": float(np.mean([both[p] == truth[p] for p in ids])),
        "patient_accuracy_by_view": {
            v: float(np.mean([by_view[v][p] == truth[p] for p in ids])) for v in by_view
        },
        "patients": len(truth),
        "mixed_patients": len(mixed),
        "mixed_flagged": flagged if mixed else None,
        "single_flagged_mixed": single_flagged,
    }


# Mixed rules tried on validation: (mixed_min_share, mixed_min_screws, mixed_min_per_view).
MIXED_RULES = [
    (share, screws, per_view)
    for share in (0.1, 0.15, 0.2, 0.25, 0.3)
    for screws in (2, 3, 4)
    for per_view in (0, 1, 2)
]
FOUNDING_RULE = (0.2, 2, 0)


def tune_mixed(
    pack: Pack, recs: list[ViewRecord], labels: list[str], th: dict
) -> dict[str, float | int]:
    """The mixed rule for validation patients `recs`, on their detections as the app
    votes them (`choose_mixed_rule`)."""
    probs_of, truth, _ = _detected(pack, recs, labels, th)
    return choose_mixed_rule(probs_of, truth, labels, th)


MIXED_KEYS = ("mixed_min_share", "mixed_min_screws", "mixed_min_per_view")


def choose_mixed_rule(
    probs_of: dict[tuple[int, str], np.ndarray],
    truth: dict[int, set[str]],
    labels: list[str],
    th: dict,
    single_max: float = 0.02,
) -> dict[str, float | int]:
    """Of `MIXED_RULES`: flagging at most `single_max` of single-design patients if any
    rule does, then the most mixed ones, then the most patients right, then the rule
    nearest the founding study's."""
    ids = sorted(truth)

    def key(rule: tuple[float, int, int]) -> tuple:
        rule_th = {**th, **dict(zip(MIXED_KEYS, rule, strict=True))}
        voted = _patient_votes(probs_of, ids, labels, rule_th)
        flagged, single = _mixed_rates(voted, truth)
        right = float(np.mean([voted[p] == truth[p] for p in ids]))
        steps = (0.05, 1, 1)  # one grid step of each
        far = sum(abs(a - b) / s for a, b, s in zip(rule, FOUNDING_RULE, steps, strict=True))
        return (single <= single_max, np.nan_to_num(flagged), right, -far)

    return dict(zip(MIXED_KEYS, max(MIXED_RULES, key=key), strict=True))


def unseen_metrics(recs: list[ViewRecord], known: list[ViewRecord], below: float) -> dict:
    def flagged(rs: list[ViewRecord]) -> float:
        p = np.concatenate([r.gt_probs for r in rs if len(r.gt_probs)])
        return float((p.max(axis=1) < below).mean())

    return {
        "unseen_screws": int(sum(len(r.gt_probs) for r in recs)),
        "unseen_screws_flagged_uncertain": flagged(recs),
        "known_screws_flagged_uncertain": flagged(known),
        "unseen_patients": len({r.patient for r in recs}),
    }


def tune_uncertain(recs: list[ViewRecord], labels: list[str], known_max: float = 0.03) -> float:
    """The highest uncertainty threshold leaving at most `known_max` of the known-design
    validation screws uncertain (a higher threshold flags more screws of unknown designs)."""
    p = [r.gt_probs[k] for r in recs for k, lab in enumerate(r.gt_labels) if lab in labels]
    if not p:
        return 0.6
    top = np.stack(p).max(axis=1)
    ok = [t for t in np.arange(0.5, 0.951, 0.05) if (top < t).mean() <= known_max]
    return round(float(max(ok)), 2) if ok else 0.5


def view_metrics(recs: list[ViewRecord], other_logits: np.ndarray) -> dict:
    names = ["ap", "lateral"]
    spine_ok = [int(np.argmax(r.view_logits) == names.index(r.view)) for r in recs]
    other_ok = (other_logits.argmax(axis=1) == 2) if len(other_logits) else np.zeros(0)
    return {
        "spine_views_correct": float(np.mean(spine_ok)),
        "spine_views": len(spine_ok),
        "other_correct": float(np.mean(other_ok)) if len(other_ok) else None,
        "others": len(other_logits),
    }


def plot_confusion(sm: dict, labels: list[str], path: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(9, 4))
    for ax, view in zip(axes, ("ap", "lateral"), strict=True):
        c = np.array(sm[view]["confusion"])
        ax.imshow(c, cmap="Blues")
        for i in range(len(labels)):
            for j in range(len(labels)):
                ax.text(j, i, str(c[i, j]), ha="center", va="center")
        ax.set_xticks(range(len(labels)), labels)
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xlabel("predicted")
        ax.set_ylabel("truth")
        ax.set_title(f"{view}: accuracy {sm[view]['accuracy']:.3f}")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_reliability(sm: dict, path: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(9, 4))
    for ax, view in zip(axes, ("ap", "lateral"), strict=True):
        bins = sm[view]["bins"]
        ax.plot([0, 1], [0, 1], "k--", lw=1)
        ax.bar(
            [(b["lo"] + b["hi"]) / 2 for b in bins],
            [b["acc"] for b in bins],
            width=1 / 15,
            alpha=0.6,
            edgecolor="k",
        )
        ax.set_xlabel("confidence")
        ax.set_ylabel("accuracy")
        ax.set_title(f"{view}: ECE {sm[view]['ece']:.3f}")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def other_logits(pack: Pack, others: np.ndarray) -> np.ndarray:
    out = []
    for img in others:
        inp = ((img.astype(np.float32) - 0.5) / 0.25)[None, None]
        out.append(pack.sess["view"].run(None, {"input": inp})[0][0])
    return np.array(out).reshape(-1, 3)


def softmax_view(x: np.ndarray) -> np.ndarray:
    return softmax(x, 1.0)
