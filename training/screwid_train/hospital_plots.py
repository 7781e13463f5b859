"""Confusion matrices and reliability diagrams of an evaluated run, as PNG."""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

logger = logging.getLogger(__name__)


def _matrix(ax: plt.Axes, c: np.ndarray, labels: list[str], title: str) -> None:
    ax.imshow(c, cmap="Blues")
    for i in range(len(labels)):
        for j in range(len(labels)):
            ax.text(j, i, str(c[i, j]), ha="center", va="center")
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("truth")
    ax.set_title(title)


def plot_confusions(m: dict, labels: list[str], path: Path) -> None:
    """Per screw AP, lateral and both views; per patient, both views."""
    panels = [(f"per screw, {v}", m["per_screw"][v]) for v in ("ap", "lateral", "both")]
    panels.append(("per patient, both views", m["per_patient"]["both"]))
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 4))
    for ax, (title, t) in zip(axes, panels, strict=True):
        if t is None:
            ax.set_axis_off()
            ax.set_title(f"{title}: none")
            continue
        _matrix(ax, np.array(t["confusion"]), labels, f"{title}\naccuracy {t['accuracy']:.3f}")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def plot_reliability(m: dict, path: Path) -> None:
    """Top-class confidence against accuracy per screw, AP and lateral (15 bins)."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 4))
    for ax, view in zip(axes, ("ap", "lateral"), strict=True):
        t = m["per_screw"][view]
        ax.plot([0, 1], [0, 1], "k--", lw=1)
        if t is not None:
            bins = t["bins"]
            ax.bar(
                [(b["lo"] + b["hi"]) / 2 for b in bins],
                [b["acc"] for b in bins],
                width=1 / 15,
                alpha=0.6,
                edgecolor="k",
            )
            ax.set_title(f"{view}: ECE {t['ece']:.3f}")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("confidence")
        ax.set_ylabel("accuracy")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
