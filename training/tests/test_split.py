"""Patient-level split: stratified shares, seeded, and no patient's image in two splits."""

from __future__ import annotations

import pytest

from screwid_train.split import DEFAULT_FRACTIONS, stratified_split


def _strata() -> dict[str, str]:
    s = {f"A{i:02d}": "A" for i in range(20)}
    s |= {f"B{i:02d}": "B" for i in range(20)}
    s |= {f"C{i:02d}": "C" for i in range(10)}
    s |= {f"M{i:02d}": "A;B" for i in range(3)}
    return s


def test_shares_overall_and_per_stratum() -> None:
    strata = _strata()
    got = stratified_split(strata, DEFAULT_FRACTIONS, seed=1)
    assert set(got) == set(strata)
    counts = {s: sum(v == s for v in got.values()) for s in ("train", "val", "test")}
    # 53 patients: test round(10.6) = 11, val round(7.95) = 8, train the other 34.
    assert counts == {"train": 34, "val": 8, "test": 11}
    for key in ("A", "B", "C"):
        ids = [p for p, k in strata.items() if k == key]
        for split, share in zip(("train", "val", "test"), DEFAULT_FRACTIONS, strict=True):
            n = sum(got[p] == split for p in ids)
            assert abs(n - share * len(ids)) <= 1.0, (key, split, n)


def test_seeded() -> None:
    a = stratified_split(_strata(), DEFAULT_FRACTIONS, seed=3)
    assert a == stratified_split(_strata(), DEFAULT_FRACTIONS, seed=3)
    assert a != stratified_split(_strata(), DEFAULT_FRACTIONS, seed=4)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_patients_images_stay_in_one_split(hospital, seed) -> None:
    from screwid_train.hospital import load_dataset

    data, issues = load_dataset(hospital)
    assert issues == []
    got = stratified_split(
        {p.patient_id: p.stratum() for p in data.patients}, DEFAULT_FRACTIONS, seed
    )
    files: dict[str, set[str]] = {"train": set(), "val": set(), "test": set()}
    for p in data.patients:
        files[got[p.patient_id]].update(str(im.path.resolve()) for im in p.images.values())
    assert not files["train"] & files["val"]
    assert not files["train"] & files["test"]
    assert not files["val"] & files["test"]
    assert sum(len(v) for v in files.values()) == 2 * len(data.patients)
