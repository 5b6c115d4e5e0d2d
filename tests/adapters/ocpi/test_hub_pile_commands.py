"""Reservations and unlocks: the hub sends RESERVE_NOW, CANCEL_RESERVATION and
UNLOCK_CONNECTOR, and shows what the CPO and the pile answered."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from evroam.protocols.ocpi_2_2_1.client import ocpi_call
from evroam.protocols.ocpi_2_2_1.commands import (
    CancelReservation,
    CommandResponse,
    CommandResponseType,
    CommandResult,
    CommandResultType,
    ReserveNow,
    UnlockConnector,
)
from evroam.protocols.ocpi_2_2_1.datatypes import DisplayText
from evroam.protocols.ocpi_2_2_1.enums import Capability, TokenType
from evroam.protocols.ocpi_2_2_1.errors import InvalidParametersError
from tests.adapters.ocpi.fakes import a_location
from tests.adapters.ocpi.hub_harness import HubAndCpo, hub_and_cpo
from tests.adapters.ocpi.test_hub_sessions_cdrs import RecordingDesk
from tests.adapters.ocpi.test_hub_tokens import a_driver
from tests.fakes import FixedClock

HUB = "http://hub.test"
NOW = datetime.now(UTC).replace(microsecond=0)


@dataclass
class PileDesk:
    """A CPO's pile-command receiver; answers as told, results sent by the test."""

    answer: CommandResponseType = CommandResponseType.ACCEPTED
    reserves: list[ReserveNow] = field(default_factory=list)
    cancels: list[CancelReservation] = field(default_factory=list)
    unlocks: list[UnlockConnector] = field(default_factory=list)

    def _answer(self) -> CommandResponse:
        why = [DisplayText(language="en", text="not today")]
        refused = self.answer is not CommandResponseType.ACCEPTED
        return CommandResponse(
            result=self.answer, timeout=30, message=why if refused else None
        )

    async def reserve_now(self, key: str, command: ReserveNow) -> CommandResponse:
        self.reserves.append(command)
        return self._answer()

    async def cancel_reservation(
        self, key: str, command: CancelReservation
    ) -> CommandResponse:
        self.cancels.append(command)
        return self._answer()

    async def unlock_connector(
        self, key: str, command: UnlockConnector
    ) -> CommandResponse:
        self.unlocks.append(command)
        return self._answer()


def reservable(location):
    evses = [
        e.model_copy(update={"capabilities": [Capability.RESERVABLE]})
        for e in location.evses
    ]
    return location.model_copy(update={"evses": evses})


async def result(world: HubAndCpo, url: str, outcome: CommandResultType) -> None:
    """The CPO posts the pile's result to the hub's response URL."""
    await ocpi_call(
        world.http, "POST", url, world.cpo_token, CommandResult(result=outcome)
    )


async def setup(world: HubAndCpo, is_reservable: bool = True):
    location = a_location()
    world.source.location_list = [reservable(location) if is_reservable else location]
    await world.onboard()
    _, bearer = await a_driver(world, "Ann")
    return bearer, world.station("LOC1").piles[0].id


async def reserve(world, bearer, pile_id, minutes=15):
    return await world.http.post(
        f"{HUB}/api/v1/reservations",
        json={"pile_id": pile_id, "minutes": minutes},
        headers=world.hub_api(bearer),
    )


async def reservation(world, bearer, reservation_id):
    response = await world.http.get(
        f"{HUB}/api/v1/reservations/{reservation_id}", headers=world.hub_api(bearer)
    )
    return response.json()


def harness(tmp_path, desk, clock=None):
    return hub_and_cpo(tmp_path, commands=RecordingDesk(), pile_desk=desk, clock=clock)


class TestReservations:
    async def test_a_reservation_the_pile_accepts_is_reserved(self, tmp_path):
        desk = PileDesk()
        async with harness(tmp_path, desk) as world:
            bearer, pile_id = await setup(world)
            response = await reserve(world, bearer, pile_id, minutes=15)
            assert response.status_code == 201, response.text
            body = response.json()
            assert body["status"] == "requested"
            [sent] = desk.reserves
            assert (sent.reservation_id, sent.location_id, sent.evse_uid) == (
                body["id"],
                "LOC1",
                "E1",
            )
            assert sent.token.type is TokenType.APP_USER
            held_for = sent.expiry_date - datetime.fromisoformat(body["created_at"])
            # The wire carries milliseconds (DateTime is string(25)).
            assert abs(held_for - timedelta(minutes=15)) < timedelta(milliseconds=1)
            await result(world, sent.response_url, CommandResultType.ACCEPTED)
            assert (await reservation(world, bearer, body["id"]))["status"] == (
                "reserved"
            )

    @pytest.mark.parametrize("minutes", [4, 31])
    async def test_between_5_and_30_minutes_only(self, tmp_path, minutes):
        async with harness(tmp_path, PileDesk()) as world:
            bearer, pile_id = await setup(world)
            response = await reserve(world, bearer, pile_id, minutes=minutes)
            assert response.status_code == 422

    async def test_a_pile_that_takes_no_reservations_is_refused(self, tmp_path):
        desk = PileDesk()
        async with harness(tmp_path, desk) as world:
            bearer, pile_id = await setup(world, is_reservable=False)
            response = await reserve(world, bearer, pile_id)
            assert response.status_code == 409
            assert "takes no reservations" in response.json()["detail"]
            assert desk.reserves == []

    async def test_a_cpo_that_refuses_says_why(self, tmp_path):
        desk = PileDesk(answer=CommandResponseType.REJECTED)
        async with harness(tmp_path, desk) as world:
            bearer, pile_id = await setup(world)
            body = (await reserve(world, bearer, pile_id)).json()
            assert body["status"] == "rejected"
            assert body["reason"] == "REJECTED: not today"

    @pytest.mark.parametrize(
        ("outcome", "status"),
        [
            (CommandResultType.TIMEOUT, "timeout"),
            (CommandResultType.EVSE_OCCUPIED, "rejected"),
            (CommandResultType.FAILED, "failed"),
        ],
    )
    async def test_the_piles_result_is_shown(self, tmp_path, outcome, status):
        desk = PileDesk()
        async with harness(tmp_path, desk) as world:
            bearer, pile_id = await setup(world)
            body = (await reserve(world, bearer, pile_id)).json()
            await result(world, desk.reserves[0].response_url, outcome)
            shown = await reservation(world, bearer, body["id"])
            assert shown["status"] == status
            assert shown["reason"].startswith(outcome.value)

    async def test_no_result_in_time_is_a_timeout_and_an_unused_one_expires(
        self, tmp_path
    ):
        clock = FixedClock(NOW)
        desk = PileDesk()
        async with harness(tmp_path, desk, clock) as world:
            bearer, pile_id = await setup(world)
            silent = (await reserve(world, bearer, pile_id)).json()
            used = (await reserve(world, bearer, pile_id, minutes=5)).json()
            await result(
                world, desk.reserves[1].response_url, CommandResultType.ACCEPTED
            )
            clock.set(NOW + timedelta(seconds=31))  # the CPO promised 30 s
            world.services.pile_requests.expire()
            assert (await reservation(world, bearer, silent["id"]))["status"] == (
                "timeout"
            )
            assert (await reservation(world, bearer, used["id"]))["status"] == (
                "reserved"
            )
            clock.set(NOW + timedelta(minutes=5))
            world.services.pile_requests.expire()
            assert (await reservation(world, bearer, used["id"]))["status"] == (
                "expired"
            )

    async def test_cancelling_sends_cancel_reservation(self, tmp_path):
        desk = PileDesk()
        async with harness(tmp_path, desk) as world:
            bearer, pile_id = await setup(world)
            body = (await reserve(world, bearer, pile_id)).json()
            await result(
                world, desk.reserves[0].response_url, CommandResultType.ACCEPTED
            )
            cancelled = await world.http.post(
                f"{HUB}/api/v1/reservations/{body['id']}/cancel",
                headers=world.hub_api(bearer),
            )
            assert cancelled.json()["status"] == "cancelling"
            [sent] = desk.cancels
            assert sent.reservation_id == body["id"]
            await result(world, sent.response_url, CommandResultType.ACCEPTED)
            assert (await reservation(world, bearer, body["id"]))["status"] == (
                "cancelled"
            )

    async def test_another_partners_result_is_refused(self, tmp_path):
        desk = PileDesk()
        async with harness(tmp_path, desk) as world:
            bearer, pile_id = await setup(world)
            await reserve(world, bearer, pile_id)
            url = desk.reserves[0].response_url.rsplit("/", 1)[0] + "/RNOSUCHTHING"
            with pytest.raises(InvalidParametersError):
                await result(world, url, CommandResultType.ACCEPTED)


class TestStuckCable:
    async def test_an_operator_unlocks_what_a_driver_reported(self, tmp_path):
        desk = PileDesk()
        async with harness(tmp_path, desk) as world:
            bearer, pile_id = await setup(world)
            reported = await world.http.post(
                f"{HUB}/api/v1/me/cable-reports",
                json={"pile_id": pile_id, "connector_id": "1", "note": "stuck"},
                headers=world.hub_api(bearer),
            )
            assert reported.status_code == 201, reported.text
            report_id = reported.json()["id"]
            listed = await world.http.get(
                f"{HUB}/api/v1/admin/cable-reports", headers=world.hub_api()
            )
            assert [r["id"] for r in listed.json()["items"]] == [report_id]
            by_driver = await world.http.post(
                f"{HUB}/api/v1/admin/cable-reports/{report_id}/unlock",
                headers=world.hub_api(bearer),
            )
            assert by_driver.status_code == 401  # the spec: never the driver's
            unlocking = await world.http.post(
                f"{HUB}/api/v1/admin/cable-reports/{report_id}/unlock",
                headers=world.hub_api(),
            )
            assert unlocking.json()["status"] == "unlocking"
            [sent] = desk.unlocks
            assert (sent.location_id, sent.evse_uid, sent.connector_id) == (
                "LOC1",
                "E1",
                "1",
            )
            await result(world, sent.response_url, CommandResultType.ACCEPTED)
            mine = await world.http.get(
                f"{HUB}/api/v1/me/cable-reports/{report_id}",
                headers=world.hub_api(bearer),
            )
            assert mine.json()["status"] == "unlocked"

    async def test_a_refused_unlock_is_shown_with_the_reason(self, tmp_path):
        desk = PileDesk(answer=CommandResponseType.NOT_SUPPORTED)
        async with harness(tmp_path, desk) as world:
            bearer, pile_id = await setup(world)
            report = world.services.pile_requests.report_stuck_cable(
                world.services.accounts.authenticate(bearer).id, pile_id, "1", ""
            )
            done = await world.services.pile_requests.unlock(report.id)
            assert done.status.value == "unlock_failed"
            assert done.reason == "NOT_SUPPORTED: not today"
