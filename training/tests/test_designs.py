"""The project copy of the design file and its parsing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from screwid_train.designs import TRAINING_DESIGNS, default_designs_path, load_designs

# The authoritative file lives in the `shared` folder beside the repository.
_REPO = Path(__file__).resolve().parents[2]
SHARED = (
    Path(os.environ.get("SCREWID_SHARED_DIR", _REPO.parent / "shared")) / "phantom" / "designs.toml"
)


def test_project_copy_matches_shared() -> None:
    if not SHARED.exists():
        # CI has the shared folder: there its absence is a failure, not a skip.
        assert os.environ.get("SCREWID_REQUIRE_SHARED") != "1", f"{SHARED} is missing"
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
