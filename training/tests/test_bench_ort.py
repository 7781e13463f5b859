"""The onnxruntime benchmark reads the pack's vectors and parses tract's timing lines."""

from __future__ import annotations

from pathlib import Path

from screwid_train.bench_ort import _TRACT_LINE, Timing, ort_times, table

PACK = Path(__file__).resolve().parents[2] / "models" / "phantom-demo"


def test_every_self_test_vector_gets_a_positive_time() -> None:
    times = ort_times(PACK, repeat=1, threads=1)
    models = {model for model, _ in times}
    assert models == {"view", "detector", "classifier_ap", "classifier_lateral"}
    assert all(ms > 0 for ms in times.values())


def test_a_tract_line_is_parsed_and_the_ratio_is_tract_over_ort() -> None:
    line = (
        "detector             selftest/detector_0.input.bin            "
        "max |tract - reference| = 3.20e-6, median 38.50 ms"
    )
    m = _TRACT_LINE.match(line)
    assert m is not None
    assert (m.group(1), m.group(2), float(m.group(3))) == (
        "detector",
        "selftest/detector_0.input.bin",
        38.5,
    )
    t = Timing("detector", "x", ort_ms=10.0, tract_ms=38.5)
    assert t.ratio == 3.85
    assert "| detector | 10.00 | 38.50 | 3.85 |" in table([t])
