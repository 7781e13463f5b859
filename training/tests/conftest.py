"""Shared fixtures: the design file and small renders."""

from __future__ import annotations

import pytest

from screwid_train.designs import DesignFile, load_designs


@pytest.fixture(scope="session")
def designs() -> DesignFile:
    return load_designs()


@pytest.fixture(scope="session")
def hospital(tmp_path_factory: pytest.TempPathFactory):
    """The tiny phantom "hospital" dataset (10 patients, DICOM and PNG, YOLO and COCO)."""
    from hospital_fixture import make_hospital

    return make_hospital(tmp_path_factory.mktemp("hospital") / "data")
