"""The whole hospital workflow on a tiny phantom dataset, through the command line.

check-data (clean, then a broken copy), split, train (straight, and stopped then resumed),
evaluate with a reader CSV, export, and load the pack's manifest back. About a minute on two
shared cores; deselect with `-m "not e2e"`."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
import torch

from screwid_train.cli import main
from screwid_train.hospital_export import verify_pack
from screwid_train.hospital_train import MODEL_NAMES
from screwid_train.selftest import check_with_onnxruntime

pytestmark = pytest.mark.e2e


def _cli(capsys, *args: str) -> tuple[int, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    return code, capsys.readouterr().out


TRAIN = ("--quick", "--rendered-others", "8", "--checkpoint-every", "2", "--seed", "3")


def test_hospital_workflow(hospital, tmp_path, capsys) -> None:
    from test_check_data import EXPECTED, _break

    data = tmp_path / "data"
    shutil.copytree(hospital, data)
    code, out = _cli(capsys, "check-data", "--data", str(data))
    assert code == 0, out

    broken = tmp_path / "broken"
    shutil.copytree(hospital, broken)
    _break(broken)
    code, out = _cli(capsys, "check-data", "--data", str(broken))
    assert code == 1
    assert sum(ln.startswith("error: ") for ln in out.splitlines()) == len(EXPECTED), out

    split = tmp_path / "split.csv"
    code, out = _cli(capsys, "split", "--data", str(data), "--out", str(split), "--seed", "0")
    assert code == 0, out
    with split.open() as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["patient_id"] for r in rows) == [f"H{i:02d}" for i in range(1, 11)]
    # 10 patients at 65/15/20: test round(2.0) = 2, val round(1.5) = 2, train 6.
    assert [sum(r["split"] == s for r in rows) for s in ("train", "val", "test")] == [6, 2, 2]

    a, b = tmp_path / "run_a", tmp_path / "run_b"
    common = ("--data", str(data), "--split", str(split), *TRAIN)
    assert _cli(capsys, "train", "--out", str(a), *common)[0] == 0
    code, out = _cli(capsys, "train", "--out", str(b), *common, "--stop-after", "3")
    assert code == 2 and "stopped after 3 of 5 steps" in out, out
    assert not (b / "models" / "view.pt").exists()
    code, out = _cli(capsys, "train", "--out", str(b), "--resume")
    assert code == 0, out
    for name in MODEL_NAMES:
        wa = torch.load(a / "models" / f"{name}.pt", weights_only=True)
        wb = torch.load(b / "models" / f"{name}.pt", weights_only=True)
        assert all(torch.equal(wa[k], wb[k]) for k in wa), f"{name} differs after resuming"
    # Starting again over a finished run is refused rather than overwriting it.
    assert _cli(capsys, "train", "--out", str(a), *common)[0] == 1

    readers = tmp_path / "readers.csv"
    test_ids = [r["patient_id"] for r in rows if r["split"] == "test"]
    readers.write_text("patient_id,manufacturer\n" + "".join(f"{p},Stryker\n" for p in test_ids))
    code, out = _cli(capsys, "evaluate", "--run", str(a), "--readers", str(readers))
    assert code == 0, out
    m = json.loads((a / "eval" / "metrics.json").read_text())
    for level in ("per_screw", "per_patient"):
        for view in ("ap", "lateral", "both"):
            t = m[level][view]
            assert {"accuracy", "precision", "recall", "specificity", "f1"} <= t.keys()
    assert m["per_screw"]["both"]["n"] == m["per_screw"]["ap"]["n"] + m["per_screw"]["lateral"]["n"]
    assert {"recall", "map50"} <= m["detection"]["ap"].keys()
    assert m["kappa"]["patients"] == 2
    assert m["app_path"]["patients"] == 2
    for f in ("confusion.png", "reliability.png", "MODEL_CARD.md"):
        assert (a / "eval" / f).stat().st_size > 0
    card = (a / "eval" / "MODEL_CARD.md").read_text()
    assert "## What it was trained on" in card and "10 patients" in card
    assert "H0" not in card and "H10" not in card, "a patient id leaked into the card"

    pack = tmp_path / "pack"
    code, out = _cli(capsys, "export", "--run", str(a), "--out", str(pack), "--name", "tiny")
    assert code == 0, out
    manifest = verify_pack(pack)
    assert manifest["name"] == "tiny"
    assert [c["name"] for c in manifest["classes"]] == ["Medtronic", "NuVasive", "Stryker"]
    assert manifest["selftest"] in manifest["sha256"]
    index = json.loads((pack / manifest["selftest"]).read_text())
    assert {v["model"] for v in index["vectors"]} == set(MODEL_NAMES)
    assert all(v["input"] in manifest["sha256"] for v in index["vectors"])
    assert check_with_onnxruntime(pack) < 1e-4
    # The screw classifiers take 128-px crops and their scale, as the bundled pack's.
    for view in ("ap", "lateral"):
        spec = manifest["models"][f"classifier_{view}"]
        assert spec["input"] == [128, 128]
        assert spec["scale_channel"] == "log2_mm_per_pixel"
        assert spec["average_hflip"] is True
    assert "10 patients" in manifest["trained_on"]
