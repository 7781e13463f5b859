"""Run a pack over full-size DICOM patients (e.g. the bundled samples), as the app would."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from screwid_train.dicomio import read_display, read_spacing
from screwid_train.evaluate import Pack, match, vote_views

logger = logging.getLogger(__name__)

VIEW_NAMES = ("ap", "lateral", "other")


def check_patient(pack: Pack, manifest: dict, folder: Path) -> dict:
    """View, detections, per-screw labels and the vote for one patient folder."""
    truth = json.loads((folder / "truth.json").read_text())
    th = manifest["thresholds"]
    labels = [c["name"] for c in manifest["classes"]]
    by_view: dict[str, list[np.ndarray]] = {}
    rows = []
    for im in truth["images"]:
        disp = read_display(folder / im["file"])
        view = VIEW_NAMES[int(np.argmax(pack.view_logits(disp)))]
        boxes, _ = pack.detect(disp, th["detection"], th["nms_iou"])
        use_view = view if view in ("ap", "lateral") else im["view"]
        probs = pack.classify(disp, use_view, boxes, read_spacing(folder / im["file"]))
        gt = np.array([s["box"] for s in im["screws"]], dtype=np.float64).reshape(-1, 4)
        m = match(gt, boxes)
        correct = sum(
            int(labels[int(probs[d].argmax())] == s["label"])
            for s, d in zip(im["screws"], m, strict=True)
            if d >= 0
        )
        rows.append(
            {
                "file": im["file"],
                "view_true": im["view"],
                "view_pred": view,
                "screws": len(gt),
                "detections": len(boxes),
                "matched": int((m >= 0).sum()),
                "matched_correct": correct,
            }
        )
        by_view.setdefault(use_view, []).append(probs)
    got = vote_views({v: np.concatenate(p) for v, p in by_view.items()}, labels, th)
    return {
        "patient": truth["patient"],
        "designs_true": truth["designs"],
        "designs_pred": got,
        "images": rows,
    }


def check_folder(pack_dir: Path, samples: Path) -> list[dict]:
    manifest = json.loads((pack_dir / "manifest.json").read_text())
    temps = {v: manifest["models"][f"classifier_{v}"]["temperature"] for v in ("ap", "lateral")}
    pack = Pack(pack_dir, temps)
    out = [
        check_patient(pack, manifest, d)
        for d in sorted(samples.iterdir())
        if (d / "truth.json").exists()
    ]
    for r in out:
        print(json.dumps(r))
    return out
