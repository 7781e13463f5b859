"""Command line of the toolkit.

Phantoms: `build-pack | build-combined | retrain-classifiers | retrain-detector | rescore |
samples | contact-sheet | check-samples | add-selftest | alt-render`.
A hospital's own data: `check-data | split | train | evaluate | export` (training/README.md).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path

from screwid_train.designs import repo_root

logger = logging.getLogger(__name__)


def _build_pack(args: argparse.Namespace) -> None:
    from screwid_train.dataset import DataConfig
    from screwid_train.pipeline import PackConfig, build_pack
    from screwid_train.train import TrainConfig

    data = DataConfig(seed=args.seed, workers=args.workers)
    train = TrainConfig(seed=args.seed)
    if args.patients:
        data = replace(
            data,
            patients=args.patients,
            others=max(30, args.patients),
            unseen=max(3, args.patients // 15),
            variants=max(5, args.patients // 5),
        )
    if args.quick:
        train = replace(train, view_steps=5, det_steps=5, cls_steps=5)
    if args.steps_scale != 1.0:
        s = args.steps_scale
        train = replace(
            train,
            view_steps=int(train.view_steps * s),
            det_steps=int(train.det_steps * s),
            cls_steps=int(train.cls_steps * s),
        )
    cfg = PackConfig(
        data=data,
        train=train,
        version=args.version,
        designs=Path(args.designs) if args.designs else None,
        cache=Path(args.cache) if args.cache else None,
    )
    t = time.time()
    if args.render_only:
        from screwid_train.designs import load_designs
        from screwid_train.pipeline import render_data

        render_data(cfg, load_designs(cfg.designs))
        print(f"rendered into {cfg.cache} in {time.time() - t:.0f} s")
        return
    metrics = build_pack(Path(args.out).resolve(), cfg)
    print(f"pack written to {args.out} in {time.time() - t:.0f} s")
    print(
        {
            k: metrics[k]
            for k in (
                "screw_accuracy_on_truth_boxes",
                "matched_screw_accuracy",
                "patient_accuracy",
                "ece",
            )
        }
    )


def _rescore(args: argparse.Namespace) -> None:
    from screwid_train.dataset import DataConfig
    from screwid_train.pipeline import PackConfig
    from screwid_train.rescore import rescore

    cfg = PackConfig(
        data=DataConfig(seed=args.seed, workers=args.workers),
        version=args.version,
        cache=Path(args.cache),
    )
    rendered = Path(args.rendered) if args.rendered else None
    fixed = {"detection": args.detection, "pair": args.detection} if args.detection else None
    m = rescore(Path(args.pack).resolve(), cfg, args.keep, rendered, fixed)
    print({k: m[k] for k in ("screw_accuracy_on_truth_boxes", "ece", "unseen")})


def _build_combined(args: argparse.Namespace) -> None:
    from screwid_train.combine import build_combined, combined_config

    cfg = combined_config(args.seed, args.version, args.steps_scale)
    roots = [Path(r) for r in args.alt]
    sizes = (args.alt_test, args.alt_val, args.alt_repeat)
    m = build_combined(Path(args.out).resolve(), cfg, Path(args.rendered), roots, sizes)
    print({k: m[k] for k in ("screw_accuracy_on_truth_boxes", "ece", "detection", "unseen")})


REBUILD = (
    "Rebuild: `screwid-train build-pack --render-only --cache data` (first renderer), "
    "`screwid-train alt-render --out data/alt/a --patients 34 --seed 100` and "
    "`--out data/alt/b --patients 38 --seed 200` (second renderer), "
    "`screwid-train build-combined --out models/phantom-demo --rendered data/render-<key>.pkl "
    "--alt data/alt/a data/alt/b --alt-test 20 --alt-val 8 --alt-repeat 3 --steps-scale 0.8` "
    "and `screwid-train rescore --pack models/phantom-demo --rendered data/render-<key>.pkl "
    "--detection 0.4` (view model and detector of pack 0.3.0), then `screwid-train "
    "retrain-classifiers --pack models/phantom-demo --rendered data/render-<key>.pkl --alt "
    "data/alt/a data/alt/b --steps-scale 2.0` (these screw classifiers, pack 0.4.0), then "
    "`screwid-train retrain-detector --pack models/phantom-demo --rendered "
    "data/render-<key>.pkl --alt data/alt/a data/alt/b --steps-scale 4.0 --batch 16` (this "
    "detector, pack 0.5.0: 10000 steps of 16 crops instead of 2000 of 8), and last "
    "`screwid-train retrain-classifiers --pack models/phantom-demo --rendered "
    "data/render-<key>.pkl --alt data/alt/a data/alt/b --weights data/classifiers-0.4.0.pt "
    "--version 0.6.0` (pack 0.6.0: pack 0.4.0's classifiers, each screw now read with its "
    "crop's mirror image, temperatures fitted again). Pack 0.3.0's "
    "rescore kept the detection and second-screw thresholds at 0.40 instead of the "
    "validation-tuned 0.35: at 0.35 pack 0.3.0 found a two-screw pair on a real, implant-free "
    "chest film (`../shared/realdata/pylibjpeg-data/JPEG2KLossless_1s_1f_u_16_16.dcm`) and "
    "called it Medtronic at 90-95 %; that film's test is therefore no longer an independent "
    "check. Pack 0.5.0's thresholds are validation-tuned again."
)


def _retrain(args: argparse.Namespace) -> None:
    from screwid_train.combine import combined_config
    from screwid_train.retrain import retrain

    cfg = combined_config(args.seed, args.version, args.steps_scale)
    cfg = replace(cfg, data=replace(cfg.data, variants=0))
    if args.part == "detector":
        cfg = replace(cfg, train=replace(cfg.train, det_batch=args.batch, lr=args.lr))
    roots = [Path(r) for r in args.alt]
    sizes = (args.alt_test, args.alt_val, args.alt_repeat)
    notes = {"rebuild": REBUILD}
    pack = Path(args.pack).resolve()
    novelty, variants = getattr(args, "novelty", False), getattr(args, "variants", 0)
    weights = Path(args.weights) if args.weights else None
    init = Path(args.init) if getattr(args, "init", None) else None
    m = retrain(
        pack,
        cfg,
        Path(args.rendered),
        roots,
        sizes,
        args.part,
        notes,
        novelty,
        variants,
        weights,
        init,
    )
    keys = ("screw_accuracy_on_truth_boxes", "ece", "detection", "patient_accuracy", "unseen")
    print({k: m[k] for k in keys})


def _samples(args: argparse.Namespace) -> None:
    from screwid_train.samples import write_samples

    write_samples(Path(args.out), seed=args.seed)


def _contact_sheet(args: argparse.Namespace) -> None:
    from screwid_train.samples import contact_sheet

    contact_sheet(Path(args.out), seed=args.seed)


def _check_samples(args: argparse.Namespace) -> None:
    from screwid_train.checks import check_folder

    check_folder(Path(args.pack), Path(args.samples))


def _alt_render(args: argparse.Namespace) -> None:
    from screwid_train.altrender import render_set

    designs = Path(args.designs) if args.designs else None
    out = render_set(Path(args.out), args.patients, args.seed, designs, args.unseen_share)
    print(f"wrote {len(out)} patients to {args.out}")


def _add_selftest(args: argparse.Namespace) -> None:
    from screwid_train.demo_selftest import add_selftest

    n = add_selftest(Path(args.pack))
    print(f"wrote {n} self-test vectors into {args.pack} and rewrote its manifest")


def _bench_ort(args: argparse.Namespace) -> None:
    from screwid_train.bench_ort import compare, table

    screwid = Path(args.screwid) if args.screwid else None
    print(table(compare(Path(args.pack), args.repeat, args.threads, screwid)))


def _both_renderer_args(p: argparse.ArgumentParser, test: int, val: int, version: str) -> None:
    """The arguments of the commands that train on both renderers (combine.py)."""
    p.add_argument("--rendered", required=True, help="the first renderer's render-*.pkl")
    p.add_argument("--alt", nargs="+", required=True, help="folders of alt-render output")
    p.add_argument("--alt-test", type=int, default=test)
    p.add_argument("--alt-val", type=int, default=val)
    p.add_argument("--alt-repeat", type=int, default=3, help="copies of each alt train patient")
    p.add_argument("--steps-scale", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--version", default=version)
    p.add_argument("--weights", default=None, help="state dicts of an earlier run: skip training")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="screwid-train", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    bp = sub.add_parser("build-pack", help="render, train, export and evaluate a model pack")
    bp.add_argument("--out", default=str(repo_root() / "models" / "phantom-demo"))
    bp.add_argument("--seed", type=int, default=0)
    bp.add_argument("--workers", type=int, default=2)
    bp.add_argument("--patients", type=int, default=0, help="override the number of patients")
    bp.add_argument("--steps-scale", type=float, default=1.0, help="scale all training steps")
    bp.add_argument("--quick", action="store_true", help="a few steps only (smoke test)")
    bp.add_argument("--version", default="0.1.0")
    bp.add_argument("--designs", default=None, help="design file (default: project copy)")
    bp.add_argument("--cache", default=None, help="folder to keep rendered data for reuse")
    bp.add_argument("--render-only", action="store_true", help="only fill --cache")
    bp.set_defaults(func=_build_pack)
    rs = sub.add_parser(
        "rescore", help="drop the classifiers' other-design output from a pack and rescore it"
    )
    rs.add_argument("--pack", default=str(repo_root() / "models" / "phantom-demo"))
    rs.add_argument("--cache", required=True, help="the build's rendered data folder")
    rs.add_argument("--keep", type=int, default=3, help="classifier outputs to keep")
    rs.add_argument("--rendered", default=None, help="the build's render-*.pkl, if not current")
    rs.add_argument(
        "--detection", type=float, default=None, help="fix the detection and pair thresholds"
    )
    rs.add_argument("--seed", type=int, default=0)
    rs.add_argument("--workers", type=int, default=2)
    rs.add_argument("--version", default="0.2.0")
    rs.set_defaults(func=_rescore)
    bc = sub.add_parser(
        "build-combined", help="train a pack on phantoms from both renderers (see combine.py)"
    )
    bc.add_argument("--out", required=True)
    _both_renderer_args(bc, test=40, val=20, version="0.3.0")
    bc.set_defaults(func=_build_combined)
    rc = sub.add_parser(
        "retrain-classifiers", help="new screw classifiers for a pack (view model, detector kept)"
    )
    rc.add_argument("--pack", default=str(repo_root() / "models" / "phantom-demo"))
    _both_renderer_args(rc, test=20, val=8, version="0.4.0")
    rc.add_argument(
        "--novelty", action="store_true", help="add the feature-distance other-design logit"
    )
    rc.add_argument(
        "--variants", type=int, default=0, help="variant-design patients for an other-design output"
    )
    rc.set_defaults(func=_retrain, part="classifiers")
    rd = sub.add_parser(
        "retrain-detector", help="a new detector for a pack (view model, classifiers kept)"
    )
    rd.add_argument("--pack", default=str(repo_root() / "models" / "phantom-demo"))
    _both_renderer_args(rd, test=20, val=8, version="0.5.0")
    rd.add_argument("--batch", type=int, default=8, help="detector training batch")
    rd.add_argument("--lr", type=float, default=2e-3, help="peak learning rate")
    rd.add_argument("--init", default=None, help="detector weights (.pt) to go on training from")
    rd.set_defaults(func=_retrain, part="detector")
    sp = sub.add_parser("samples", help="write the bundled sample patients")
    sp.add_argument("--out", default=str(repo_root() / "assets" / "samples"))
    sp.add_argument("--seed", type=int, default=0)
    sp.set_defaults(func=_samples)
    cs = sub.add_parser("contact-sheet", help="PNG of AP and lateral renders of each design")
    cs.add_argument("--out", default=str(repo_root() / "docs" / "phantoms.png"))
    cs.add_argument("--seed", type=int, default=0)
    cs.set_defaults(func=_contact_sheet)
    ck = sub.add_parser("check-samples", help="run a pack over full-size sample patients")
    ck.add_argument("--pack", default=str(repo_root() / "models" / "phantom-demo"))
    ck.add_argument("--samples", default=str(repo_root() / "assets" / "samples"))
    ck.set_defaults(func=_check_samples)
    ar = sub.add_parser("alt-render", help="patients from the independent second renderer")
    ar.add_argument("--out", required=True)
    ar.add_argument("--patients", type=int, default=6)
    ar.add_argument("--seed", type=int, default=0)
    ar.add_argument("--designs", default=None, help="design file (default: project copy)")
    ar.add_argument("--unseen-share", type=float, default=0.0, help="share of Unseen patients")
    ar.set_defaults(func=_alt_render)
    at = sub.add_parser("add-selftest", help="self-test vectors for a pack (from onnxruntime)")
    at.add_argument("--pack", default=str(repo_root() / "models" / "phantom-demo"))
    at.set_defaults(func=_add_selftest)
    bo = sub.add_parser(
        "bench-ort", help="time each model under onnxruntime (and tract) on its self-test inputs"
    )
    bo.add_argument("--pack", default=str(repo_root() / "models" / "phantom-demo"))
    bo.add_argument("--repeat", type=int, default=20)
    bo.add_argument("--threads", type=int, default=2)
    bo.add_argument(
        "--screwid", default=None, help="a release screwid binary, to time tract the same way"
    )
    bo.set_defaults(func=_bench_ort)
    from screwid_train.hospital_cli import add_commands

    add_commands(sub)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    code = args.func(args)
    if code:
        sys.exit(code)


if __name__ == "__main__":
    main()
