"""Dropping the classifiers' last output keeps the other logits exactly."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import torch

from screwid_train.export import export_onnx
from screwid_train.models import Classifier
from screwid_train.rescore import slice_classifier


def test_sliced_classifier_gives_the_first_logits_of_the_full_one(tmp_path) -> None:
    torch.manual_seed(0)
    model = Classifier((4, 8), classes=4, blocks=1)
    full, cut = tmp_path / "full.onnx", tmp_path / "cut.onnx"
    export_onnx(model, full, 96, 96)
    export_onnx(model, cut, 96, 96)
    slice_classifier(cut, 3)
    x = np.random.default_rng(1).normal(size=(1, 1, 96, 96)).astype(np.float32)

    def run(path):
        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        return sess.run(None, {"input": x})[0]

    a, b = run(full), run(cut)
    assert a.shape == (1, 4) and b.shape == (1, 3)
    np.testing.assert_allclose(b, a[:, :3], rtol=0, atol=1e-6)
    # Hence softmax over the three = the four-way softmax renormalised over the known three.
    p4 = np.exp(a - a.max()) / np.exp(a - a.max()).sum()
    p3 = np.exp(b - b.max()) / np.exp(b - b.max()).sum()
    np.testing.assert_allclose(p3[0], p4[0, :3] / p4[0, :3].sum(), atol=1e-6)
