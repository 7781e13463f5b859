"""`check-data`: every inconsistency of a hospital dataset at once, one line each."""

from __future__ import annotations

import logging
from pathlib import Path

from tqdm import tqdm

from screwid_train.hospital import (
    HospitalData,
    Issue,
    check_box_geometry,
    load_dataset,
    read_display,
    rel,
)

logger = logging.getLogger(__name__)


def _image_issues(data: HospitalData, flagged: set[str]) -> list[Issue]:
    """Decode every image (the app must be able to) and check its boxes against its size."""
    out: list[Issue] = []
    entries = [im for p in data.patients for im in p.images.values()]
    for im in tqdm(entries, desc="check images", disable=len(entries) < 20):
        where = rel(data.root, im.path)
        if where in flagged:
            continue
        try:
            disp = read_display(im.path)
        except Exception as e:  # any decoder failure is the file's problem, not ours
            out.append(Issue(where, f"unreadable image ({e.__class__.__name__}: {e})"[:200]))
            continue
        if disp.ndim != 2 or min(disp.shape) < 16:
            out.append(Issue(where, f"not a single grey image of usable size {disp.shape}"))
            continue
        H, W = disp.shape
        out.extend(check_box_geometry(im, (W, H), data.root))
    return out


def check_dataset(root: Path) -> tuple[HospitalData, list[Issue]]:
    """All issues of the dataset folder `root`, sorted by file."""
    if not root.is_dir():
        return HospitalData(root, [], []), [Issue(str(root), "dataset folder does not exist")]
    data, issues = load_dataset(root)
    flagged = {i.file for i in issues if i.message.startswith("unreadable")}
    issues = issues + _image_issues(data, flagged)
    return data, sorted(set(issues))


def summary(data: HospitalData) -> str:
    images = sum(len(p.images) for p in data.patients)
    boxes = sum(len(im.boxes) for p in data.patients for im in p.images.values())
    mixed = sum(len(p.designs()) > 1 for p in data.patients)
    return (
        f"{len(data.patients)} patients ({mixed} mixed), {images} images, {boxes} screw boxes, "
        f"classes: {', '.join(data.classes)}"
    )


def run_check(root: Path) -> int:
    """Print the issues (or a summary when clean); the number of issues."""
    data, issues = check_dataset(root)
    for i in issues:
        print(f"error: {i}")
    if issues:
        print(f"{len(issues)} problem(s) found in {root}; nothing was changed")
    else:
        print(f"ok: {summary(data)}")
    return len(issues)
