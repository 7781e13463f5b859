"""`retrain-classifiers`: train the two screw classifiers of a built pack again, on the same
rendered data, keeping its view model and detector; then rescore the pack.

Used for the 0.2.0 demonstration pack: its first classifiers had a fourth "other design"
output (see `rescore.py` for why it was dropped); these are trained on the three known
designs only, for longer. The PyTorch outputs on the pack's stored self-test inputs are
written as the classifiers' new reference vectors.
"""

from __future__ import annotations

import json
import logging
import multiprocessing as mp
import pickle
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from screwid_train.export import export_onnx
from screwid_train.models import screw_model
from screwid_train.pipeline import PackConfig
from screwid_train.rescore import CLASSIFIERS, rescore
from screwid_train.train import TrainConfig, train_screw

logger = logging.getLogger(__name__)

_SHARED: dict = {}


def _train(view: str) -> tuple[str, dict]:
    torch.set_num_threads(1)
    data, cfg, classes = _SHARED["data"], _SHARED["cfg"], _SHARED["classes"]
    train = dict(data)
    labels = data[f"{view}_crop_labels"]
    # The known designs only: crops of other labels get -1, which train_screw leaves out.
    train[f"{view}_crop_labels"] = np.where(labels < classes, labels, -1)
    model = train_screw(train, view, cfg, classes=classes)
    return view, {k: v.detach().clone() for k, v in model.state_dict().items()}


def _reference_vectors(pack: Path, models: dict[str, torch.nn.Module]) -> None:
    index_path = pack / "selftest" / "selftest.json"
    index = json.loads(index_path.read_text())
    for v in index["vectors"]:
        if v["model"] not in models:
            continue
        x = np.fromfile(pack / v["input"], dtype="<f4").reshape(v["input_shape"])
        with torch.no_grad():
            y = models[v["model"]](torch.from_numpy(x)).numpy().astype("<f4")
        y.tofile(pack / v["output"])
        v["output_shape"] = list(y.shape)
    index_path.write_text(json.dumps(index, indent=2) + "\n")


def retrain_classifiers(
    pack: Path, rendered: Path, cfg: PackConfig, steps: int, classes: int = 3
) -> dict:
    with rendered.open("rb") as f:
        arrays, _, _, _ = pickle.load(f)
    train_cfg: TrainConfig = replace(cfg.train, cls_steps=steps)
    _SHARED.update(data=arrays["train"], cfg=train_cfg, classes=classes)
    with mp.get_context("fork").Pool(2) as pool:
        states = dict(pool.map(_train, ["ap", "lateral"]))
    models = {}
    for view, state in states.items():
        m = screw_model(classes)
        m.load_state_dict(state)
        models[f"classifier_{view}"] = m.eval()
    for name in CLASSIFIERS:
        diff = export_onnx(models[name], pack / f"{name}.onnx", 96, 96)
        logger.info("%s: max |onnxruntime - torch| = %.2e", name, diff)
    _reference_vectors(pack, models)
    metrics_path = pack / "metrics.json"
    metrics = json.loads(metrics_path.read_text())
    metrics["classifier_retrain_steps"] = steps
    metrics_path.write_text(json.dumps(metrics, indent=2) + "\n")
    return rescore(pack, cfg, classes, rendered)
