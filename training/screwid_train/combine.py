"""`build-combined`: train a pack on phantoms from both renderers.

A pack trained on one renderer learns its style: on 24 patients from the independent second
renderer (`altrender/`), pack 0.2.0 called a third of the APs and half of the laterals
"other" and found 12 of 150 lateral screws. So this build adds second-renderer patients to
the first renderer's training and validation splits, keeps some of them apart as a
second-renderer test set (evaluated with `check-samples`), and retrains all four models.
"""

from __future__ import annotations

import json
import logging
import multiprocessing as mp
import pickle
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

from screwid_train.dataset import DataConfig, _pack, view_arrays
from screwid_train.designs import load_designs
from screwid_train.dicomio import read_display, read_spacing
from screwid_train.pipeline import PackConfig, train_and_write
from screwid_train.render.variants import OTHER_LABEL

logger = logging.getLogger(__name__)


def _shrink(disp: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    """The display image at the training resolution (the first renderer's `long_side`)."""
    s = long_side / max(disp.shape)
    if s >= 1:
        return disp, 1.0
    w, h = round(disp.shape[1] * s), round(disp.shape[0] * s)
    pil = Image.fromarray(disp.astype(np.float32), mode="F")
    return np.asarray(pil.resize((w, h), Image.Resampling.BILINEAR), dtype=np.float32), s


def _patient(args: tuple[Path, int, DataConfig, bool]) -> dict:
    folder, index, cfg, keep = args
    truth = json.loads((folder / "truth.json").read_text())
    rng = np.random.default_rng([index, 23])
    out: dict = {"index": index, "labels": truth["designs"], "mixed": truth["mixed"], "views": {}}
    for im in truth["images"]:
        disp, s = _shrink(read_display(folder / im["file"]), cfg.long_side)
        boxes = [tuple(float(v) * s for v in sc["box"]) for sc in im["screws"]]
        labels = [sc["label"] for sc in im["screws"]]
        spacing = read_spacing(folder / im["file"])
        spacing = spacing / s if spacing is not None else None
        out["views"][im["view"]] = view_arrays(disp, boxes, labels, cfg, rng, keep, spacing)
    return out


def alt_results(folders: list[Path], cfg: DataConfig, first: int, keep: bool) -> list[dict]:
    jobs = [(f, first + k, cfg, keep) for k, f in enumerate(folders)]
    with mp.get_context("fork").Pool(cfg.workers) as pool:
        return list(tqdm(pool.imap(_patient, jobs), total=len(jobs), desc="read second renderer"))


def split_alt(roots: list[Path], test: int, val: int) -> dict[str, list[Path]]:
    """Second-renderer patients: the first `test` for testing, the next `val` for validation."""
    folders = sorted(d for r in roots for d in r.iterdir() if (d / "truth.json").exists())
    return {
        "test": folders[:test],
        "val": folders[test : test + val],
        "train": folders[test + val :],
    }


@dataclass
class BothRenderers:
    """Training and validation arrays from both renderers, and the per-patient results with
    the second renderer's validation patients added; its test patients kept apart."""

    train: dict[str, np.ndarray]
    val: dict[str, np.ndarray]
    results: dict[str, list[dict]]
    alt_test: list[Path]


def both_renderers(
    results: dict[str, list[dict]],
    alt_roots: list[Path],
    split_sizes: tuple[int, int, int],
    cfg: DataConfig,
    labels: list[str],
) -> BothRenderers:
    """The first renderer's rendered `results` joined with second-renderer patients:
    `split_sizes` = patients kept for test, for validation, and copies of each of the rest in
    training (they are far fewer than the first's)."""
    alt_test, alt_val, repeat = split_sizes
    split = split_alt(alt_roots, alt_test, alt_val)
    base = 10_000_000  # patient indices of the second renderer, apart from the first's
    alt = {
        k: alt_results(split[k], cfg, base + 1000 * i, k != "train")
        for i, k in ((1, "val"), (2, "train"))
    }
    names = [*labels, OTHER_LABEL]
    return BothRenderers(
        train=_pack(results["train"] + alt["train"] * repeat, cfg, names),
        val=_pack(results["val"] + alt["val"], cfg, names),
        results={**results, "val": results["val"] + alt["val"]},
        alt_test=split["test"],
    )


def build_combined(
    out: Path,
    cfg: PackConfig,
    rendered: Path,
    alt_roots: list[Path],
    split_sizes: tuple[int, int, int],
) -> dict:
    """`split_sizes`: second-renderer patients kept for test and validation, and how many times
    each of the rest is repeated in training (they are far fewer than the first's)."""
    t_start = time.time()
    df = load_designs(cfg.designs)
    with rendered.open("rb") as f:
        arrays, results, others, unseen = pickle.load(f)
    both = both_renderers(results, alt_roots, split_sizes, cfg.data, df.labels())
    arrays["train"], arrays["val"] = both.train, both.val
    results = both.results
    test_list = out.parent / f"{out.name}.alt-test.json"
    test_list.write_text(json.dumps([str(p) for p in both.alt_test]) + "\n")
    metrics = train_and_write(out, cfg, df, (arrays, results, others, unseen), t_start)
    logger.info("combined pack written to %s in %.0f s", out, time.time() - t_start)
    return metrics


def combined_config(seed: int, version: str, steps_scale: float = 1.0) -> PackConfig:
    cfg = PackConfig(data=DataConfig(seed=seed, workers=2), version=version)
    t = cfg.train
    return replace(
        cfg,
        train=replace(
            t,
            view_steps=max(1, int(t.view_steps * steps_scale)),
            det_steps=int(t.det_steps * steps_scale),
            cls_steps=int(t.cls_steps * steps_scale),
        ),
    )


BUILT_WITH = "Built with `screwid-train build-combined`"


def second_renderer_section(
    rows: list[dict],
    baseline: tuple[str, list[dict]] | None = None,
    built_with: str = BUILT_WITH,
) -> str:
    """Markdown for the model card: the pack on the second renderer's test patients, and
    `baseline` (a name and its rows: another pack on the same patients) beside it."""
    lines = [
        "",
        "## Training data from two renderers",
        "",
        f"{built_with}: the first renderer's training split plus "
        "patients from the independent second renderer (`training/screwid_train/altrender/`, "
        "written without reading the first), each repeated three times, and its validation "
        "split plus second-renderer patients. The test figures above are the first "
        "renderer's test split. Second-renderer test patients (never trained on), full size, "
        "the app's path (`check-samples`):",
        "",
        "| pack | view | view right | screws | detected (matched) | correct of matched |",
        "|---|---|---|---|---|---|",
    ]
    for name, rs in (("this pack", rows), baseline or ("", [])):
        for view in ("ap", "lateral"):
            ims = [im for r in rs for im in r["images"] if im["view_true"] == view]
            if not ims:
                continue
            n = sum(im["screws"] for im in ims)
            m = sum(im["matched"] for im in ims)
            c = sum(im["matched_correct"] for im in ims)
            ok = sum(im["view_pred"] == view for im in ims)
            lines.append(
                f"| {name} | {view} | {ok}/{len(ims)} | {n} | {m} ({100 * m / max(n, 1):.1f} %) "
                f"| {c} ({100 * c / max(m, 1):.1f} %) |"
            )
    lines.append("")
    for name, rs in (("this pack", rows), baseline or ("", [])):
        if rs:
            right = sum(set(r["designs_true"]) == set(r["designs_pred"]) for r in rs)
            lines.append(
                f"Patients whose set of designs was voted right, {name}: {right} of {len(rs)}."
            )
    lines.append("")
    return "\n".join(lines)


def add_card_section(pack: Path, text: str) -> None:
    """Append to MODEL_CARD.md and refresh the manifest's checksums."""
    from screwid_train.export import sha256_file

    card = pack / "MODEL_CARD.md"
    card.write_text(card.read_text().rstrip("\n") + "\n" + text)
    manifest = json.loads((pack / "manifest.json").read_text())
    files = sorted(p for p in pack.rglob("*") if p.is_file() and p.name != "manifest.json")
    manifest["sha256"] = {p.relative_to(pack).as_posix(): sha256_file(p) for p in files}
    (pack / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
