"""An app over a temporary SQLite database seeded with a small network."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from evroam.api.app import create_app
from evroam.bootstrap import Services, build_services
from evroam.catalogue.model import (
    ConnectorStandard,
    OperatorProfile,
    PileStatus,
    Protocol,
    SwapBay,
)
from evroam.config import Settings
from evroam.pricing.tariff import IdleFee
from evroam.shared.ids import OperatorId, TariffId
from evroam.storage.database import DatabaseAccess
from tests.builders import EPOCH, a_station, a_tariff, an_operator
from tests.fakes import FixedClock

NOW = EPOCH + timedelta(minutes=1)  # 10:01 in Shanghai: peak
IDLE_TARIFF = a_tariff(
    id=TariffId("t-idle"),
    idle=IdleFee(grace_minutes=15, per_minute=Decimal("0.5"), cap=Decimal("30")),
)


def seed(services: Services) -> None:
    operators = [
        an_operator(protocol=Protocol.OCPI),
        an_operator(
            id=OperatorId("swapway"),
            name="SwapWay Energy",
            profile=OperatorProfile.SWAP,
            party_id="SWP",
            protocol=Protocol.TCEC,
        ),
    ]
    stations = [
        a_station(f"S{i:03d}", lat=31.2304 + i * 0.002, lon=121.4737 + i * 0.001)
        for i in range(30)
    ]
    stations.append(
        a_station(
            "W001",
            operator_id="swapway",
            lat=31.30,
            lon=121.50,
            swap=SwapBay(6, 1),
            statuses=(PileStatus.AVAILABLE,),
            standard=ConnectorStandard.SWAP,
            power_kw=0.0,
        )
    )
    # A DC-fast site whose operator charges for keeping the bay after charging.
    stations.append(
        a_station(
            "I001",
            operator_id="swapway",
            lat=31.40,
            lon=121.60,
            tariff_id=IDLE_TARIFF.id,
        )
    )
    services.catalogue.import_network(operators, [a_tariff(), IDLE_TARIFF], stations)


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'api.db'}",
        payment_provider="sandbox",
        password_scrypt_p=1,
        # Blocking work on the event loop fails the test (ADR 0020).
        loop_guard=True,
    )
    built = build_services(
        settings, clock=FixedClock(NOW), access=DatabaseAccess.UPGRADE
    )
    seed(built)
    yield built
    built.close()


@pytest.fixture
def app(services: Services) -> FastAPI:
    return create_app(services.settings, services)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c
