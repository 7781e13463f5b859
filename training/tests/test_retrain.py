"""Retraining one stage of a pack: the parts, saved weights, and variant patients."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from screwid_train.dataset import DataConfig, build_variants
from screwid_train.pipeline import fresh_models
from screwid_train.render.variants import OTHER_LABEL
from screwid_train.retrain import FILES, PARTS, TRAIN_SECONDS, load_models
from screwid_train.train import TrainConfig


def test_each_part_names_models_of_the_pack_and_leaves_the_others() -> None:
    assert set(FILES) == {"view", "detector", "ap", "lateral"}
    for names in PARTS.values():
        assert set(names) < set(FILES)
    # The view model is never retrained alone, and no model is in two parts.
    every = [n for names in PARTS.values() for n in names]
    assert len(every) == len(set(every)) and "view" not in every


def test_saved_weights_load_into_the_same_models(tmp_path) -> None:
    cfg = TrainConfig(screw_outputs=4)
    torch.manual_seed(3)
    trained = fresh_models(cfg, ("ap", "lateral"))
    path = tmp_path / "w.pt"
    # As retrain saves them: the state dicts and the seconds they took to train.
    torch.save({**{k: m.state_dict() for k, m in trained.items()}, TRAIN_SECONDS: 12.5}, path)
    loaded = load_models(path, cfg, ("ap", "lateral"))
    x = torch.randn(2, 2, 64, 64)
    for name, model in trained.items():
        model.eval()
        assert not loaded[name].training
        with torch.no_grad():
            a, b = model(x), loaded[name](x)
        assert a.shape == (2, 4)  # three designs and "other design"
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_variant_patients_come_apart_from_the_known_ones_four_to_one() -> None:
    cfg = DataConfig(patients=7, variants=5, long_side=256, det_size=64, view_size=32, crop_size=32)
    cfg = replace(cfg, crop_jitters=1, workers=1)
    out = build_variants(cfg, None)
    assert [len(out["train"]), len(out["val"])] == [4, 1]
    indices = sorted(r["index"] for split in out.values() for r in split)
    assert indices == list(range(7, 12))  # after the 7 known-design patients
    for r in out["train"] + out["val"]:
        for v in r["views"].values():
            assert set(v["crop_labels"]) == {OTHER_LABEL}
            assert v["crops"].shape[1:] == (32, 32)
            assert np.isfinite(v["crop_mm"]).all()


def test_the_detector_goes_on_from_the_weights_it_is_given() -> None:
    from screwid_train.models import Detector
    from screwid_train.train import train_detector

    torch.manual_seed(5)
    start = Detector().state_dict()
    views = {
        f"{v}_{k}": a
        for v in ("ap", "lateral")
        for k, a in (
            ("det", np.zeros((1, 64, 64), np.float16)),
            ("boxes", np.zeros((0, 4), np.float32)),
            ("box_count", np.array([0])),
        )
    }
    # No steps: the weights are exactly those it started from, not a fresh initialisation.
    model = train_detector(views, TrainConfig(det_steps=0), init=start)
    for k, v in model.state_dict().items():
        torch.testing.assert_close(v, start[k], rtol=0, atol=0)
    fresh = train_detector(views, TrainConfig(det_steps=0))
    assert not torch.equal(fresh.head.weight, start["head.weight"])
