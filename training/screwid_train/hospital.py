"""A hospital's own labelled radiographs: the folder layout, its CSV and its box files.

Layout of a dataset folder `DATA` (see training/README.md):

    DATA/patients.csv       patient_id,ap_file,lateral_file,manufacturer
    DATA/classes.txt        one manufacturer per line; YOLO class i is line i (0-based)
    DATA/images/...         DICOM (.dcm or no extension), PNG, JPG; CSV paths are relative here
    DATA/labels/...         YOLO boxes: images/a/b.png -> labels/a/b.txt, `class cx cy w h`
    DATA/annotations/*.json COCO boxes (CVAT, Label Studio, Roboflow exports)

The box class is the manufacturer of that screw. The CSV's manufacturer is one class name, a
`;` list of the names present (a mixed construct), or `mixed` (whatever the boxes say, at least
two). Reading never stops at the first problem: every inconsistency becomes an `Issue`.
"""

from __future__ import annotations

import csv
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

VIEWS = ("ap", "lateral")
CSV_COLUMNS = ("patient_id", "ap_file", "lateral_file", "manufacturer")
RASTER_SUFFIXES = {".png", ".jpg", ".jpeg"}
DICOM_SUFFIXES = {".dcm", ".dicom", ""}
MIXED = "mixed"
# Boxes may overrun the image edge by this much (pixels) before it counts as an error:
# labelling tools round dragged corners.
EDGE_TOLERANCE_PX = 1.0


@dataclass(frozen=True, order=True)
class Issue:
    """One inconsistency; printed as one line with the file last."""

    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.message}: {self.file}"


@dataclass(frozen=True)
class Box:
    """A screw box in pixels of the stored image, with its manufacturer."""

    x0: float
    y0: float
    x1: float
    y1: float
    label: str

    def xyxy(self) -> tuple[float, float, float, float]:
        return (self.x0, self.y0, self.x1, self.y1)


@dataclass
class ImageEntry:
    """One radiograph of a patient and its boxes (pixels, once the image size is known)."""

    path: Path
    view: str
    boxes: list[Box] = field(default_factory=list)
    source: str = ""  # the boxes file, for messages


@dataclass
class Patient:
    patient_id: str
    manufacturer: str  # as written in the CSV
    images: dict[str, ImageEntry]

    def designs(self) -> list[str]:
        """Sorted manufacturers of the patient's boxes."""
        return sorted({b.label for im in self.images.values() for b in im.boxes})

    def stratum(self) -> str:
        """Key for the stratified split: the CSV's manufacturer, lists sorted."""
        parts = sorted(p.strip() for p in self.manufacturer.split(";"))
        return ";".join(parts)


@dataclass
class HospitalData:
    root: Path
    classes: list[str]
    patients: list[Patient]

    def by_id(self) -> dict[str, Patient]:
        return {p.patient_id: p for p in self.patients}


def rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def read_display(path: Path) -> np.ndarray:
    """Display image per docs/contracts.md: DICOM windowed, PNG/JPEG luma / max code value."""
    if path.suffix.lower() in RASTER_SUFFIXES:
        with Image.open(path) as im:
            im = ImageOps.exif_transpose(im)
            if im.mode in ("I;16", "I;16B", "I;16L", "I"):
                a = np.asarray(im, dtype=np.float32)
                return np.clip(a / 65535.0, 0.0, 1.0)
            return np.asarray(im.convert("L"), dtype=np.float32) / 255.0
    from screwid_train.dicomio import read_display as dicom_display

    return dicom_display(path)


def read_spacing(path: Path) -> float | None:
    """Millimetres per pixel of a radiograph as the app reads it: a DICOM's column spacing
    (`PixelSpacing`, else `ImagerPixelSpacing`); None for PNG / JPEG, which carry none."""
    if path.suffix.lower() in RASTER_SUFFIXES:
        return None
    from screwid_train.dicomio import read_spacing as dicom_spacing

    return dicom_spacing(path)


def image_size(path: Path) -> tuple[int, int]:
    """(width, height) of the stored image, reading only the header where possible."""
    if path.suffix.lower() in RASTER_SUFFIXES:
        with Image.open(path) as im:
            im = ImageOps.exif_transpose(im)
            return im.size
    import pydicom

    ds = pydicom.dcmread(path, stop_before_pixels=True)
    return int(ds.Columns), int(ds.Rows)


def read_classes(root: Path, issues: list[Issue]) -> list[str] | None:
    path = root / "classes.txt"
    if not path.exists():
        return None
    names = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    while names and not names[-1]:
        names.pop()
    for k, n in enumerate(names):
        if not n:
            issues.append(Issue(rel(root, path), f"line {k + 1} is empty"))
        elif names.index(n) != k:
            issues.append(Issue(rel(root, path), f"class {n!r} is listed twice"))
        elif n.lower() == MIXED:
            issues.append(Issue(rel(root, path), f"{MIXED!r} is reserved for the CSV"))
    return names


def read_patients_csv(root: Path, issues: list[Issue]) -> list[dict[str, str]]:
    path = root / "patients.csv"
    if not path.exists():
        issues.append(Issue(rel(root, path), "patients CSV is missing"))
        return []
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            issues.append(Issue(rel(root, path), f"CSV lacks the column(s) {', '.join(missing)}"))
            return []
        rows = []
        for k, row in enumerate(reader, start=2):
            row = {c: (row.get(c) or "").strip() for c in CSV_COLUMNS}
            row["_line"] = str(k)
            rows.append(row)
    return rows


def _yolo_boxes(
    path: Path, root: Path, classes: list[str] | None, issues: list[Issue]
) -> list[tuple[float, float, float, float, str]]:
    """Normalised (cx, cy, w, h, label) rows of one YOLO file."""
    where = rel(root, path)
    text = path.read_text(encoding="utf-8", errors="replace")
    lines = [(k, ln.split()) for k, ln in enumerate(text.splitlines(), start=1) if ln.strip()]
    if not lines:
        issues.append(Issue(where, "boxes file is empty"))
        return []
    if classes is None:
        issues.append(Issue(where, "YOLO boxes need classes.txt to name their classes"))
        return []
    out = []
    for k, parts in lines:
        try:
            cls, *vals = parts
            c = int(cls)
            cx, cy, w, h = (float(v) for v in vals)
        except ValueError:
            issues.append(Issue(where, f"line {k} is not `class cx cy w h`"))
            continue
        if not 0 <= c < len(classes):
            issues.append(
                Issue(where, f"line {k}: unknown class {c} (classes.txt has 0..{len(classes) - 1})")
            )
            continue
        out.append((cx, cy, w, h, classes[c]))
    return out


@dataclass
class _Labels:
    """Boxes found per image path (relative to images/), before pixel conversion."""

    yolo: dict[str, Path] = field(default_factory=dict)
    coco: dict[str, list[tuple[Path, dict, list[dict]]]] = field(default_factory=dict)
    coco_names: set[str] = field(default_factory=set)


def _coco_files(root: Path, images_dir: Path, labels: _Labels, issues: list[Issue]) -> None:
    adir = root / "annotations"
    for path in sorted(adir.glob("*.json")) if adir.is_dir() else []:
        where = rel(root, path)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            cats = {int(c["id"]): str(c["name"]) for c in doc["categories"]}
            images = {int(i["id"]): i for i in doc["images"]}
            anns = list(doc.get("annotations", []))
        except (ValueError, KeyError, TypeError) as e:
            issues.append(Issue(where, f"not a COCO file ({e.__class__.__name__}: {e})"))
            continue
        per_image: dict[int, list[dict]] = {k: [] for k in images}
        for a in anns:
            if a.get("image_id") not in per_image:
                issues.append(Issue(where, f"annotation {a.get('id')} names no listed image"))
                continue
            name = cats.get(a.get("category_id"))
            if name is None:
                issues.append(
                    Issue(
                        where,
                        f"annotation {a.get('id')}: unknown category id {a.get('category_id')}",
                    )
                )
                continue
            per_image[a["image_id"]].append({**a, "_label": name})
            labels.coco_names.add(name)
        for iid, img in images.items():
            key = _match_image(str(img.get("file_name", "")), images_dir)
            if key is None:
                issues.append(
                    Issue(where, f"COCO image {img.get('file_name')!r} is not in images/")
                )
                continue
            labels.coco.setdefault(key, []).append((path, img, per_image[iid]))


def _match_image(file_name: str, images_dir: Path) -> str | None:
    """A COCO file_name as a path under images/: as written, else by its last parts.

    Exports write `images/x.png` (CVAT, Roboflow), `../data/upload/1/x.png` (Label Studio) or
    just `x.png`; the longest tail that exists under images/ wins."""
    parts = Path(file_name.replace("\\", "/")).parts
    for k in range(len(parts)):
        cand = Path(*parts[k:])
        if ".." not in cand.parts and (images_dir / cand).is_file():
            return cand.as_posix()
    return None


def _gather_labels(root: Path, issues: list[Issue]) -> _Labels:
    labels = _Labels()
    ldir = root / "labels"
    if ldir.is_dir():
        for p in sorted(ldir.rglob("*.txt")):
            labels.yolo[p.relative_to(ldir).with_suffix("").as_posix()] = p
    _coco_files(root, root / "images", labels, issues)
    return labels


def _boxes_for(
    entry: ImageEntry,
    key: str,
    labels: _Labels,
    root: Path,
    classes: list[str],
    issues: list[Issue],
    yolo_classes: list[str] | None,
) -> None:
    """Fill `entry.boxes` in pixels from whichever source labels this image."""
    where = rel(root, entry.path)
    yolo = labels.yolo.get(str(Path(key).with_suffix("").as_posix()))
    coco = labels.coco.get(key, [])
    sources = ([yolo] if yolo else []) + [c[0] for c in coco]
    if not sources:
        issues.append(Issue(where, "no boxes file (YOLO txt or COCO entry) for this image"))
        return
    if len(sources) > 1:
        names = ", ".join(rel(root, s) for s in sources)
        issues.append(Issue(where, f"image is labelled more than once ({names})"))
        return
    try:
        W, H = image_size(entry.path)
    except Exception as e:  # any reader failure is the image's problem
        issues.append(Issue(where, f"unreadable image ({e.__class__.__name__})"))
        return
    if yolo:
        entry.source = rel(root, yolo)
        for cx, cy, w, h, name in _yolo_boxes(yolo, root, yolo_classes, issues):
            entry.boxes.append(
                Box((cx - w / 2) * W, (cy - h / 2) * H, (cx + w / 2) * W, (cy + h / 2) * H, name)
            )
        return
    path, img, anns = coco[0]
    entry.source = rel(root, path)
    if (img.get("width"), img.get("height")) != (W, H) and img.get("width") is not None:
        issues.append(
            Issue(where, f"COCO says {img.get('width')}x{img.get('height')} px, image is {W}x{H}")
        )
    if not anns:
        issues.append(Issue(where, f"no boxes for this image in {entry.source}"))
    for a in anns:
        if a["_label"] not in classes:
            issues.append(Issue(entry.source, f"unknown class {a['_label']!r} (image {where})"))
            continue
        try:
            x, y, w, h = (float(v) for v in a["bbox"])
        except (KeyError, TypeError, ValueError):
            issues.append(Issue(entry.source, f"annotation {a.get('id')} has no valid bbox"))
            continue
        entry.boxes.append(Box(x, y, x + w, y + h, a["_label"]))


def check_box_geometry(entry: ImageEntry, size: tuple[int, int], root: Path) -> list[Issue]:
    W, H = size
    out = []
    t = EDGE_TOLERANCE_PX
    for k, b in enumerate(entry.boxes, start=1):
        src = f"{entry.source} (for {rel(root, entry.path)})"
        if b.x1 - b.x0 <= 0 or b.y1 - b.y0 <= 0:
            out.append(Issue(src, f"box {k} has no area"))
        elif b.x0 < -t or b.y0 < -t or b.x1 > W + t or b.y1 > H + t:
            box = ", ".join(f"{v:.0f}" for v in b.xyxy())
            out.append(Issue(src, f"box {k} [{box}] lies outside the {W}x{H} image"))
    return out


def _manufacturer_issues(p: Patient, classes: list[str], csv_where: str) -> list[Issue]:
    """CSV manufacturer against the class list and against the patient's box classes."""
    out = []
    m = p.manufacturer
    if not m:
        return [Issue(csv_where, f"patient {p.patient_id}: no manufacturer")]
    listed = [] if m.lower() == MIXED else [x.strip() for x in m.split(";")]
    for name in listed:
        if name not in classes:
            out.append(
                Issue(
                    csv_where,
                    f"patient {p.patient_id}: manufacturer {name!r} is not in the class list",
                )
            )
    boxes = p.designs()
    if out or not boxes:
        return out
    if m.lower() == MIXED:
        if len(boxes) < 2:
            out.append(
                Issue(
                    csv_where, f"patient {p.patient_id}: marked mixed but every box is {boxes[0]}"
                )
            )
    elif set(boxes) != set(listed):
        out.append(
            Issue(
                csv_where,
                f"patient {p.patient_id}: CSV says {';'.join(listed)} "
                f"but the boxes say {';'.join(boxes)}",
            )
        )
    return out


def load_dataset(root: Path) -> tuple[HospitalData, list[Issue]]:
    """Read the CSV, the class list and every box file; images are not decoded here."""
    issues: list[Issue] = []
    listed = read_classes(root, issues)
    rows = read_patients_csv(root, issues)
    labels = _gather_labels(root, issues)
    classes = listed if listed is not None else sorted(labels.coco_names)
    csv_where = "patients.csv"
    patients: list[Patient] = []
    seen_ids: dict[str, str] = {}
    used: dict[str, str] = {}
    for row in rows:
        line = row["_line"]
        pid = row["patient_id"]
        if not pid:
            issues.append(Issue(csv_where, f"line {line}: no patient_id"))
            continue
        if pid in seen_ids:
            issues.append(
                Issue(
                    csv_where,
                    f"line {line}: patient {pid} is listed twice (first on line {seen_ids[pid]})",
                )
            )
            continue
        seen_ids[pid] = line
        images: dict[str, ImageEntry] = {}
        for view in VIEWS:
            name = row[f"{view}_file"]
            if not name:
                issues.append(Issue(csv_where, f"line {line}: patient {pid} has no {view}_file"))
                continue
            path = root / "images" / name
            key = Path(name).as_posix()
            if key in used:
                issues.append(
                    Issue(
                        f"images/{key}",
                        f"image used by two patients or views ({used[key]} and {pid} {view})",
                    )
                )
                continue
            used[key] = f"{pid} {view}"
            if not path.is_file():
                issues.append(Issue(f"images/{key}", f"missing image (patient {pid}, {view})"))
                continue
            suffix = path.suffix.lower()
            if suffix not in RASTER_SUFFIXES | DICOM_SUFFIXES:
                issues.append(Issue(f"images/{key}", f"unsupported image type {suffix!r}"))
                continue
            entry = ImageEntry(path, view)
            _boxes_for(entry, key, labels, root, classes, issues, listed)
            images[view] = entry
        p = Patient(pid, row["manufacturer"], images)
        issues.extend(_manufacturer_issues(p, classes, csv_where))
        patients.append(p)
    if len(classes) < 2 and not any("patients CSV" in i.message for i in issues):
        issues.append(
            Issue("classes.txt", f"need at least two manufacturers, found {len(classes)}")
        )
    return HospitalData(root, classes, patients), issues
