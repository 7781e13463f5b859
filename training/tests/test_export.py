"""ONNX export of tiny random models matches PyTorch under onnxruntime."""

from __future__ import annotations

import onnx
import pytest
import torch

from screwid_train.detector import decode, make_targets
from screwid_train.export import export_onnx
from screwid_train.models import Classifier, Detector


@pytest.mark.parametrize(
    ("name", "model", "size", "out_shape"),
    [
        ("cls", Classifier((4, 8), classes=3, blocks=1), 96, [1, 3]),
        ("det", Detector((4, 8, 8, 8, 8)), 128, [1, 10, 32, 32]),
        ("det5", Detector((4, 8, 8, 8, 8), pair=False), 128, [1, 5, 32, 32]),
    ],
)
def test_export_matches_torch(tmp_path, name, model, size, out_shape) -> None:
    torch.manual_seed(0)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
    path = tmp_path / f"{name}.onnx"
    diff = export_onnx(model, path, size, size)
    print(f"{name}: max |onnxruntime - torch| = {diff:.2e}")
    assert diff < 1e-4
    proto = onnx.load(str(path))
    assert proto.opset_import[0].version == 17
    dims = [d.dim_value for d in proto.graph.output[0].type.tensor_type.shape.dim]
    assert dims == out_shape
    assert not {n.op_type for n in proto.graph.node} & {"BatchNormalization"}


def test_decode_recovers_targets() -> None:
    import numpy as np

    boxes = np.array([[40.0, 60.0, 100.0, 90.0], [200.0, 210.0, 230.0, 260.0]])
    t = make_targets(boxes, 256)
    out = np.concatenate([t["hm"], t["reg"]])
    got, scores = decode(out, 0.5, 0.5)
    assert len(got) == 2
    order = np.argsort(got[:, 0])
    np.testing.assert_allclose(got[order], boxes, atol=1e-3)
    assert (scores == 1.0).all()
