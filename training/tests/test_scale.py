"""The classifiers' scale channel: crop millimetres, the input plane, training and the pack."""

from __future__ import annotations

import math

import numpy as np
import onnxruntime as ort
import torch

from screwid_train.augment import affine
from screwid_train.export import export_onnx, onnx_input_shape
from screwid_train.imaging import crop_mm_per_pixel
from screwid_train.models import Classifier, screw_model
from screwid_train.scale import ASSUMED_LONG_SIDE_MM, spacing_or_assumed, with_scale
from screwid_train.train import predict_logits, train_classifier


def test_crop_mm_follows_the_crop_region_and_spacing() -> None:
    # Box 100 x 200 px grown by 15 % a side: region 130 x 260 px, letterboxed by 128 / 260.
    mm = crop_mm_per_pixel((100, 100, 200, 300), 1000, 1000, 128, 0.15, 0.2)
    assert math.isclose(mm, 0.2 * 260 / 128, rel_tol=1e-9)
    assert math.isnan(crop_mm_per_pixel((100, 100, 200, 300), 1000, 1000, 128, 0.15, None))


def test_unknown_spacing_assumes_the_field_of_view() -> None:
    assert spacing_or_assumed(0.15, 2000, 3000) == 0.15
    assert spacing_or_assumed(None, 2000, 4000) == ASSUMED_LONG_SIDE_MM / 4000
    assert spacing_or_assumed(float("nan"), 100, 50) == ASSUMED_LONG_SIDE_MM / 100


def test_scale_plane_is_constant_log2_mm() -> None:
    x = torch.rand(3, 1, 8, 8)
    y = with_scale(x, torch.tensor([0.25, 0.5, 1.0]))
    assert y.shape == (3, 2, 8, 8)
    assert torch.equal(y[:, :1], x)
    for k, want in enumerate((-2.0, -1.0, 0.0)):
        assert torch.all(y[k, 1] == want)


def test_affine_reports_its_zoom() -> None:
    # A centred bright square 16 px wide: after the affine its width is 16 times the zoom.
    x = torch.zeros(4, 1, 64, 64)
    x[:, :, 24:40, 24:40] = 1.0
    g = torch.Generator().manual_seed(3)
    zoom: list[torch.Tensor] = []
    y = affine(x, g, rot_deg=0.0, shift=0.0, scale=0.3, flip=False, zoom=zoom)
    width = (y[:, 0, 32] > 0.5).sum(dim=1).float()
    np.testing.assert_allclose(width.numpy(), (16 * zoom[0]).numpy(), atol=1.5)


def test_scale_channel_separates_identical_crops() -> None:
    # Two classes whose crops are the same image and differ only in their millimetres per
    # pixel: only the scale channel can tell them apart.
    torch.manual_seed(0)
    crops = np.tile(np.linspace(0, 1, 32 * 32, dtype=np.float32).reshape(1, 32, 32), (40, 1, 1))
    labels = np.repeat([0, 1], 20)
    mm = np.where(labels == 0, 0.25, 0.6).astype(np.float32)
    model = Classifier((8, 8), classes=2, blocks=1, in_channels=2)
    model = train_classifier(model, crops, labels, 120, 16, 5e-3, 0, "test", mm_per_pixel=mm)
    pred = predict_logits(model, crops, mm_per_pixel=mm).argmax(axis=1)
    assert (pred == labels).mean() == 1.0


def test_two_channel_export_and_pack_input(tmp_path) -> None:
    from screwid_train.evaluate import Pack

    model = screw_model(3, scale=True).eval()
    path = tmp_path / "classifier_ap.onnx"
    export_onnx(model, path, 128, 128, channels=2)
    assert onnx_input_shape(path) == (2, 128, 128)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert sess.get_inputs()[0].shape == [1, 2, 128, 128]
    for name in ("view", "detector", "classifier_lateral"):
        export_onnx(Classifier((4,), 3, 1), tmp_path / f"{name}.onnx", 32, 32)
    pack = Pack(tmp_path, {"ap": 1.0, "lateral": 1.0})
    assert (pack.crop_channels, pack.crop_size) == (2, 128)
    display = np.random.default_rng(0).uniform(0, 1, (400, 300)).astype(np.float32)
    boxes = np.array([[100, 100, 140, 180]], dtype=np.float64)
    p_known = pack.classify(display, "ap", boxes, 0.5)
    p_assumed = pack.classify(display, "ap", boxes, None)
    p_same = pack.classify(display, "ap", boxes, ASSUMED_LONG_SIDE_MM / 400)
    assert p_known.shape == (1, 3)
    np.testing.assert_allclose(p_assumed, p_same, atol=1e-6)
