"""Patient-level train / validation / test split, stratified by manufacturer, as a CSV."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import numpy as np

from screwid_train.hospital import HospitalData

logger = logging.getLogger(__name__)

SPLITS = ("train", "val", "test")
DEFAULT_FRACTIONS = (0.65, 0.15, 0.20)  # the founding study


def stratified_split(
    strata: dict[str, str], fractions: tuple[float, float, float], seed: int
) -> dict[str, str]:
    """patient id -> split. Within each stratum the patients are shuffled; the counts carry
    their rounding from one stratum to the next so the totals match the fractions overall
    while each stratum stays within one patient of its share."""
    rng = np.random.default_rng([seed, 4242])
    out: dict[str, str] = {}
    done = {"val": 0, "test": 0}
    seen = 0
    for key in sorted(set(strata.values())):
        ids = sorted(p for p, s in strata.items() if s == key)
        rng.shuffle(ids)
        seen += len(ids)
        n_test = int(np.clip(round(fractions[2] * seen) - done["test"], 0, len(ids)))
        n_val = int(np.clip(round(fractions[1] * seen) - done["val"], 0, len(ids) - n_test))
        done["test"] += n_test
        done["val"] += n_val
        for k, pid in enumerate(ids):
            out[pid] = "test" if k < n_test else "val" if k < n_test + n_val else "train"
    return out


def split_dataset(
    data: HospitalData, out: Path, seed: int, fractions: tuple[float, float, float]
) -> dict[str, str]:
    if abs(sum(fractions) - 1.0) > 1e-6:
        raise ValueError(f"split fractions {fractions} do not add up to 1")
    assign = stratified_split({p.patient_id: p.stratum() for p in data.patients}, fractions, seed)
    write_split(out, assign, {p.patient_id: p.stratum() for p in data.patients})
    return assign


def write_split(path: Path, assign: dict[str, str], strata: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["patient_id", "split", "manufacturer"])
        for pid in sorted(assign):
            w.writerow([pid, assign[pid], strata.get(pid, "")])


def read_split(path: Path, data: HospitalData) -> dict[str, str]:
    """patient id -> split; every patient of `data` must be in exactly one split."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assign: dict[str, str] = {}
    problems = []
    for r in rows:
        pid, s = (r.get("patient_id") or "").strip(), (r.get("split") or "").strip()
        if s not in SPLITS:
            problems.append(f"patient {pid}: split {s!r} is not one of {', '.join(SPLITS)}")
        elif pid in assign:
            problems.append(f"patient {pid} is in the split file twice")
        assign[pid] = s
    ids = {p.patient_id for p in data.patients}
    problems += [f"patient {p} is not in the split file" for p in sorted(ids - set(assign))]
    problems += [
        f"patient {p} of the split file is not in the CSV" for p in sorted(set(assign) - ids)
    ]
    if problems:
        raise ValueError("; ".join(problems) + f": {path}")
    return assign


def describe(assign: dict[str, str], strata: dict[str, str]) -> str:
    lines = []
    for s in SPLITS:
        ids = [p for p, v in assign.items() if v == s]
        per = {k: sum(strata[p] == k for p in ids) for k in sorted(set(strata.values()))}
        lines.append(f"{s}: {len(ids)} patients ({', '.join(f'{k} {n}' for k, n in per.items())})")
    return "\n".join(lines)
