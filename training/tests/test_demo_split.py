"""The demonstration pack's patient split: at least 200 test patients, no patient twice."""

from __future__ import annotations

from screwid_train.dataset import DataConfig, split_patients


def test_default_config_gives_200_test_patients_in_disjoint_splits() -> None:
    cfg = DataConfig()
    s = split_patients(cfg.patients, cfg.seed, cfg.train_share, cfg.val_share)
    assert len(s["test"]) >= 200
    ids = s["train"] + s["val"] + s["test"]
    assert sorted(ids) == list(range(cfg.patients))
    # Stratified: the primary design is index mod 3, so each design has a third of the test.
    counts = [sum(i % 3 == k for i in s["test"]) for k in range(3)]
    assert max(counts) - min(counts) <= 1


def test_small_builds_keep_every_split_non_empty() -> None:
    for n in (30, 45, 60):
        s = split_patients(n, 0, 0.6, 0.1)
        assert all(len(v) >= 3 for v in s.values()), (n, {k: len(v) for k, v in s.items()})
