"""The project copy of the design file and its parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from screwid_train.designs import TRAINING_DESIGNS, default_designs_path, load_designs

SHARED = Path("/work/shared/phantom/designs.toml")


def test_project_copy_matches_shared() -> None:
    if not SHARED.exists():
        pytest.skip(f"{SHARED} not present on this machine; nothing to compare against")
    assert default_designs_path().read_bytes() == SHARED.read_bytes()


@pytest.mark.parametrize("key", [*TRAINING_DESIGNS, "unseen"])
def test_design_parses(key: str) -> None:
    d = load_designs().designs[key]
    assert d.label
    assert d.thread_pitch[0] <= d.thread_pitch[1]
    assert d.rod_diameter > 0


def test_labels_order() -> None:
    assert load_designs().labels() == ["Medtronic", "NuVasive", "Stryker"]
