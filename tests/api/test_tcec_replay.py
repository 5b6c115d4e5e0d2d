"""No T/CEC envelope is accepted twice by the hub: not after a restart, not by a
second worker sharing its database (no Redis)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from evroam.api.app import create_app
from evroam.bootstrap import build_services
from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.config import Settings
from evroam.partners.model import Partner
from evroam.protocols.tcec_102.envelope import open_response, seal_request
from evroam.protocols.tcec_102.timestamp import format_timestamp
from evroam.shared.clock import SystemClock
from evroam.shared.ids import OperatorId
from evroam.simulator.credentials import default_tcec_credentials
from evroam.storage.database import DatabaseAccess

CREDS = default_tcec_credentials(OperatorProfile.COMMUNITY)
REPLAYED = "重复的请求"


def settings_for(db: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{db}", maintenance_interval_s=0)


def register_partner(db: Path) -> None:
    services = build_services(settings_for(db), access=DatabaseAccess.UPGRADE)
    services.partner_records.save(
        Partner(
            OperatorId("neighbourly"),
            "Neighbourly",
            Protocol.TCEC,
            OperatorProfile.COMMUNITY,
            "http://cpo.test/evcs/v1",
            {
                "operator_id": CREDS.partner_operator_id,
                "operator_secret": CREDS.operator_secret,
                "data_secret": CREDS.data_secret,
                "data_secret_iv": CREDS.data_secret_iv,
                "sig_secret": CREDS.sig_secret,
            },
        )
    )
    services.close()


@contextlib.asynccontextmanager
async def hub_worker(db: Path) -> AsyncIterator[httpx.AsyncClient]:
    """One hub app instance (a worker) over the database at ``db``."""
    settings = settings_for(db)
    services = build_services(settings)
    app = create_app(settings, services)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://hub.test"
        ) as client:
            yield client
    finally:
        services.close()


def query_token_envelope(seq: str) -> dict[str, str]:
    """An authentic query_token request (no bearer token needed)."""
    body = {
        "OperatorID": CREDS.partner_operator_id,
        "OperatorSecret": CREDS.operator_secret,
    }
    stamp = format_timestamp(SystemClock().now())
    return seal_request(CREDS.secrets, CREDS.partner_operator_id, body, stamp, seq)


async def send(client: httpx.AsyncClient, envelope: dict[str, str]) -> dict[str, Any]:
    reply = await client.post("/evcs/v1/query_token", json=envelope)
    answer: dict[str, Any] = reply.json()
    return answer


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "hub.db"
    register_partner(path)
    return path


class TestReplayAcrossRestarts:
    async def test_an_envelope_accepted_before_a_restart_is_refused_after(self, db):
        envelope = query_token_envelope("0001")
        async with hub_worker(db) as hub:
            first = await send(hub, envelope)
        assert first["Ret"] == 0
        assert open_response(CREDS.secrets, first)["SuccStat"] == 0
        async with hub_worker(db) as restarted:
            again = await send(restarted, envelope)
        assert (again["Ret"], again["Msg"]) == (4003, f"{REPLAYED}(TimeStamp+Seq)")

    async def test_a_fresh_envelope_after_the_restart_is_accepted(self, db):
        async with hub_worker(db) as hub:
            assert (await send(hub, query_token_envelope("0001")))["Ret"] == 0
        async with hub_worker(db) as restarted:
            assert (await send(restarted, query_token_envelope("0002")))["Ret"] == 0


class TestReplayAcrossWorkers:
    async def test_one_envelope_sent_ten_times_to_two_workers_is_accepted_once(
        self, db
    ):
        envelope = query_token_envelope("0007")
        async with hub_worker(db) as one, hub_worker(db) as two:
            replies = await asyncio.gather(
                *(send(one if i % 2 else two, envelope) for i in range(10))
            )
        rets = sorted(r["Ret"] for r in replies)
        assert rets == [0] + [4003] * 9
