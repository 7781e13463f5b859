"""The detector's pair channels: two overlapping screws under one peak survive decoding."""

from __future__ import annotations

import numpy as np

from screwid_train.detector import decode, make_targets


def _as_output(t: dict[str, np.ndarray]) -> np.ndarray:
    """A perfect detector's output for these targets (pair probability as the target)."""
    return np.concatenate([t["hm"], t["reg"], t["pair"][:1], t["reg2"]])


def test_overlapping_pair_gives_two_boxes() -> None:
    # A lateral left/right pair: the far screw 4 % smaller and shifted by 3 px, IoU ~0.8,
    # centres in neighbouring cells, so the 3 x 3 peak rule alone keeps one of them.
    near = [100.0, 100.0, 180.0, 130.0]
    far = [103.0, 101.0, 180.0, 130.0]
    boxes = np.array([far, near])
    t = make_targets(boxes, 256)
    assert t["hm"][0].max() == 1.0
    assert int((t["hm"][0] == 1.0).sum()) == 1  # one peak only: the larger box
    got, scores = decode(_as_output(t), 0.5, 0.5)
    assert len(got) == 2
    order = np.argsort(got[:, 0])
    np.testing.assert_allclose(got[order], [near, far], atol=1e-3)
    assert (scores == 1.0).all()


def test_distant_screws_are_two_primaries() -> None:
    boxes = np.array([[40.0, 60.0, 100.0, 90.0], [200.0, 210.0, 230.0, 260.0]])
    t = make_targets(boxes, 256)
    assert int((t["hm"][0] == 1.0).sum()) == 2
    assert t["pair"][0].max() == 0.0  # no partner anywhere
    got, _ = decode(_as_output(t), 0.5, 0.5)
    assert len(got) == 2


def test_low_pair_probability_keeps_one_box() -> None:
    boxes = np.array([[100.0, 100.0, 180.0, 130.0], [103.0, 101.0, 180.0, 130.0]])
    out = _as_output(make_targets(boxes, 256))
    out[5] *= 0.3  # the detector doubts there is a second screw
    got, _ = decode(out, 0.5, 0.5)
    assert len(got) == 1


def test_partner_duplicating_another_screw_is_dropped() -> None:
    # Primary A at x 100-180 claims a partner exactly where primary B is found anyway.
    a, b = [100.0, 100.0, 180.0, 130.0], [100.0, 140.0, 180.0, 170.0]
    out = _as_output(make_targets(np.array([a, b]), 256))
    j, i = np.unravel_index(np.argmax(out[0] * (np.arange(64) < 35)[:, None]), out[0].shape)
    out[5, j, i] = 1.0
    out[6, j, i] = 140.0 / 4 - i
    out[7, j, i] = 155.0 / 4 - j
    out[8, j, i], out[9, j, i] = np.log(80 / 4), np.log(30 / 4)
    got, _ = decode(out, 0.5, 0.5)
    assert len(got) == 2
