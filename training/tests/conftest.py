"""Shared fixtures: the design file and small renders."""

from __future__ import annotations

import pytest

from screwid_train.designs import DesignFile, load_designs


@pytest.fixture(scope="session")
def designs() -> DesignFile:
    return load_designs()
