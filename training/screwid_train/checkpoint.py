"""Step checkpoints of one training loop, complete enough that a resumed run is bit-identical.

A checkpoint holds the model (with BatchNorm statistics), the optimiser, the loop's numpy
generator, its torch generator (augmentation) and torch's global generator (dropout), and the
number of steps done. It is written atomically (temporary file, then rename), so a run killed
while saving keeps the previous checkpoint.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

logger = logging.getLogger(__name__)


class StopTrainingError(Exception):
    """Raised after `stop_after` steps: the run was asked to stop (its checkpoint is saved)."""


@dataclass(frozen=True)
class StepCheckpoint:
    path: Path
    every: int = 50
    stop_after: int | None = None  # stop, as if interrupted, once this many steps are done

    def restore(
        self,
        model: torch.nn.Module,
        opt: torch.optim.Optimizer,
        rng: np.random.Generator,
        g: torch.Generator,
    ) -> int:
        """Load the saved state into the live objects; the number of steps already done."""
        if not self.path.exists():
            return 0
        state = torch.load(self.path, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        rng.bit_generator.state = state["rng"]
        g.set_state(state["g"])
        torch.set_rng_state(state["torch"])
        logger.info("resuming %s at step %d", self.path.name, state["step"])
        return int(state["step"])

    def save(
        self,
        step: int,
        model: torch.nn.Module,
        opt: torch.optim.Optimizer,
        rng: np.random.Generator,
        g: torch.Generator,
    ) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        torch.save(
            {
                "step": step,
                "model": model.state_dict(),
                "opt": opt.state_dict(),
                "rng": rng.bit_generator.state,
                "g": g.get_state(),
                "torch": torch.get_rng_state(),
            },
            tmp,
        )
        os.replace(tmp, self.path)

    def after_step(
        self,
        done: int,
        total: int,
        model: torch.nn.Module,
        opt: torch.optim.Optimizer,
        rng: np.random.Generator,
        g: torch.Generator,
    ) -> None:
        """Save every `every` steps and at the end; raise StopTraining at `stop_after`."""
        stop = self.stop_after is not None and done >= self.stop_after and done < total
        if done % self.every == 0 or done == total or stop:
            self.save(done, model, opt, rng, g)
        if stop:
            raise StopTrainingError(f"stopped after {done} of {total} steps")
