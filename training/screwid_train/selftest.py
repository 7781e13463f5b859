"""Self-test vectors of a pack: model inputs and reference outputs, for `screwid check-pack`.

Layout inside the pack (all files are covered by the manifest's sha256):

    selftest/selftest.json   {"format": "screwid.selftest/1", "reference": "...",
                              "tolerance": 1e-3, "vectors": [{"model": "view",
                              "input": "selftest/view_0.input.bin", "input_shape": [1,1,128,128],
                              "output": "selftest/view_0.output.bin", "output_shape": [1,3]}]}
    selftest/*.bin           raw little-endian float32, C order

`input` is already normalised (what the model itself receives). The manifest names the index
with `"selftest": "selftest/selftest.json"`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

FORMAT = "screwid.selftest/1"
INDEX = "selftest/selftest.json"
# Largest |tract - reference| accepted. Exported graphs agree with PyTorch to ~1e-5 under
# onnxruntime; tract's different summation order may add as much again on the detector's
# 512x512 map. 1e-3 is far above that and far below any change of decision.
TOLERANCE = 1e-3
SHAPES = {
    "view": (128, 128),
    "detector": (512, 512),
    "classifier_ap": (96, 96),
    "classifier_lateral": (96, 96),
}


def normalise(x: np.ndarray) -> np.ndarray:
    """A display-space image [H, W] in [0, 1] to the model input [1, 1, H, W] (contract)."""
    return ((x.astype(np.float32) - 0.5) / 0.25)[None, None]


def random_input(name: str, seed: int, shape: tuple[int, int, int] | None = None) -> np.ndarray:
    """A uniform random model input [1, C, H, W]; `shape` (C, H, W) overrides `SHAPES`."""
    c, h, w = shape if shape is not None else (1, SHAPES[name][1], SHAPES[name][0])
    return np.random.default_rng([seed, 5]).uniform(-2, 2, (1, c, h, w)).astype(np.float32)


def write_selftest(
    pack: Path,
    inputs: dict[str, list[np.ndarray]],
    run: Callable[[str, np.ndarray], np.ndarray],
    reference: str,
) -> dict:
    """Run `run(model, input)` on every input, write the vectors and the index; the manifest key."""
    d = pack / "selftest"
    d.mkdir(parents=True, exist_ok=True)
    entries = []
    for name, xs in inputs.items():
        for k, x in enumerate(xs):
            x = np.ascontiguousarray(x, dtype="<f4")
            y = np.ascontiguousarray(run(name, x), dtype="<f4")
            stem = f"selftest/{name}_{k}"
            (pack / f"{stem}.input.bin").write_bytes(x.tobytes())
            (pack / f"{stem}.output.bin").write_bytes(y.tobytes())
            entries.append(
                {
                    "model": name,
                    "input": f"{stem}.input.bin",
                    "input_shape": list(x.shape),
                    "output": f"{stem}.output.bin",
                    "output_shape": list(y.shape),
                }
            )
    index = {"format": FORMAT, "reference": reference, "tolerance": TOLERANCE, "vectors": entries}
    (pack / INDEX).write_text(json.dumps(index, indent=2) + "\n")
    return {"selftest": INDEX}


def read_vector(path: Path, shape: list[int]) -> np.ndarray:
    return np.frombuffer(path.read_bytes(), dtype="<f4").reshape(shape)


def check_with_onnxruntime(pack: Path) -> float:
    """Largest |onnxruntime - reference| over the pack's vectors (the Python-side check)."""
    import onnxruntime as ort

    index = json.loads((pack / INDEX).read_text())
    manifest = json.loads((pack / "manifest.json").read_text())
    worst = 0.0
    for v in index["vectors"]:
        sess = ort.InferenceSession(
            str(pack / manifest["models"][v["model"]]["file"]), providers=["CPUExecutionProvider"]
        )
        got = sess.run(None, {"input": read_vector(pack / v["input"], v["input_shape"])})[0]
        worst = max(
            worst, float(np.abs(got - read_vector(pack / v["output"], v["output_shape"])).max())
        )
    return worst
