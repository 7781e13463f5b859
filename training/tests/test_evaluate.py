"""Vote, matching, calibration helpers used for the pack's metrics."""

from __future__ import annotations

import numpy as np
import pytest

from screwid_train.evaluate import ece, match, vote, vote_views
from screwid_train.report import choose_mixed_rule
from screwid_train.train import fit_temperature

LABELS = ["Medtronic", "NuVasive", "Stryker"]


def _probs(rows: list[int], conf: float = 0.9) -> np.ndarray:
    p = np.full((len(rows), 3), (1 - conf) / 2)
    p[np.arange(len(rows)), rows] = conf
    return p


@pytest.mark.parametrize(
    ("rows", "expect"),
    [
        ([0, 0, 0, 0, 0, 0], ["Medtronic"]),
        ([0, 0, 0, 0, 2, 2], ["Medtronic", "Stryker"]),
        ([1, 1, 1, 1, 1, 1, 1, 1, 1, 0], ["NuVasive"]),
    ],
)
def test_vote(rows, expect) -> None:
    assert vote(_probs(rows), LABELS, 0.6, 0.2, 2) == expect


def test_vote_ignores_uncertain() -> None:
    assert vote(_probs([0, 1, 2], conf=0.5), LABELS, 0.6, 0.2, 2) == []


def test_match_one_to_one() -> None:
    gt = np.array([[0, 0, 10, 10], [20, 20, 30, 30]], dtype=float)
    det = np.array([[21, 21, 30, 31], [0, 0, 10, 11], [0, 0, 9, 10]], dtype=float)
    assert match(gt, det).tolist() == [1, 0]


def test_temperature_and_ece() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 2000)
    logits = rng.normal(0, 1, (2000, 3))
    logits[np.arange(2000), y] += 2.0
    over = logits * 4.0  # overconfident
    t = fit_temperature(over, y)
    assert t > 1.5
    raw = np.exp(over) / np.exp(over).sum(1, keepdims=True)
    p = np.exp(over / t) / np.exp(over / t).sum(1, keepdims=True)
    e, _ = ece(p, y)
    assert e < 0.05
    assert e < ece(raw, y)[0]


def test_a_second_design_on_one_film_only_needs_the_per_view_count() -> None:
    # 8 Medtronic on each film, 2 Stryker on the AP only: 2 of 18 confident screws (11 %).
    ap, lateral = _probs([0] * 8 + [2, 2]), _probs([0] * 8)
    probs, views = np.concatenate([ap, lateral]), np.array(["ap"] * 10 + ["lateral"] * 8)
    assert vote(probs, LABELS, 0.6, 0.1, 2) == ["Medtronic", "Stryker"]
    assert vote(probs, LABELS, 0.6, 0.1, 2, views, 1) == ["Medtronic"]
    # One Stryker on the lateral film too: it shows on both.
    lateral = _probs([2] + [0] * 7)
    probs = np.concatenate([ap, lateral])
    assert vote(probs, LABELS, 0.6, 0.1, 2, views, 1) == ["Medtronic", "Stryker"]


def test_vote_views_reads_the_rule_from_the_thresholds() -> None:
    th = {"screw_uncertain_below": 0.6, "mixed_min_share": 0.1, "mixed_min_screws": 2}
    probs = {"ap": _probs([0] * 8 + [2, 2]), "lateral": _probs([0] * 8)}
    assert vote_views(probs, LABELS, th) == ["Medtronic", "Stryker"]  # 0 per view if absent
    assert vote_views(probs, LABELS, {**th, "mixed_min_per_view": 1}) == ["Medtronic"]
    assert vote_views({"ap": _probs([]), "lateral": _probs([])}, LABELS, th) == []


def test_the_mixed_rule_is_chosen_for_few_false_flags_then_most_mixed_found() -> None:
    th = {"screw_uncertain_below": 0.6}
    # 50 single-design patients with four misreads on the AP film only, and 10 mixed
    # patients whose second design has one level (2 screws) on each film: both have a
    # second design with 4 of 24 confident screws (17 %), so no share or count tells them
    # apart, only the per-view count.
    probs_of, truth = {}, {}
    for pid in range(50):
        probs_of[(pid, "ap")] = _probs([0] * 10 + [2] * 4)
        probs_of[(pid, "lateral")] = _probs([0] * 10)
        truth[pid] = {"Medtronic"}
    for pid in range(50, 60):
        probs_of[(pid, "ap")] = _probs([0] * 10 + [1, 1])
        probs_of[(pid, "lateral")] = _probs([0] * 10 + [1, 1])
        truth[pid] = {"Medtronic", "NuVasive"}
    rule = choose_mixed_rule(probs_of, truth, LABELS, th)
    # Flagging all mixed and no single patient: share <= 0.15, screws <= 4, 1 or 2 per
    # view; nearest the founding rule (0.2, 2, 0): 0.15, 2, 1.
    assert rule == {"mixed_min_share": 0.15, "mixed_min_screws": 2, "mixed_min_per_view": 1}
