"""Reading a screw with its crop's mirror image: the mean of the two crops' logits."""

from __future__ import annotations

import json

import numpy as np
import onnxruntime as ort
import torch

from screwid_train.designs import repo_root
from screwid_train.evaluate import Pack, softmax
from screwid_train.imaging import crop_mm_per_pixel, screw_crop
from screwid_train.models import screw_model
from screwid_train.scale import with_scale_np
from screwid_train.train import predict_logits

PACK = repo_root() / "models" / "phantom-demo"


def test_the_pack_reads_a_screw_as_the_mean_of_it_and_its_mirror() -> None:
    temps = {"ap": 0.7, "lateral": 0.7}
    rng = np.random.default_rng(4)
    display = rng.uniform(0, 1, (300, 400)).astype(np.float32)
    box = (120.0, 80.0, 190.0, 170.0)  # not symmetric: the mirror crop differs
    got = Pack(PACK, temps, hflip=True).classify(display, "ap", np.array([box]), 0.15)
    # Independently: both crops through onnxruntime, logits averaged, then the softmax.
    sess = ort.InferenceSession(str(PACK / "classifier_ap.onnx"))
    crop = screw_crop(display, box, 128)
    mm = crop_mm_per_pixel(box, 400, 300, 128, 0.15, 0.15)

    def logits(c: np.ndarray) -> np.ndarray:
        x = with_scale_np(((c - 0.5) / 0.25)[None, None].astype(np.float32), mm)
        return sess.run(None, {"input": x})[0][0]

    mean = (logits(crop) + logits(crop[:, ::-1].copy())) / 2
    np.testing.assert_allclose(got[0], softmax(mean[None], 0.7)[0], atol=1e-5)
    plain = Pack(PACK, temps, hflip=False).classify(display, "ap", np.array([box]), 0.15)
    np.testing.assert_allclose(plain[0], softmax(logits(crop)[None], 0.7)[0], atol=1e-5)
    assert not np.allclose(got, plain)


def test_without_a_flag_the_pack_reads_its_manifest() -> None:
    spec = json.loads((PACK / "manifest.json").read_text())["models"]["classifier_ap"]
    assert Pack(PACK, {"ap": 1.0, "lateral": 1.0}).hflip == bool(spec.get("average_hflip"))


def test_predict_logits_averages_over_the_mirror() -> None:
    torch.manual_seed(0)
    model = screw_model(3, scale=False).eval()
    x = np.random.default_rng(1).uniform(0, 1, (3, 64, 64)).astype(np.float32)
    a = predict_logits(model, x)
    b = predict_logits(model, x[:, :, ::-1].copy())
    np.testing.assert_allclose(predict_logits(model, x, hflip=True), (a + b) / 2, atol=1e-5)
