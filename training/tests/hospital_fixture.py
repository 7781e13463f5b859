"""A tiny "hospital" dataset made from the phantom renderer, in the documented layout."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from screwid_train.designs import load_designs
from screwid_train.dicomio import write_dicom
from screwid_train.render.patient import sample_patient
from screwid_train.render.scene import render_patient

CLASSES = ["Medtronic", "NuVasive", "Stryker"]
# (patient id, designs, image format, box format): DICOM and PNG, YOLO and COCO, one mixed.
PLAN = [
    ("H01", ("medtronic",), "dcm", "yolo"),
    ("H02", ("medtronic",), "png", "coco"),
    ("H03", ("medtronic",), "dcm", "coco"),
    ("H04", ("nuvasive",), "png", "yolo"),
    ("H05", ("nuvasive",), "dcm", "yolo"),
    ("H06", ("nuvasive",), "png", "coco"),
    ("H07", ("stryker",), "dcm", "coco"),
    ("H08", ("stryker",), "png", "yolo"),
    ("H09", ("stryker",), "dcm", "yolo"),
    ("H10", ("nuvasive", "medtronic"), "png", "coco"),
]


def _write_image(path: Path, rv, pid: str, seed: int, fmt: str) -> tuple[int, int]:
    if fmt == "dcm":
        write_dicom(path, rv, pid, seed, "CR", syntax="none")
    else:
        disp = rv.display()
        Image.fromarray((disp * 65535).round().astype(np.uint16)).save(path)
    H, W = rv.stored.shape
    return W, H


def make_hospital(root: Path, long_side: int = 320) -> Path:
    df = load_designs()
    (root / "images").mkdir(parents=True)
    (root / "labels").mkdir()
    (root / "annotations").mkdir()
    (root / "classes.txt").write_text("\n".join(CLASSES) + "\n")
    coco = {"images": [], "annotations": [], "categories": []}
    coco["categories"] = [{"id": k + 1, "name": n} for k, n in enumerate(CLASSES)]
    rows = ["patient_id,ap_file,lateral_file,manufacturer"]
    for k, (pid, designs, fmt, boxes) in enumerate(PLAN):
        seed = 5000 + k
        views = render_patient(sample_patient(df, seed, designs, pid), long_side=long_side)
        names = {}
        for view, rv in views.items():
            name = f"{pid}_{view}.{fmt}"
            W, H = _write_image(root / "images" / name, rv, pid, seed, fmt)
            names[view] = name
            if boxes == "yolo":
                lines = [
                    f"{CLASSES.index(s.label)} {(s.box[0] + s.box[2]) / 2 / W:.6f} "
                    f"{(s.box[1] + s.box[3]) / 2 / H:.6f} {(s.box[2] - s.box[0]) / W:.6f} "
                    f"{(s.box[3] - s.box[1]) / H:.6f}"
                    for s in rv.screws
                ]
                (root / "labels" / f"{pid}_{view}.txt").write_text("\n".join(lines) + "\n")
            else:
                iid = len(coco["images"]) + 1
                # As CVAT and Roboflow write it: a folder prefix the matcher must see through.
                coco["images"].append(
                    {"id": iid, "file_name": f"images/{name}", "width": W, "height": H}
                )
                for s in rv.screws:
                    x0, y0, x1, y1 = s.box
                    coco["annotations"].append(
                        {
                            "id": len(coco["annotations"]) + 1,
                            "image_id": iid,
                            "category_id": CLASSES.index(s.label) + 1,
                            "bbox": [x0, y0, x1 - x0, y1 - y0],
                            "area": (x1 - x0) * (y1 - y0),
                            "iscrowd": 0,
                        }
                    )
        labels = sorted({s.label for rv in views.values() for s in rv.screws})
        manufacturer = "mixed" if len(labels) > 1 else labels[0]
        rows.append(f"{pid},{names['ap']},{names['lateral']},{manufacturer}")
    (root / "annotations" / "instances.json").write_text(json.dumps(coco))
    (root / "patients.csv").write_text("\n".join(rows) + "\n")
    return root
