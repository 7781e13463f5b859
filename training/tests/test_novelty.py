"""The "other design" logit: its fit, and the algebra the exported graph relies on."""

from __future__ import annotations

import numpy as np
import torch

from screwid_train.evaluate import softmax
from screwid_train.models import Classifier
from screwid_train.novelty import NoveltyFit, WithNovelty, features, fit, min_distance


def test_fit_puts_tau_at_the_validation_quantile() -> None:
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0, 0, 0], [6.0, 0, 0, 0], [0.0, 6, 0, 0]])
    y = rng.integers(0, 3, 3000)
    f = centres[y] + rng.normal(size=(3000, 4))
    val = centres[rng.integers(0, 3, 2000)] + rng.normal(size=(2000, 4))
    nf = fit(f, y, val, quantile=0.98, steep=0.995)
    d2 = min_distance(val, nf.means, nf.precision)
    assert abs((d2 > nf.tau).mean() - 0.02) < 0.005
    # Unit-variance clusters: d2 is chi-squared with 4 degrees of freedom (98 % point 11.7).
    assert 10.0 < nf.tau < 13.5
    # A point far from every cluster is further than any validation point.
    far = np.array([[20.0, 20.0, 20.0, 20.0]])
    assert min_distance(far, nf.means, nf.precision)[0] > d2.max()


def test_other_probability_is_the_sigmoid_of_the_distance() -> None:
    torch.manual_seed(0)
    model = Classifier((4, 8), classes=3, blocks=1, in_channels=2).eval()
    x = torch.randn(6, 2, 32, 32)
    f = features_of(model, x)
    rng = np.random.default_rng(1)
    means = f[:3] + rng.normal(scale=0.1, size=(3, f.shape[1]))
    nf = NoveltyFit(means, np.eye(f.shape[1]) * 2.0, tau=float(np.median(f.var(1))), beta=0.7)
    t = 0.8
    wrapped = WithNovelty(model, nf, t).eval()
    with torch.no_grad():
        out = wrapped(x).numpy().astype(np.float64)
        logits = model(x).numpy().astype(np.float64)
    p = softmax(out, t)
    d2 = min_distance(f, means, nf.precision)
    want_other = 1 / (1 + np.exp(-np.clip(nf.beta * (d2 - nf.tau), -30, 30)))
    np.testing.assert_allclose(p[:, 3], want_other, rtol=1e-4, atol=1e-6)
    # The known classes keep their relative probabilities.
    known = p[:, :3] / p[:, :3].sum(axis=1, keepdims=True)
    np.testing.assert_allclose(known, softmax(logits, t), rtol=1e-4, atol=1e-6)


def features_of(model: Classifier, x: torch.Tensor) -> np.ndarray:
    with torch.no_grad():
        return model.pool(model.features(x)).flatten(1).numpy().astype(np.float64)


def test_features_match_the_models_own_pooling() -> None:
    torch.manual_seed(2)
    model = Classifier((4, 8), classes=3, blocks=1, in_channels=2).eval()
    crops = np.random.default_rng(3).uniform(0, 1, (5, 32, 32)).astype(np.float32)
    mm = np.full(5, 0.5, dtype=np.float32)
    x = torch.from_numpy((crops - 0.5) / 0.25)[:, None]
    x = torch.cat([x, torch.full_like(x, -1.0)], dim=1)  # log2(0.5) = -1
    np.testing.assert_allclose(features(model, crops, mm), features_of(model, x), atol=1e-6)
