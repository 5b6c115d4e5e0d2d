"""What the hub and the simulator send, checked against a model set others made
from the OCPI 2.2.1 spec (``ocpi-types``, pinned, tests only): every object
parses there, and every DateTime in it fits string(25)."""

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from ocpi_types import v2_2_1 as spec

from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.gateways.ocpi.tokens import ocpi_token
from evroam.protocols.ocpi_2_2_1.authorization import (
    AllowedType,
    AuthorizationInfo,
    LocationReferences,
)
from evroam.protocols.ocpi_2_2_1.commands import (
    CancelReservation,
    CommandResponse,
    CommandResponseType,
    CommandResult,
    CommandResultType,
    ReserveNow,
    StartSession,
    StopSession,
    UnlockConnector,
)
from evroam.shared.ids import AccountId
from evroam.simulator.network import SimulatedNetwork
from evroam.simulator.ocpi_source import NetworkCpoSource
from evroam.tokens.model import DriverToken, TokenKind, TokenState

AT = datetime(2026, 12, 7, 8, 30, 15, 123456, tzinfo=UTC)
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def wire(model) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=True)


def datetimes(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from datetimes(item)
    elif isinstance(value, list):
        for item in value:
            yield from datetimes(item)
    elif isinstance(value, str) and ISO.match(value):
        yield value


def tokens():
    app = DriverToken(
        "K7Q2M9X4ZP8W3N6R",
        TokenKind.APP,
        "CN-EVR-CABCD2345",
        AccountId("acc_1"),
        TokenState.ACTIVE,
        AT,
    )
    card = DriverToken(
        "04A2B3C4D5E6F7",
        TokenKind.RFID,
        "CN-EVR-CZXCV6789",
        None,
        TokenState.ERASED,
        AT,
        "EVR 0001",
    )
    return [ocpi_token(t, "CN", "EVR") for t in (app, card)]


def sent_objects() -> list[tuple[type, dict[str, Any]]]:
    """Objects as the hub and the simulator put them on the wire."""
    network = SimulatedNetwork.for_profile(OperatorProfile.FAST, Protocol.OCPI, 7)
    source = NetworkCpoSource(network)
    locations, _ = asyncio.run(source.list_locations(None, None, 0, 100_000))
    tariffs, _ = asyncio.run(source.list_tariffs(None, None, 0, 100_000))
    token = tokens()[0]
    url = "https://hub.example/ocpi/2.2.1/commands/START_SESSION/R1"
    objects: list[tuple[type, Any]] = [
        *((spec.Location, x) for x in locations),
        *((spec.Tariff, x) for x in tariffs),
        *((spec.Token, x) for x in tokens()),
        (
            spec.AuthorizationInfo,
            AuthorizationInfo(
                allowed=AllowedType.ALLOWED,
                token=token,
                location=LocationReferences(location_id="L1", evse_uids=["E1"]),
            ),
        ),
        (
            spec.StartSession,
            StartSession(
                response_url=url,
                token=token,
                location_id="L1",
                evse_uid="E1",
                authorization_reference="R1",
            ),
        ),
        (spec.StopSession, StopSession(response_url=url, session_id="S1")),
        (
            spec.ReserveNow,
            ReserveNow(
                response_url=url,
                token=token,
                expiry_date=AT,
                reservation_id="R1",
                location_id="L1",
                evse_uid="E1",
            ),
        ),
        (
            spec.CancelReservation,
            CancelReservation(response_url=url, reservation_id="R1"),
        ),
        (
            spec.UnlockConnector,
            UnlockConnector(
                response_url=url, location_id="L1", evse_uid="E1", connector_id="1"
            ),
        ),
        (
            spec.CommandResponse,
            CommandResponse(result=CommandResponseType.ACCEPTED, timeout=30),
        ),
        (spec.CommandResult, CommandResult(result=CommandResultType.ACCEPTED)),
    ]
    return [(kind, wire(obj)) for kind, obj in objects]


SENT = sent_objects()


def test_there_is_something_of_every_kind_to_check():
    assert len(SENT) > 1000
    assert len({kind for kind, _ in SENT}) == 11


@pytest.mark.parametrize("kind", sorted({k for k, _ in SENT}, key=lambda k: k.__name__))
def test_every_object_parses_in_the_independent_model_set(kind):
    for _, body in (s for s in SENT if s[0] is kind):
        kind.from_dict(body)  # raises on a missing field, a bad type or enum


def test_every_datetime_sent_is_at_most_25_characters():
    for _, body in SENT:
        for value in datetimes(body):
            assert len(value) <= 25, value


def test_the_model_set_does_refuse_what_breaks_the_spec():
    body = SENT[0][1]
    broken = {k: v for k, v in body.items() if k != "coordinates"}
    with pytest.raises(Exception):  # noqa: B017, PT011 - it raises AssertionError
        spec.Location.from_dict(broken)
