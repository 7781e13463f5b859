"""Vote, matching, calibration helpers used for the pack's metrics."""

from __future__ import annotations

import numpy as np
import pytest

from screwid_train.evaluate import ece, match, vote
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
