"""Table 2 metrics, AP@0.5 and kappa against values worked out by hand (in the comments)."""

from __future__ import annotations

import numpy as np
import pytest

from screwid_train.metrics import average_precision, cohen_kappa, table2


def test_table2_hand_worked() -> None:
    # truth 0,0,0,1,1,2 / predicted 0,0,1,1,2,2. Confusion rows (truth): [2,1,0] [0,1,1] [0,0,1].
    # class 0: TP 2 FP 0 FN 1 TN 3 -> P 1, R 2/3, spec 3/3, F1 0.8
    # class 1: TP 1 FP 1 FN 1 TN 3 -> P 1/2, R 1/2, spec 3/4, F1 1/2
    # class 2: TP 1 FP 1 FN 0 TN 4 -> P 1/2, R 1, spec 4/5, F1 2/3
    # supports 3, 2, 1 -> weights 1/2, 1/3, 1/6.
    t = table2(np.array([0, 0, 0, 1, 1, 2]), np.array([0, 0, 1, 1, 2, 2]), ["a", "b", "c"])
    assert t["confusion"] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert t["accuracy"] == pytest.approx(4 / 6)
    spec = [t["per_class"][k]["specificity"] for k in "abc"]
    assert spec == pytest.approx([1.0, 0.75, 0.8])
    assert [t["per_class"][k]["f1"] for k in "abc"] == pytest.approx([0.8, 0.5, 2 / 3])
    assert t["precision"] == pytest.approx(1 / 2 + 1 / 6 + 1 / 12)
    assert t["recall"] == pytest.approx(4 / 6)  # weighted recall is accuracy
    assert t["specificity"] == pytest.approx(1 / 2 + 0.75 / 3 + 0.8 / 6)
    assert t["f1"] == pytest.approx(0.4 + 1 / 6 + 1 / 9)


def test_specificity_of_a_class_never_predicted() -> None:
    # Everything called class 0: class 1 has no FP (spec 1), class 0 has TN 0 (spec 0).
    t = table2(np.array([0, 1, 1]), np.array([0, 0, 0]), ["a", "b"])
    assert t["per_class"]["b"]["specificity"] == 1.0
    assert t["per_class"]["a"]["specificity"] == 0.0
    assert t["per_class"]["b"]["precision"] == 0.0


def test_kappa_hand_worked() -> None:
    # p_o = 3/4; p_e = (1/2)(1/4) + (1/2)(3/4) = 1/2; kappa = (3/4 - 1/2) / (1/2) = 1/2.
    assert cohen_kappa(["A", "A", "B", "B"], ["A", "B", "B", "B"]) == pytest.approx(0.5)
    assert cohen_kappa(["A", "B", "C"], ["A", "B", "C"]) == pytest.approx(1.0)
    # Always disagreeing on a balanced pair: p_o 0, p_e 1/2 -> -1.
    assert cohen_kappa(["A", "B"], ["B", "A"]) == pytest.approx(-1.0)


def test_map50_hand_worked() -> None:
    # Image 1: two screws, detections TP (0.9), FP (0.8), TP (0.7). Image 2: one screw missed.
    # 3 truths. Precision 1, 1/2, 2/3 at recall 1/3, 1/3, 2/3; made monotone: 1 up to 1/3,
    # then 2/3 up to 2/3. AP = 1/3 * 1 + 1/3 * 2/3 = 5/9.
    gts = [
        np.array([[0, 0, 10, 10], [20, 0, 30, 10]], dtype=float),
        np.array([[0, 0, 10, 10]], dtype=float),
    ]
    dets = [
        (
            np.array([[0, 0, 10, 10], [50, 50, 60, 60], [20, 0, 30, 10]], dtype=float),
            np.array([0.9, 0.8, 0.7]),
        ),
        (np.zeros((0, 4)), np.zeros(0)),
    ]
    assert average_precision(gts, dets) == pytest.approx(5 / 9)


def test_map50_duplicate_is_a_false_positive_and_iou_counts() -> None:
    gt = [np.array([[0, 0, 10, 10]], dtype=float)]
    # Second detection on the same screw comes after recall is already 1: AP stays 1.
    two = [(np.array([[0, 0, 10, 10], [0, 0, 10, 11]], dtype=float), np.array([0.9, 0.8]))]
    assert average_precision(gt, two) == pytest.approx(1.0)
    # IoU of [0,0,10,10] and [5,0,15,10] is 50/150 = 1/3 < 0.5: a miss.
    off = [(np.array([[5, 0, 15, 10]], dtype=float), np.array([0.9]))]
    assert average_precision(gt, off) == 0.0
    assert average_precision(gt, off, iou=0.3) == pytest.approx(1.0)
