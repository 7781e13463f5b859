"""`rescore`: take the classifiers' "other design" output out of a built pack, score it again.

Measured on the first pack built with that output (0.2.0): it took on average 16-24 % of the
probability from known-design screws and did not rise on the unseen design (which the
classifiers read as Medtronic), so it only made the reported confidences too low (ECE 0.15).
Dropping the output's row from the final linear layer is exact: the softmax over the three
remaining logits is the known-class distribution renormalised, p_k / (1 - p_other). The
PyTorch self-test outputs are sliced the same way, so `check-pack` still compares with PyTorch.
"""

from __future__ import annotations

import json
import logging
import pickle
import shutil
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

from screwid_train.designs import load_designs
from screwid_train.evaluate import Pack
from screwid_train.pipeline import PackConfig, render_data, score_pack
from screwid_train.train import fit_temperature

logger = logging.getLogger(__name__)

CLASSIFIERS = ("classifier_ap", "classifier_lateral")


def slice_classifier(path: Path, keep: int) -> None:
    """Keep the first `keep` outputs of a classifier whose graph ends in a Gemm."""
    model = onnx.load(str(path))
    gemm = model.graph.node[-1]
    if gemm.op_type != "Gemm" or gemm.output[0] != model.graph.output[0].name:
        raise ValueError(f"the last node is {gemm.op_type}, not the output Gemm: {path}")
    for init in model.graph.initializer:
        if init.name in gemm.input[1:]:
            w = numpy_helper.to_array(init)
            init.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(w[:keep]), init.name))
    model.graph.output[0].type.tensor_type.shape.dim[1].dim_value = keep
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def slice_selftest(pack: Path, keep: int) -> dict:
    """Cut the classifiers' reference outputs to `keep` values; returns the manifest key."""
    index_path = pack / "selftest" / "selftest.json"
    index = json.loads(index_path.read_text())
    for v in index["vectors"]:
        if v["model"] in CLASSIFIERS and v["output_shape"][-1] > keep:
            out = pack / v["output"]
            y = np.fromfile(out, dtype="<f4").reshape(v["output_shape"])[..., :keep]
            np.ascontiguousarray(y, dtype="<f4").tofile(out)
            v["output_shape"] = list(y.shape)
    index_path.write_text(json.dumps(index, indent=2) + "\n")
    return {"selftest": "selftest/selftest.json"}


def val_temperatures(pack: Pack, val: dict[str, np.ndarray], classes: int) -> dict[str, float]:
    """Temperatures minimising the NLL of the known-design validation crops."""
    out = {}
    for view in ("ap", "lateral"):
        crops, labels = val[f"{view}_crops"], val[f"{view}_crop_labels"]
        known = (labels >= 0) & (labels < classes)
        scaled = pack.crop_channels == 2
        mm = val[f"{view}_crop_mm"][known]
        logits = np.stack(
            [
                pack._run(f"classifier_{view}", c.astype(np.float32), m if scaled else None)
                for c, m in zip(crops[known], mm, strict=True)
            ]
        )
        out[view] = fit_temperature(logits, labels[known])
    return out


def rescore(
    pack_dir: Path,
    cfg: PackConfig,
    keep: int = 3,
    rendered: Path | None = None,
    fixed: dict | None = None,
) -> dict:
    """Rewrite `pack_dir` with `keep`-output classifiers, new temperatures and new metrics.

    `rendered` names the build's data file when the renderer's source has changed since
    (the cache key would then point at a render that does not exist); `fixed` thresholds are
    kept instead of tuned."""
    df = load_designs(cfg.designs)
    if rendered is not None:
        with rendered.open("rb") as f:
            arrays, results, others, unseen = pickle.load(f)
    else:
        arrays, results, others, unseen = render_data(cfg, df)
    old = json.loads((pack_dir / "metrics.json").read_text())
    tmp = pack_dir.parent / f".{pack_dir.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(pack_dir, tmp)
    for name in CLASSIFIERS:
        slice_classifier(tmp / f"{name}.onnx", keep)
    extra = slice_selftest(tmp, keep)
    t0 = time.time()
    temps = val_temperatures(Pack(tmp, {"ap": 1.0, "lateral": 1.0}), arrays["val"], keep)
    logger.info("temperatures %s in %.0f s", temps, time.time() - t0)
    diffs = {k: float(v) for k, v in old["onnx_max_abs_diff"].items()}
    times = {k: old[k] for k in ("render_seconds", "train_seconds")}
    others_val = others[int(0.8 * len(others)) :]
    data = (results, others_val, unseen)
    metrics = score_pack(tmp, cfg, df, data, temps, extra, diffs, times, fixed)
    shutil.rmtree(pack_dir)
    tmp.rename(pack_dir)
    return metrics
