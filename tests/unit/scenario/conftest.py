"""Scenario fixtures: the reference network is generated once per session."""

from __future__ import annotations

import pytest

from evroam.catalogue.model import Station
from evroam.scenario import Scenario, reference_scenario

REFERENCE_SEED = 7


@pytest.fixture(scope="session")
def reference() -> Scenario:
    return reference_scenario(REFERENCE_SEED)


@pytest.fixture(scope="session")
def reference_stations(reference: Scenario) -> tuple[Station, ...]:
    return tuple(reference.iter_stations())
