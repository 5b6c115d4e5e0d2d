"""What a partner hears back for a bad record or a stranger's message (issue 10).

Malformed records (negative energy) are refused with the protocol's error and
change nothing; an implausible record is taken and disputed (an error would
make the partner send it forever); a CommandResult about another partner's
session is refused, never a 500.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from evroam.charging.model import SessionStatus
from evroam.charging.remote import SessionStarted
from evroam.gateways.ocpi.commands import command_result_sink
from evroam.gateways.ocpi.sessions import cdr_sink
from evroam.gateways.tcec.charging import TcecChargingReceiver, start_charge_seq
from evroam.protocols.ocpi_2_2_1.commands import build_command_result_router
from evroam.protocols.ocpi_2_2_1.sessions import build_cdrs_receiver_router
from evroam.protocols.ocpi_2_2_1.tokens import (
    InMemoryTokenStore,
    Peer,
    authorization_header,
)
from evroam.protocols.tcec_102.charging_models import (
    NotificationChargeOrderInfoRequest,
)
from evroam.protocols.tcec_102.errors import PayloadError
from evroam.shared.clock import SystemClock
from evroam.shared.ids import OperatorId
from tests.builders import EPOCH
from tests.unit.charging.test_charging_service import RAPIDGRID, World

CDR = json.loads(
    (Path(__file__).parents[1] / "settlement" / "fixtures" / "cdr.json").read_text()
)
HUB_OPERATOR = "MA0000000"
TOKENS = {"rapidgrid": "token-of-rapidgrid", "swapway": "token-of-swapway"}


def charging_world():
    world = World()
    account = world.driver()
    session = world.charging.start_charging(account.id, world.pile, "k")
    world.charging.handle(RAPIDGRID, SessionStarted(session.id, "S", EPOCH))
    return world, account, session


def ocpi_hub(world: World) -> httpx.AsyncClient:
    async def on_event(key, event):
        world.charging.handle(OperatorId(key), event)

    tokens = InMemoryTokenStore(
        tuple(Peer(k, t, is_registered=True) for k, t in TOKENS.items())
    )
    app = FastAPI()
    app.include_router(
        build_cdrs_receiver_router(tokens=tokens, on_cdr=cdr_sink(on_event))
    )
    app.include_router(
        build_command_result_router(
            tokens=tokens, on_result=command_result_sink(on_event)
        )
    )
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
    )


def a_cdr(ref: str, kwh: float) -> dict:
    return {
        **CDR,
        "authorization_reference": ref,
        "total_energy": kwh,
        "charging_periods": [
            {
                "start_date_time": CDR["start_date_time"],
                "dimensions": [{"type": "ENERGY", "volume": kwh}],
            }
        ],
    }


class TestOcpi:
    async def test_a_cdr_with_negative_energy_is_2001_and_changes_nothing(self):
        world, account, session = charging_world()
        async with ocpi_hub(world) as hub:
            answer = await hub.post(
                "/ocpi/2.2.1/cdrs",
                json=a_cdr(session.id, -50),
                headers={"Authorization": authorization_header(TOKENS["rapidgrid"])},
            )
        assert answer.json()["status_code"] == 2001
        assert "kwh" in answer.json()["status_message"]
        assert world.charging.get_session(account.id, session.id).status is (
            SessionStatus.CHARGING
        )

    async def test_an_impossible_cdr_is_taken_and_disputed_not_billed(self):
        world, account, session = charging_world()
        async with ocpi_hub(world) as hub:
            answer = await hub.post(
                "/ocpi/2.2.1/cdrs",
                json=a_cdr(session.id, 100_000),
                headers={"Authorization": authorization_header(TOKENS["rapidgrid"])},
            )
        assert (answer.status_code, answer.json()["status_code"]) == (200, 1000)
        assert world.charging.get_session(account.id, session.id).status is (
            SessionStatus.DISPUTED
        )

    async def test_another_partners_command_result_is_2001(self):
        world, account, session = charging_world()
        async with ocpi_hub(world) as hub:
            answer = await hub.post(
                f"/ocpi/2.2.1/commands/START_SESSION/{session.id}",
                json={"result": "REJECTED"},
                headers={"Authorization": authorization_header(TOKENS["swapway"])},
            )
        assert answer.json()["status_code"] == 2001
        assert world.charging.get_session(account.id, session.id).status is (
            SessionStatus.CHARGING
        )


def an_order(
    ref: str, kwh: str, ends: str = "2026-11-02 10:36:00"
) -> NotificationChargeOrderInfoRequest:
    total = int(kwh)
    return NotificationChargeOrderInfoRequest.model_validate(
        {
            "StartChargeSeq": start_charge_seq(HUB_OPERATOR, ref),
            "ConnectorID": "E01",
            "StartTime": "2026-11-02 10:01:00",
            "EndTime": ends,
            "TotalPower": total,
            "TotalElecMoney": total,
            "TotalSeviceMoney": 0,
            "TotalMoney": total,
            "StopReason": 0,
            "SumPeriod": 1,
            "ChargeDetails": [
                {
                    "DetailStartTime": "2026-11-02 10:01:00",
                    "DetailEndTime": "2026-11-02 10:31:00",
                    "ElecPrice": 1,
                    "SevicePrice": 0,
                    "DetailPower": total,
                    "DetailElecMoney": total,
                    "DetailSeviceMoney": 0,
                }
            ],
        }
    )


def tcec_hub(world: World) -> TcecChargingReceiver:
    async def on_event(key, event):
        world.charging.handle(OperatorId(key), event)

    async def on_order(key, record):
        session = world.charging.handle(OperatorId(key), record)
        return session.status is not SessionStatus.DISPUTED

    async def on_check(key, check):
        return []

    return TcecChargingReceiver(
        on_start_result=on_event,
        on_status=on_event,
        on_stop_result=on_event,
        on_order=on_order,
        on_check=on_check,
        clock=SystemClock(),
        hub_operator_id=HUB_OPERATOR,
        partner_for=lambda _operator_id: "rapidgrid",
    )


class TestTcec:
    async def test_an_order_ending_before_it_starts_is_ret_4004(self):
        # (negative values are refused by the wire model already: Ret 4004)
        world, account, session = charging_world()
        order = an_order(session.id, "20", ends="2026-11-02 09:00:00")
        with pytest.raises(PayloadError) as refused:
            await tcec_hub(world).charge_order_info("MA0000001", order)
        assert refused.value.ret == 4004
        assert world.charging.get_session(account.id, session.id).status is (
            SessionStatus.CHARGING
        )

    async def test_an_impossible_order_is_confirm_result_1_and_disputed(self):
        world, account, session = charging_world()
        taken = await tcec_hub(world).charge_order_info(
            "MA0000001", an_order(session.id, "100000")
        )
        assert taken is False  # Ret 0, ConfirmResult 1
        assert world.charging.get_session(account.id, session.id).status is (
            SessionStatus.DISPUTED
        )

    async def test_a_plausible_order_is_confirmed_and_billed(self):
        world, account, session = charging_world()
        taken = await tcec_hub(world).charge_order_info(
            "MA0000001", an_order(session.id, "20")
        )
        assert taken is True
        assert world.charging.get_session(account.id, session.id).status is (
            SessionStatus.BILLED
        )
