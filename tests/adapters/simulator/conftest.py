"""Networks and clocks for the simulator tests."""

from datetime import UTC, datetime

import pytest

from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.simulator.network import SimulatedNetwork
from tests.fakes import FixedClock

EVENING = datetime(2024, 11, 1, 11, 0, tzinfo=UTC)  # 19:00 in Shanghai
NIGHT = datetime(2024, 11, 1, 20, 0, tzinfo=UTC)  # 04:00 in Shanghai


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(EVENING)


@pytest.fixture
def community_tcec() -> SimulatedNetwork:
    return SimulatedNetwork.for_profile(OperatorProfile.COMMUNITY, Protocol.TCEC, 7)


@pytest.fixture
def community_ocpi() -> SimulatedNetwork:
    return SimulatedNetwork.for_profile(OperatorProfile.COMMUNITY, Protocol.OCPI, 7)
