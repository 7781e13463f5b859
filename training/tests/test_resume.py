"""A training loop stopped after k steps and resumed ends with the same weights, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from screwid_train.checkpoint import StepCheckpoint, StopTrainingError
from screwid_train.models import Classifier
from screwid_train.train import TrainConfig, train_classifier, train_detector


def _same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k


def _classifier(tmp_path, stop: int | None, resume: bool = False):
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 1, (24, 32, 32)).astype(np.float32)
    labels = np.arange(24) % 3
    torch.manual_seed(0)
    model = Classifier((4, 8), classes=3, blocks=1)
    ckpt = StepCheckpoint(tmp_path / "c.pt", every=2, stop_after=stop)
    return train_classifier(model, images, labels, 7, 6, 1e-2, 0, "t", ckpt).state_dict()


def test_classifier_resumes_exactly(tmp_path) -> None:
    straight = _classifier(tmp_path / "a", None)
    with pytest.raises(StopTrainingError):
        _classifier(tmp_path / "b", 3)
    # The stopped run really is mid-way: its checkpoint holds step 3 and other weights.
    saved = torch.load(tmp_path / "b" / "c.pt", weights_only=False)
    assert saved["step"] == 3
    assert not torch.equal(saved["model"]["fc.weight"], straight["fc.weight"])
    resumed = _classifier(tmp_path / "b", None)
    _same(straight, resumed)


def _det_data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    out = {}
    for view in ("ap", "lateral"):
        out[f"{view}_det"] = rng.uniform(0, 1, (2, 96, 96)).astype(np.float16)
        out[f"{view}_box_count"] = np.array([2, 1])
        out[f"{view}_boxes"] = np.array(
            [[10, 10, 30, 20], [50, 40, 70, 60], [20, 60, 40, 80]], dtype=np.float32
        )
    return out


def test_detector_resumes_exactly(tmp_path) -> None:
    cfg = TrainConfig(det_steps=5, det_batch=2, det_crop=64, seed=0)
    a = train_detector(_det_data(), cfg, StepCheckpoint(tmp_path / "a.pt", every=2)).state_dict()
    ck = StepCheckpoint(tmp_path / "b.pt", every=2, stop_after=2)
    with pytest.raises(StopTrainingError):
        train_detector(_det_data(), cfg, ck)
    b = train_detector(_det_data(), cfg, StepCheckpoint(tmp_path / "b.pt", every=2)).state_dict()
    _same(a, b)
