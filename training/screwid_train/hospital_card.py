"""MODEL_CARD.md of a pack trained on a hospital dataset: what it saw, how it scores.

No patient identifier and no file name goes into the card: it travels with the pack."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from screwid_train.hospital import HospitalData
from screwid_train.hospital_train import RunConfig

logger = logging.getLogger(__name__)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f} %"


def trained_on(data: HospitalData, assign: dict[str, str], info: dict) -> str:
    """The manifest's one paragraph (shown in the app)."""
    n = info["patients"]
    formats = Counter(
        im.path.suffix.lower() or ".dcm" for p in data.patients for im in p.images.values()
    )
    mixed = sum(len(p.designs()) > 1 for p in data.patients)
    return (
        f"Trained on the labelled radiographs of dataset '{data.root.name}': "
        f"{sum(n.values())} patients (train {n['train']}, validation {n['val']}, test {n['test']}; "
        f"{mixed} with mixed constructs), AP and lateral views "
        f"({', '.join(f'{k} {v}' for k, v in sorted(formats.items()))}), manufacturers "
        f"{', '.join(data.classes)}. Trained from scratch, no pretrained weights. Results hold "
        "for radiographs like these only; check them on your own before any use."
    )


def _table2(m: dict) -> list[str]:
    rows = [
        "| level | view | n | accuracy | precision | recall | specificity | F1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for level, key in (("per screw", "per_screw"), ("per patient", "per_patient")):
        for view in ("ap", "lateral", "both"):
            t = m[key][view]
            if t is None:
                rows.append(f"| {level} | {view} | 0 | - | - | - | - | - |")
                continue
            rows.append(
                f"| {level} | {view} | {t['n']} | {_pct(t['accuracy'])} | {_pct(t['precision'])} | "
                f"{_pct(t['recall'])} | {_pct(t['specificity'])} | {_pct(t['f1'])} |"
            )
    return rows


def _per_class(m: dict) -> list[str]:
    t = m["per_screw"]["both"]
    if t is None:
        return []
    rows = [
        "| manufacturer | screws | precision | recall | specificity | F1 |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in t["per_class"].items():
        rows.append(
            f"| {name} | {r['support']} | {_pct(r['precision'])} | {_pct(r['recall'])} | "
            f"{_pct(r['specificity'])} | {_pct(r['f1'])} |"
        )
    return rows


def write_card(
    path: Path, m: dict, rc: RunConfig, info: dict, data: HospitalData, assign: dict[str, str]
) -> None:
    det = m["detection"]
    screws = Counter(
        b.label
        for p in data.patients
        if assign[p.patient_id] == "train"
        for im in p.images.values()
        for b in im.boxes
    )
    lines = [
        f"# ScrewID model pack trained on `{data.root.name}`",
        "",
        "## What it was trained on",
        "",
        trained_on(data, assign, info),
        "",
        "Training screws per manufacturer (both views): "
        + ", ".join(f"{k} {v}" for k, v in sorted(screws.items()))
        + f". The view model's 'other' class: {info['others']} non-spine images "
        "(rendered phantoms of chest, pelvis, leg, CT-like slices"
        + (", plus the given folder" if rc.others else "")
        + ").",
        "",
        "## Test results (Table 2 layout)",
        "",
        m["evaluated_on"] + ". Per screw: the screw classifier on the labelled boxes. Per "
        "patient: the majority label of the patient's confident screws; mixed patients are "
        f"left out of that row and counted in the set accuracy ({_pct(m['set_accuracy'])} of "
        "test patients get exactly their set of manufacturers from the app's vote). Weighted "
        "averages weight each manufacturer by its number of true items.",
        "",
        *_table2(m),
        "",
        "Per manufacturer, per screw, both views:",
        "",
        *_per_class(m),
        "",
        f"Detection (IoU >= 0.5, threshold {m['thresholds']['detection']} tuned on validation): "
        f"AP recall {_pct(det['ap']['recall'])}, mAP@0.5 {det['ap']['map50']:.3f}; lateral recall "
        f"{_pct(det['lateral']['recall'])}, mAP@0.5 {det['lateral']['map50']:.3f}. "
        f"View classifier: {_pct(m['view_accuracy'])} of test images.",
        "",
        "The app's whole path (detections, their crops, the vote): per-screw accuracy on "
        f"matched detections AP {_pct(m['app_path']['matched_screw_accuracy']['ap'])}, lateral "
        f"{_pct(m['app_path']['matched_screw_accuracy']['lateral'])}; "
        f"{_pct(m['app_path']['patient_accuracy'])} of patients get exactly their set of "
        "manufacturers.",
        "",
        f"Calibration (ECE, 15 bins, temperatures fitted on validation: ap "
        f"{info['temperatures']['ap']}, lateral {info['temperatures']['lateral']}): "
        + ", ".join(
            f"{v} {m['per_screw'][v]['ece']:.3f}" for v in ("ap", "lateral") if m["per_screw"][v]
        ),
        "",
    ]
    if "kappa" in m and m["kappa"]["patients"]:
        k = m["kappa"]
        lines += [
            f"Cohen's kappa on {k['patients']} test patients read by a reader: model vs reader "
            f"{k['model_vs_reader']:.3f}, reader vs truth {k['reader_vs_truth']:.3f}, model vs "
            f"truth {k['model_vs_truth']:.3f}.",
            "",
        ]
    lines += [
        "![confusion matrices](confusion.png)",
        "",
        "![reliability diagrams](reliability.png)",
        "",
        "All numbers are in `metrics.json`.",
        "",
        "## How it was built",
        "",
        f"`screwid-train train --seed {rc.seed}`, then `evaluate` and `export`, on "
        f"{datetime.now(UTC).date().isoformat()}. Training settings: `{rc.train}`.",
        "",
        "## Limitations",
        "",
        "- One hospital's radiographs: other detectors, protocols and implants may score lower.",
        "- The 'other' class of the view model is synthetic unless a folder of real non-spine "
        "images was given.",
        "- Per-patient results rest on few patients; see n in the table.",
        "",
    ]
    path.write_text("\n".join(lines))
