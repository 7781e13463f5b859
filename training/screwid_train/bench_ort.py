"""Benchmark: each model of a pack under onnxruntime on the pack's own self-test inputs,
set beside tract's time on the same inputs (`screwid check-pack --repeat N`, run from the
release binary). A measurement, never a test: nothing here passes or fails.

Both engines get the same thread budget (``--threads``, default 2, this machine's cores)
and the same inputs, and each time is the median of ``--repeat`` runs after one warm-up.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort

from screwid_train.selftest import INDEX

# One line of `screwid check-pack --repeat N`: model, input file, difference, median.
_TRACT_LINE = re.compile(r"^(\S+)\s+(\S+)\s+max .* = \S+, median ([0-9.]+) ms$")


@dataclass(frozen=True)
class Timing:
    model: str
    input: str
    ort_ms: float
    tract_ms: float | None

    @property
    def ratio(self) -> float | None:
        """tract / onnxruntime (the issue's target is at most 1.2)."""
        return None if self.tract_ms is None else self.tract_ms / self.ort_ms


def ort_times(pack: Path, repeat: int, threads: int) -> dict[tuple[str, str], float]:
    """Median onnxruntime time (ms) per (model, input) of the pack's self-test vectors."""
    index = json.loads((pack / INDEX).read_text())
    manifest = json.loads((pack / "manifest.json").read_text())
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    sessions: dict[str, ort.InferenceSession] = {}
    out: dict[tuple[str, str], float] = {}
    for v in index["vectors"]:
        model = v["model"]
        if model not in sessions:
            path = pack / manifest["models"][model]["file"]
            sessions[model] = ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        session = sessions[model]
        x = np.fromfile(pack / v["input"], dtype="<f4").reshape(v["input_shape"])
        feed = {session.get_inputs()[0].name: x}
        session.run(None, feed)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            session.run(None, feed)
            times.append((time.perf_counter() - started) * 1000.0)
        out[(model, v["input"])] = statistics.median(times)
    return out


def tract_times(screwid: Path, pack: Path, repeat: int) -> dict[tuple[str, str], float]:
    """Median tract time (ms) per (model, input), from the screwid binary's own timing."""
    result = subprocess.run(
        [str(screwid), "check-pack", str(pack), "--repeat", str(repeat)],
        capture_output=True,
        text=True,
        check=False,
    )
    times = {}
    for line in result.stdout.splitlines():
        m = _TRACT_LINE.match(line.strip())
        if m:
            times[(m.group(1), m.group(2))] = float(m.group(3))
    if not times:
        raise RuntimeError(f"no timings from {screwid} check-pack: {result.stderr.strip()}")
    return times


def compare(pack: Path, repeat: int, threads: int, screwid: Path | None) -> list[Timing]:
    """onnxruntime and (when a binary is given) tract, vector by vector."""
    ort_ms = ort_times(pack, repeat, threads)
    tract_ms = tract_times(screwid, pack, repeat) if screwid else {}
    return [
        Timing(model, name, ms, tract_ms.get((model, name))) for (model, name), ms in ort_ms.items()
    ]


def table(timings: list[Timing]) -> str:
    """A Markdown table, one row per model (the median over its vectors)."""
    rows = ["| model | onnxruntime ms | tract ms | tract / onnxruntime |", "|---|---|---|---|"]
    for model in dict.fromkeys(t.model for t in timings):
        mine = [t for t in timings if t.model == model]
        ort_ms = statistics.median(t.ort_ms for t in mine)
        tract = [t.tract_ms for t in mine if t.tract_ms is not None]
        if tract:
            tract_ms = statistics.median(tract)
            rows.append(f"| {model} | {ort_ms:.2f} | {tract_ms:.2f} | {tract_ms / ort_ms:.2f} |")
        else:
            rows.append(f"| {model} | {ort_ms:.2f} | - | - |")
    return "\n".join(rows)
