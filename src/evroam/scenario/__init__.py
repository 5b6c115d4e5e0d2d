"""Deterministic synthetic charging networks: the reference and national scenarios."""

from evroam.scenario.corridors import ServiceArea, service_areas
from evroam.scenario.generator import (
    GENERATION_EPOCH,
    SCENARIO_VERSION,
    Scenario,
    national_scenario,
    reference_scenario,
)

__all__ = [
    "GENERATION_EPOCH",
    "SCENARIO_VERSION",
    "Scenario",
    "ServiceArea",
    "national_scenario",
    "reference_scenario",
    "service_areas",
]
