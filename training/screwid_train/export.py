"""ONNX export (opset 17, static batch-1 shapes), checks against PyTorch, pack manifest."""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

logger = logging.getLogger(__name__)

OPSET = 17
CLASS_COLOURS = {"Medtronic": [214, 39, 40], "NuVasive": [44, 160, 44], "Stryker": [31, 119, 180]}


# Matplotlib's tab10 without the three colours above, for other manufacturers.
PALETTE = [
    [255, 127, 14],
    [148, 103, 189],
    [140, 86, 75],
    [227, 119, 194],
    [188, 189, 34],
    [23, 190, 207],
    [127, 127, 127],
]


def class_colour(name: str, index: int) -> list[int]:
    return CLASS_COLOURS.get(name, PALETTE[index % len(PALETTE)])


def _symbolic_dims(model: onnx.ModelProto) -> list[str]:
    bad = []
    graph = model.graph
    for vi in list(graph.input) + list(graph.output) + list(graph.value_info):
        for d in vi.type.tensor_type.shape.dim:
            if not d.HasField("dim_value"):
                bad.append(vi.name)
    return bad


def export_onnx(
    model: torch.nn.Module, path: Path, width: int, height: int, channels: int = 1
) -> float:
    """Export, check, infer static shapes, and return max |onnxruntime - torch|."""
    model = model.eval()
    x = torch.from_numpy(
        np.random.default_rng(0).uniform(-2, 2, (1, channels, height, width)).astype(np.float32)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (x,),
            str(path),
            dynamo=False,
            opset_version=OPSET,
            input_names=["input"],
            output_names=["output"],
            do_constant_folding=True,
        )
    proto = onnx.load(str(path))
    proto = onnx.shape_inference.infer_shapes(proto, strict_mode=True)
    onnx.checker.check_model(proto, full_check=True)
    bad = _symbolic_dims(proto)
    if bad:
        raise ValueError(f"symbolic dimensions left in {path.name}: {bad}")
    onnx.save(proto, str(path))
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = sess.run(None, {"input": x.numpy()})[0]
    with torch.no_grad():
        want = model(x).numpy()
    diff = float(np.abs(got - want).max())
    logger.info(
        "%s: ops %s, max |ort - torch| = %.2e",
        path.name,
        sorted({n.op_type for n in proto.graph.node}),
        diff,
    )
    return diff


def onnx_input_shape(path: Path) -> tuple[int, int, int]:
    """(channels, height, width) of a model's single input [1, C, H, W]."""
    dims = onnx.load(str(path)).graph.input[0].type.tensor_type.shape.dim
    return int(dims[1].dim_value), int(dims[2].dim_value), int(dims[3].dim_value)


def _scale_spec() -> dict:
    from screwid_train.scale import ASSUMED_LONG_SIDE_MM, KIND

    return {"scale_channel": KIND, "assumed_long_side_mm": ASSUMED_LONG_SIDE_MM}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


TRAINED_ON = (
    "Demonstration pack trained only on rendered phantoms: synthetic AP and lateral "
    "radiographs of pedicle-screw constructs generated from assets/phantom/designs.toml. "
    "The three screw designs there are stylised after public descriptions (rod diameter, "
    "closure type, thread pitch range) and are not measurements of the real products. "
    "No real radiograph was used, and the results say nothing about real patients or about "
    "the real manufacturers' implants."
)


def write_manifest(
    pack: Path,
    labels: list[str],
    temperatures: dict[str, float],
    thresholds: dict[str, float | int],
    metrics: dict,
    version: str,
    name: str = "phantom-demo",
    trained_on: str = TRAINED_ON,
    extra: dict | None = None,
    hflip: bool = False,
) -> Path:
    """manifest.json per docs/contracts.md; sha256 over every other file of the pack.

    `extra` adds top-level keys (the self-test index) before the checksums. The classifiers'
    input size and scale channel are read from their ONNX files; `hflip` marks them as read
    with each crop's mirror image (`average_hflip`)."""
    norm = {"mean": 0.5, "std": 0.25}
    models = {
        "view": {
            "file": "view.onnx",
            "input": [128, 128],
            **norm,
            "outputs": ["ap", "lateral", "other"],
        },
        "detector": {"file": "detector.onnx", "input": [512, 512], **norm, "stride": 4},
    }
    for view in ("ap", "lateral"):
        channels, h, w = onnx_input_shape(pack / f"classifier_{view}.onnx")
        models[f"classifier_{view}"] = {
            "file": f"classifier_{view}.onnx",
            "input": [w, h],
            **norm,
            "temperature": temperatures[view],
            "crop_margin": 0.15,
            **(_scale_spec() if channels == 2 else {}),
            **({"average_hflip": True} if hflip else {}),
        }
    files = sorted(p for p in pack.rglob("*") if p.is_file() and p.name != "manifest.json")
    manifest = {
        "format": "screwid.pack/1",
        "name": name,
        "version": version,
        "trained_on": trained_on,
        "classes": [{"name": n, "colour": class_colour(n, k)} for k, n in enumerate(labels)],
        "models": models,
        "thresholds": thresholds,
        "metrics": metrics,
        **(extra or {}),
        "sha256": {p.relative_to(pack).as_posix(): sha256_file(p) for p in files},
    }
    out = pack / "manifest.json"
    out.write_text(json.dumps(manifest, indent=2) + "\n")
    return out
