"""`check-data`: a clean dataset passes; a broken copy lists every kind of problem at once."""

from __future__ import annotations

import json
import shutil

import pytest

from screwid_train.cli import main


def _run(capsys, root) -> tuple[int, list[str]]:
    try:
        main(["check-data", "--data", str(root)])
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    return code, capsys.readouterr().out.splitlines()


def test_clean_dataset_passes(hospital, capsys) -> None:
    code, lines = _run(capsys, hospital)
    assert code == 0
    assert lines[-1].startswith("ok: 10 patients (1 mixed), 20 images")


def _break(root) -> None:
    """One of every kind of problem (the comment names the line it must produce)."""
    (root / "images" / "H02_lateral.png").unlink()  # missing image
    (root / "images" / "H03_ap.dcm").write_bytes(b"not a DICOM file at all" * 10)  # unreadable
    (root / "labels" / "H04_ap.txt").write_text("1 1.20 0.5 0.1 0.1\n")  # outside the image
    (root / "labels" / "H05_ap.txt").write_text("7 0.5 0.5 0.1 0.1\n")  # unknown class 7
    (root / "labels" / "H05_lateral.txt").write_text("1 0.5 0.5\n")  # malformed line
    (root / "labels" / "H09_lateral.txt").write_text("")  # empty boxes file
    (root / "labels" / "H08_ap.txt").unlink()  # no boxes file at all
    coco_path = root / "annotations" / "instances.json"
    coco = json.loads(coco_path.read_text())
    coco["categories"].append({"id": 9, "name": "Globus"})
    h06 = next(i["id"] for i in coco["images"] if i["file_name"].endswith("H06_ap.png"))
    next(a for a in coco["annotations"] if a["image_id"] == h06)["category_id"] = 9  # unknown
    coco_path.write_text(json.dumps(coco))
    rows = (root / "patients.csv").read_text().splitlines()
    rows = [r.replace("Stryker", "Zimmer") if r.startswith("H08") else r for r in rows]
    rows = [r.replace("Stryker", "NuVasive") if r.startswith("H07") else r for r in rows]
    rows = [r.replace("Medtronic", "mixed") if r.startswith("H01") else r for r in rows]
    rows.append(rows[6])  # H06 listed twice
    rows.append("H11,H01_ap.dcm,H10_lateral.png,Medtronic")  # images of other patients
    (root / "patients.csv").write_text("\n".join(rows) + "\n")


EXPECTED = [
    ("missing image (patient H02, lateral)", "images/H02_lateral.png"),
    # ... which its COCO entry also notices:
    ("COCO image 'images/H02_lateral.png' is not in images/", "annotations/instances.json"),
    ("unreadable image", "images/H03_ap.dcm"),
    ("box 1 [", "labels/H04_ap.txt (for images/H04_ap.png)"),
    ("line 1: unknown class 7", "labels/H05_ap.txt"),
    ("line 1 is not `class cx cy w h`", "labels/H05_lateral.txt"),
    ("boxes file is empty", "labels/H09_lateral.txt"),
    ("no boxes file", "images/H08_ap.png"),
    ("unknown class 'Globus'", "annotations/instances.json"),
    ("manufacturer 'Zimmer' is not in the class list", "patients.csv"),
    ("patient H07: CSV says NuVasive but the boxes say Stryker", "patients.csv"),
    ("patient H01: marked mixed but every box is Medtronic", "patients.csv"),
    ("patient H06 is listed twice", "patients.csv"),
    ("image used by two patients or views (H01 ap and H11 ap)", "images/H01_ap.dcm"),
    ("image used by two patients or views (H10 lateral and H11 lateral)", "images/H10_lateral.png"),
]


def test_broken_copy_lists_every_problem(hospital, tmp_path, capsys) -> None:
    root = tmp_path / "broken"
    shutil.copytree(hospital, root)
    _break(root)
    code, lines = _run(capsys, root)
    assert code == 1
    errors = [ln for ln in lines if ln.startswith("error: ")]
    print("\n".join(errors))
    for text, file in EXPECTED:
        hits = [ln for ln in errors if text in ln and ln.endswith(": " + file)]
        assert len(hits) == 1, f"{text!r} for {file}: {hits}"
    assert "outside the" in next(ln for ln in errors if "H04_ap.txt" in ln)
    assert len(errors) == len(EXPECTED), "\n".join(errors)
    assert lines[-1].startswith(f"{len(EXPECTED)} problem(s) found")


@pytest.mark.parametrize("missing", ["patients.csv"])
def test_missing_csv_is_one_line(hospital, tmp_path, capsys, missing) -> None:
    root = tmp_path / "nocsv"
    shutil.copytree(hospital, root)
    (root / missing).unlink()
    code, lines = _run(capsys, root)
    assert code == 1
    assert lines[0] == f"error: patients CSV is missing: {missing}"
