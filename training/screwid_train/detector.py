"""CenterNet targets, loss and the contract's decode (score, 3x3 peak, NMS, letterbox back)."""

from __future__ import annotations

import logging

import numpy as np
import torch
import torch.nn.functional as F

from screwid_train.imaging import box_iou

logger = logging.getLogger(__name__)

STRIDE = 4


def make_targets(boxes: np.ndarray, size: int, stride: int = STRIDE) -> dict[str, np.ndarray]:
    """Heatmap [1, S, S], regression [4, S, S] and mask [S, S] for boxes in input pixels."""
    s = size // stride
    hm = np.zeros((s, s), dtype=np.float32)
    reg = np.zeros((4, s, s), dtype=np.float32)
    mask = np.zeros((s, s), dtype=np.float32)
    ys, xs = np.mgrid[0:s, 0:s].astype(np.float32)
    for x0, y0, x1, y1 in boxes:
        w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
        cx, cy = (x0 + x1) / 2 / stride, (y0 + y1) / 2 / stride
        i, j = int(np.floor(cx)), int(np.floor(cy))
        if not (0 <= i < s and 0 <= j < s):
            continue
        sx, sy = max(0.6, w / stride / 8), max(0.6, h / stride / 8)
        g = np.exp(-((xs - i) ** 2) / (2 * sx**2) - ((ys - j) ** 2) / (2 * sy**2))
        hm = np.maximum(hm, g)
        hm[j, i] = 1.0
        reg[:, j, i] = (cx - i, cy - j, np.log(w / stride), np.log(h / stride))
        mask[j, i] = 1.0
    return {"hm": hm[None], "reg": reg, "mask": mask}


def detector_loss(
    raw: torch.Tensor, hm: torch.Tensor, reg: torch.Tensor, mask: torch.Tensor
) -> tuple[torch.Tensor, dict[str, float]]:
    """Penalty-reduced focal loss on the heatmap plus L1 on offsets and log sizes."""
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
    out: np.ndarray, threshold: float, nms_iou: float, stride: int = STRIDE
) -> tuple[np.ndarray, np.ndarray]:
    """Contract decode of one output [5, S, S]: boxes [N, 4] in input pixels and scores."""
    hm = out[0]
    padded = np.pad(hm, 1, mode="constant", constant_values=-1.0)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3))
    peak = hm >= windows.max(axis=(2, 3))
    js, is_ = np.nonzero(peak & (hm >= threshold))
    if len(js) == 0:
        return np.zeros((0, 4), dtype=np.float32), np.zeros(0, dtype=np.float32)
    scores = hm[js, is_]
    cx = (is_ + out[1, js, is_]) * stride
    cy = (js + out[2, js, is_]) * stride
    w = np.exp(out[3, js, is_]) * stride
    h = np.exp(out[4, js, is_]) * stride
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    keep = nms(boxes, scores, nms_iou)
    return boxes[keep].astype(np.float32), scores[keep].astype(np.float32)
