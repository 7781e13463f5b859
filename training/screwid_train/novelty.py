"""An "other design" logit from the distance of a screw's features to the known designs.

A classifier trained on three designs spreads all its probability over them, so a screw of a
fourth system is usually called one of them with confidence (pack 0.3.0 flagged 2.4 % of the
design file's `unseen` screws). This module adds the contract's K + 1-th logit
(`docs/contracts.md`) after training, inside the exported graph: the minimum Mahalanobis
distance `d2` of the pooled features to the known designs' class means (one covariance
shared by the classes, fitted on training crops), turned into

    other = T * (beta * (d2 - tau) + logsumexp(logits / T))

so that the app's `softmax(logits / T)` over all K + 1 gives `p_other = sigmoid(beta *
(d2 - tau))` and the known classes their usual probabilities times `1 - p_other`. `tau` and
`beta` come from the validation crops of the known designs: `p_other` is 0.5 at the
`quantile` of their distances and 0.9 at the `steep` quantile. Nothing is trained on the
unseen design.

Measured on pack 0.4.0's first training (first-renderer test, 80 patients; 40 unseen-design
patients, true boxes): the distance separated unseen from known screws no better than chance
(AUROC 0.54 AP, 0.44 lateral; the classifiers call 94-98 % of the unseen screws Medtronic,
inside the Medtronic cluster of their features), while flagging 3 % of known screws. So
`retrain-classifiers` leaves it out unless asked (`--novelty`); the unseen design needs
features trained to see it (TODO(#3)).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from screwid_train.augment import normalise
from screwid_train.models import Classifier
from screwid_train.scale import with_scale

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NoveltyFit:
    means: np.ndarray  # [K, D]
    precision: np.ndarray  # [D, D]
    tau: float
    beta: float


def features(
    model: Classifier, crops: np.ndarray, mm: np.ndarray | None, batch: int = 512
) -> np.ndarray:
    """Pooled features [N, D] of normalised crops (with their scales for a 2-channel model)."""
    model.eval()
    out = []
    with torch.no_grad():
        for k in range(0, len(crops), batch):
            x = normalise(torch.from_numpy(crops[k : k + batch].astype(np.float32))[:, None])
            if mm is not None:
                x = with_scale(x, torch.from_numpy(mm[k : k + batch].astype(np.float32)))
            out.append(model.pool(model.features(x)).flatten(1).numpy())
    return np.concatenate(out).astype(np.float64)


def min_distance(f: np.ndarray, means: np.ndarray, precision: np.ndarray) -> np.ndarray:
    """Squared Mahalanobis distance of each row of `f` to its nearest class mean."""
    diff = f[:, None, :] - means[None]
    return np.einsum("nkd,de,nke->nk", diff, precision, diff).min(axis=1)


def fit(
    train_f: np.ndarray,
    train_y: np.ndarray,
    val_f: np.ndarray,
    quantile: float = 0.98,
    steep: float = 0.995,
) -> NoveltyFit:
    """Class means and shared precision on training features; `tau`, `beta` on validation."""
    classes = np.unique(train_y)
    means = np.stack([train_f[train_y == c].mean(axis=0) for c in classes])
    centred = train_f - means[np.searchsorted(classes, train_y)]
    cov = centred.T @ centred / len(centred)
    shrink = 1e-3 * np.trace(cov) / len(cov)  # keeps the inverse of near-dead features tame
    precision = np.linalg.inv(cov + shrink * np.eye(len(cov)))
    d2 = min_distance(val_f, means, precision)
    tau = float(np.quantile(d2, quantile))
    high = float(np.quantile(d2, steep))
    beta = math.log(9.0) / max(high - tau, 1e-6)
    logger.info(
        "novelty: tau %.1f, beta %.4f (validation d2 median %.1f)", tau, beta, np.median(d2)
    )
    return NoveltyFit(means, precision, tau, beta)


class WithNovelty(nn.Module):
    """A classifier whose output gains the "other design" logit of the module doc."""

    def __init__(self, model: Classifier, nf: NoveltyFit, temperature: float) -> None:
        super().__init__()
        self.model = model.eval()
        self.in_channels = model.in_channels
        p = torch.from_numpy(nf.precision.astype(np.float32))
        m = torch.from_numpy(nf.means.astype(np.float32))
        self.register_buffer("precision", p)
        self.register_buffer("means_t", m.T.contiguous())
        self.register_buffer("mean_terms", ((m @ p) * m).sum(dim=1))
        self.tau, self.beta, self.temperature = nf.tau, nf.beta, temperature

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.model.pool(self.model.features(x)).flatten(1)
        logits = self.model.fc(f)
        fp = f @ self.precision
        # |f - m|^2_P = f'Pf - 2 f'Pm + m'Pm, as plain MatMul and ReduceMin for tract.
        d2 = (fp * f).sum(dim=1, keepdim=True) - 2 * fp @ self.means_t + self.mean_terms
        d2 = d2.min(dim=1, keepdim=True).values
        t = self.temperature
        z = logits / t
        top = z.max(dim=1, keepdim=True).values
        lse = top + torch.log(torch.exp(z - top).sum(dim=1, keepdim=True))
        # Clipped: p_other is 1e-13 or 1 - 1e-13 well before the exponent can overflow.
        other = t * ((self.beta * (d2 - self.tau)).clamp(-30.0, 30.0) + lse)
        return torch.cat([logits, other], dim=1)
