"""CenterNet targets, loss and the contract's decode (score, 3x3 peak, NMS, letterbox back)."""

from __future__ import annotations

import logging

import numpy as np
import torch
import torch.nn.functional as F

from screwid_train.imaging import box_iou

logger = logging.getLogger(__name__)

STRIDE = 4


PAIR_RADIUS = 2  # cells: a second screw this close to a peak is read from the pair channels


def _cell(box: np.ndarray, stride: int) -> tuple[float, float, int, int]:
    cx, cy = (box[0] + box[2]) / 2 / stride, (box[1] + box[3]) / 2 / stride
    return cx, cy, int(np.floor(cx)), int(np.floor(cy))


def _pairs(boxes: np.ndarray, s: int, stride: int) -> tuple[list[int], dict[int, int]]:
    """Primaries and, for some, a partner within `PAIR_RADIUS` cells.

    Larger boxes come first (on a lateral film the near-side screw is magnified more), so
    the primary of an overlapping left/right pair is the same screw from image to image.
    """
    order = np.argsort(-(boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]), kind="stable")
    primaries: list[int] = []
    partner: dict[int, int] = {}
    for k in order:
        _, _, i, j = _cell(boxes[k], stride)
        if not (0 <= i < s and 0 <= j < s):
            continue
        near = [
            p
            for p in primaries
            if p not in partner
            and max(abs(_cell(boxes[p], stride)[2] - i), abs(_cell(boxes[p], stride)[3] - j))
            <= PAIR_RADIUS
        ]
        if near:
            partner[near[0]] = int(k)
        else:
            primaries.append(int(k))
    return primaries, partner


def make_targets(boxes: np.ndarray, size: int, stride: int = STRIDE) -> dict[str, np.ndarray]:
    """Targets for boxes in input pixels: heatmap [1, S, S], regression [4, S, S] and mask
    [S, S] of the primaries; pair probability [S, S], partner regression [4, S, S] and their
    mask [S, S] over the 3 x 3 cells around each primary (the decoded peak may sit one cell
    off)."""
    s = size // stride
    hm = np.zeros((s, s), dtype=np.float32)
    reg = np.zeros((4, s, s), dtype=np.float32)
    mask = np.zeros((s, s), dtype=np.float32)
    pair = np.zeros((s, s), dtype=np.float32)
    reg2 = np.zeros((4, s, s), dtype=np.float32)
    pair_mask = np.zeros((s, s), dtype=np.float32)
    mask2 = np.zeros((s, s), dtype=np.float32)
    ys, xs = np.mgrid[0:s, 0:s].astype(np.float32)
    boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
    primaries, partner = _pairs(boxes, s, stride)
    for k in primaries:
        x0, y0, x1, y1 = boxes[k]
        w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
        cx, cy, i, j = _cell(boxes[k], stride)
        sx, sy = max(0.6, w / stride / 8), max(0.6, h / stride / 8)
        g = np.exp(-((xs - i) ** 2) / (2 * sx**2) - ((ys - j) ** 2) / (2 * sy**2))
        hm = np.maximum(hm, g)
        hm[j, i] = 1.0
        reg[:, j, i] = (cx - i, cy - j, np.log(w / stride), np.log(h / stride))
        mask[j, i] = 1.0
        rows = slice(max(j - 1, 0), min(j + 2, s))
        cols = slice(max(i - 1, 0), min(i + 2, s))
        pair_mask[rows, cols] = 1.0
        if k in partner:
            b = boxes[partner[k]]
            cx2, cy2, _, _ = _cell(b, stride)
            w2, h2 = max(b[2] - b[0], 1.0), max(b[3] - b[1], 1.0)
            pair[rows, cols] = 1.0
            mask2[rows, cols] = 1.0
            reg2[0, rows, cols] = cx2 - xs[rows, cols]
            reg2[1, rows, cols] = cy2 - ys[rows, cols]
            reg2[2, rows, cols] = np.log(w2 / stride)
            reg2[3, rows, cols] = np.log(h2 / stride)
    return {
        "hm": hm[None],
        "reg": reg,
        "mask": mask,
        "pair": np.stack([pair, pair_mask, mask2]),
        "reg2": reg2,
    }


def detector_loss(
    raw: torch.Tensor,
    hm: torch.Tensor,
    reg: torch.Tensor,
    mask: torch.Tensor,
    pair: torch.Tensor | None = None,
    reg2: torch.Tensor | None = None,
) -> tuple[torch.Tensor, dict[str, float]]:
    """Penalty-reduced focal loss on the heatmap plus L1 on offsets and log sizes; with a
    pair head, binary cross-entropy on the pair probability and L1 on the partner's box."""
    logit = raw[:, 0:1]
    p = torch.sigmoid(logit).clamp(1e-4, 1 - 1e-4)
    pos = hm.eq(1).float()
    neg = 1 - pos
    log_p = F.logsigmoid(logit)
    log_1p = F.logsigmoid(-logit)
    pos_loss = -(log_p * (1 - p) ** 2 * pos).sum()
    neg_loss = -(log_1p * p**2 * (1 - hm) ** 4 * neg).sum()
    n_pos = pos.sum().clamp(min=1.0)
    focal = (pos_loss + neg_loss) / n_pos
    m = mask[:, None]
    off = (torch.abs(raw[:, 1:3] - reg[:, 0:2]) * m).sum() / n_pos
    siz = (torch.abs(raw[:, 3:5] - reg[:, 2:4]) * m).sum() / n_pos
    loss = focal + off + siz
    parts = {
        "focal": float(focal.detach()),
        "off": float(off.detach()),
        "size": float(siz.detach()),
    }
    if pair is not None and reg2 is not None and raw.shape[1] >= 10:
        target, where, m2 = pair[:, 0], pair[:, 1], pair[:, 2]
        bce = F.binary_cross_entropy_with_logits(raw[:, 5], target, reduction="none")
        pair_loss = (bce * where).sum() / where.sum().clamp(min=1.0)
        n2 = m2.sum().clamp(min=1.0)
        box2 = (torch.abs(raw[:, 6:10] - reg2) * m2[:, None]).sum() / n2
        loss = loss + pair_loss + box2
        parts |= {"pair": float(pair_loss.detach()), "box2": float(box2.detach())}
    return loss, parts


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> np.ndarray:
    order = np.argsort(-scores)
    keep: list[int] = []
    for k in order:
        if keep and (box_iou(boxes[k : k + 1], boxes[keep]) > iou).any():
            continue
        keep.append(int(k))
    return np.array(keep, dtype=np.int64)


def decode(
    out: np.ndarray,
    threshold: float,
    nms_iou: float,
    stride: int = STRIDE,
    pair: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Contract decode of one output [5 or 10, S, S]: boxes [N, 4] in input pixels and scores.

    Peaks of the heatmap, then NMS, give the primaries; a 10-channel output adds each kept
    primary's partner (score = primary score x pair probability, at least `pair`, which
    defaults to `threshold`) unless it duplicates a kept box other than its own primary.
    """
    hm = out[0]
    padded = np.pad(hm, 1, mode="constant", constant_values=-1.0)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3))
    peak = hm >= windows.max(axis=(2, 3))
    js, is_ = np.nonzero(peak & (hm >= threshold))
    if len(js) == 0:
        return np.zeros((0, 4), dtype=np.float32), np.zeros(0, dtype=np.float32)
    scores = hm[js, is_]
    boxes = _boxes(out[1:5], js, is_, stride)
    keep = nms(boxes, scores, nms_iou)
    boxes, scores, js, is_ = boxes[keep], scores[keep], js[keep], is_[keep]
    if out.shape[0] >= 10:
        least = threshold if pair is None else pair
        boxes, scores = _add_partners(out, boxes, scores, js, is_, least, nms_iou, stride)
    return boxes.astype(np.float32), scores.astype(np.float32)


def _boxes(reg: np.ndarray, js: np.ndarray, is_: np.ndarray, stride: int) -> np.ndarray:
    cx = (is_ + reg[0, js, is_]) * stride
    cy = (js + reg[1, js, is_]) * stride
    w = np.exp(reg[2, js, is_]) * stride
    h = np.exp(reg[3, js, is_]) * stride
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)


def _add_partners(
    out: np.ndarray,
    boxes: np.ndarray,
    scores: np.ndarray,
    js: np.ndarray,
    is_: np.ndarray,
    threshold: float,
    nms_iou: float,
    stride: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Partners best first; each counts as kept for the ones after it (as the app does)."""
    s2 = scores * out[5, js, is_]
    partners = _boxes(out[6:10], js, is_, stride)
    all_b, all_s = list(boxes), list(scores)
    for k in sorted(np.nonzero(s2 >= threshold)[0], key=lambda k: -s2[k]):
        others = np.array([b for n, b in enumerate(all_b) if n != k]).reshape(-1, 4)
        if len(others) and (box_iou(partners[k : k + 1], others) > nms_iou).any():
            continue
        all_b.append(partners[k])
        all_s.append(s2[k])
    return np.array(all_b).reshape(-1, 4), np.array(all_s)
