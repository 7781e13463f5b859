"""Subcommands for a hospital's own data: check-data, split, train, evaluate, export.

Each prints what it did and returns an exit code: 0 done, 1 the data or run has problems
(listed), 2 a run stopped early on request (`--stop-after`; resume it with `--resume`)."""

from __future__ import annotations

import argparse
import logging
from dataclasses import asdict, replace
from pathlib import Path

logger = logging.getLogger(__name__)


def _check_data(args: argparse.Namespace) -> int:
    from screwid_train.validate import run_check

    return 1 if run_check(Path(args.data)) else 0


def _split(args: argparse.Namespace) -> int:
    from screwid_train.split import describe, split_dataset
    from screwid_train.validate import check_dataset

    data, issues = check_dataset(Path(args.data))
    if issues:
        print(f"{len(issues)} problem(s) in the dataset; run check-data first: {args.data}")
        return 1
    out = Path(args.out) if args.out else Path(args.data) / "split.csv"
    fractions = tuple(float(x) for x in args.fractions.split("/"))
    fr = tuple(f / sum(fractions) for f in fractions)
    assign = split_dataset(data, out, args.seed, fr)  # type: ignore[arg-type]
    print(describe(assign, {p.patient_id: p.stratum() for p in data.patients}))
    print(f"split written to {out}")
    return 0


def _train_config(args: argparse.Namespace) -> dict:
    from screwid_train.train import TrainConfig

    cfg = TrainConfig(seed=args.seed, threads=args.threads, parallel=False)
    if args.quick:
        cfg = replace(
            cfg, view_steps=5, det_steps=5, cls_steps=5, det_batch=4, cls_batch=16, view_batch=16
        )
    s = args.steps_scale
    if s != 1.0:
        cfg = replace(
            cfg,
            view_steps=max(1, int(cfg.view_steps * s)),
            det_steps=max(1, int(cfg.det_steps * s)),
            cls_steps=max(1, int(cfg.cls_steps * s)),
        )
    return asdict(cfg)


def _train(args: argparse.Namespace) -> int:
    from screwid_train.checkpoint import StopTrainingError
    from screwid_train.hospital_train import RunConfig, train_run

    if args.data is None and not args.resume:
        print("error: --data is needed to start a run")
        return 1
    # Resuming reads everything from the run's run.json; these values are then unused.
    data = Path(args.data).resolve() if args.data else Path()
    split = Path(args.split).resolve() if args.split else data / "split.csv"
    rc = RunConfig(
        data=str(data),
        split=str(split),
        seed=args.seed,
        train=_train_config(args),
        others=str(Path(args.others).resolve()) if args.others else None,
        rendered_others=args.rendered_others,
        checkpoint_every=args.checkpoint_every,
    )
    try:
        info = train_run(Path(args.out), rc, args.resume, args.stop_after)
    except StopTrainingError as e:
        print(f"{e}; continue with: screwid-train train --out {args.out} --resume")
        return 2
    except (ValueError, FileExistsError, FileNotFoundError) as e:
        print(f"error: {e}")
        return 1
    print(f"trained: {info}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from screwid_train.hospital_eval import evaluate_run

    m = evaluate_run(Path(args.run), Path(args.readers) if args.readers else None)
    both = m["per_screw"]["both"]
    print(
        f"per-screw accuracy (both views) {both['accuracy']:.3f}, F1 {both['f1']:.3f}; "
        f"detection mAP@0.5 ap {m['detection']['ap']['map50']:.3f}, lateral "
        f"{m['detection']['lateral']['map50']:.3f}; written to {Path(args.run) / 'eval'}"
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    from screwid_train.hospital_export import export_run

    r = export_run(Path(args.run), Path(args.out).resolve(), args.name, args.version)
    print(f"pack written to {args.out}: {r}")
    print(f"check it under the app's engine: screwid check-pack {args.out}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    cd = sub.add_parser("check-data", help="list every problem of a labelled dataset folder")
    cd.add_argument("--data", required=True, help="dataset folder (patients.csv, images/, ...)")
    cd.set_defaults(func=_check_data)
    sp = sub.add_parser("split", help="patient-level train/val/test split, stratified")
    sp.add_argument("--data", required=True)
    sp.add_argument("--out", default=None, help="split CSV (default DATA/split.csv)")
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--fractions", default="65/15/20", help="train/val/test shares")
    sp.set_defaults(func=_split)
    tr = sub.add_parser("train", help="train the four models on a dataset (resumable)")
    tr.add_argument("--data", default=None, help="dataset folder (not needed with --resume)")
    tr.add_argument("--split", default=None, help="split CSV (default DATA/split.csv)")
    tr.add_argument("--out", required=True, help="run folder (checkpoints, weights)")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--resume", action="store_true", help="continue the run in --out")
    tr.add_argument("--threads", type=int, default=2)
    tr.add_argument("--steps-scale", type=float, default=1.0, help="scale all training steps")
    tr.add_argument("--quick", action="store_true", help="5 steps a model (smoke test)")
    tr.add_argument("--checkpoint-every", type=int, default=50, help="steps between checkpoints")
    tr.add_argument("--stop-after", type=int, default=None, help="stop a model after N steps")
    tr.add_argument("--others", default=None, help="folder of non-spine images (view 'other')")
    tr.add_argument("--rendered-others", type=int, default=240, help="phantom non-spine images")
    tr.set_defaults(func=_train)
    ev = sub.add_parser("evaluate", help="test metrics, plots and model card of a run")
    ev.add_argument("--run", required=True)
    ev.add_argument("--readers", default=None, help="CSV patient_id,manufacturer of a reader")
    ev.set_defaults(func=_evaluate)
    ex = sub.add_parser("export", help="write the model pack of an evaluated run")
    ex.add_argument("--run", required=True)
    ex.add_argument("--out", required=True, help="pack folder")
    ex.add_argument("--name", default="hospital")
    ex.add_argument("--version", default="0.1.0")
    ex.set_defaults(func=_export)
