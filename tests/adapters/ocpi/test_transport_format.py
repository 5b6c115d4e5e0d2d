"""Transport and format: unique message IDs on every exchange; DateTime string(25)."""

import logging
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from evroam.protocols.ocpi_2_2_1.client import OcpiClient
from evroam.protocols.ocpi_2_2_1.commands import (
    StartSession,
    Token,
    WhitelistType,
)
from evroam.protocols.ocpi_2_2_1.datatypes import format_datetime
from evroam.protocols.ocpi_2_2_1.enums import TokenType
from evroam.protocols.ocpi_2_2_1.tokens import Peer, issue_token_a, new_token
from tests.adapters.ocpi.fakes import (
    CPO_URL,
    CPO_VERSIONS,
    HUB_ROLE,
    HUB_VERSIONS,
    Network,
    a_location,
    build_network,
)
from tests.asgi_network import HostRouter

REQUEST_ID, CORRELATION_ID = "X-Request-ID", "X-Correlation-ID"
# Types, DateTime: RFC 3339, UTC, string(25).
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$")


@pytest.fixture
async def wired() -> AsyncIterator[tuple[Network, HostRouter]]:
    router = HostRouter()
    async with httpx.AsyncClient(transport=router) as http:
        yield build_network(http, router), router


async def register(network: Network) -> OcpiClient:
    token_a = issue_token_a(network.cpo_tokens, "hub")
    token_b = new_token()
    network.hub_tokens.save(Peer("swapway", token_b, is_registered=True))
    client = OcpiClient(network.http)
    await client.register(CPO_VERSIONS, token_a, HUB_VERSIONS, token_b, HUB_ROLE)
    return client


class TestUniqueMessageIds:
    async def test_every_request_carries_a_fresh_request_id_and_a_correlation_id(
        self, wired
    ):
        network, router = wired
        network.source.location_list = [a_location(f"L{i}") for i in range(5)]
        client = await register(network)
        [_ async for _ in client.iter_locations(page_limit=2)]
        sent = [request.headers for request, _ in router.exchanges]
        assert len(sent) >= 6  # versions, details, credentials, callbacks, 3 pages
        request_ids = [h[REQUEST_ID] for h in sent]
        assert len(set(request_ids)) == len(request_ids)
        assert all(uuid.UUID(h[CORRELATION_ID]) for h in sent)

    async def test_every_answer_echoes_the_request_and_correlation_ids(self, wired):
        network, router = wired
        client = await register(network)
        [_ async for _ in client.iter_locations()]
        for request, response in router.exchanges:
            assert response.headers[REQUEST_ID] == request.headers[REQUEST_ID]
            assert response.headers[CORRELATION_ID] == request.headers[CORRELATION_ID]

    async def test_a_request_without_ids_still_gets_both_in_the_answer(self, wired):
        network, _ = wired
        token_a = issue_token_a(network.cpo_tokens, "hub")
        response = await network.http.get(
            CPO_VERSIONS, headers={"Authorization": f"Token {token_a}"}
        )
        assert uuid.UUID(response.headers[REQUEST_ID])
        assert uuid.UUID(response.headers[CORRELATION_ID])

    async def test_an_error_answer_echoes_the_ids_too(self, wired):
        network, _ = wired
        ids = {REQUEST_ID: "req-1", CORRELATION_ID: "corr-1"}
        response = await network.http.get(CPO_VERSIONS, headers=ids)
        assert response.status_code == 401
        assert response.headers[REQUEST_ID] == "req-1"
        assert response.headers[CORRELATION_ID] == "corr-1"

    async def test_calls_made_while_answering_keep_the_incoming_correlation_id(
        self, wired
    ):
        """The CPO reads the hub's endpoints while answering the credentials
        POST: one exchange, one correlation ID in both parties' logs."""
        network, router = wired
        await register(network)
        post = next(r for r, _ in router.exchanges if r.method == "POST")
        callbacks = [r for r, _ in router.exchanges if r.url.host == "hub.test"]
        assert callbacks
        for callback in callbacks:
            assert callback.headers[CORRELATION_ID] == post.headers[CORRELATION_ID]
            assert callback.headers[REQUEST_ID] != post.headers[REQUEST_ID]

    async def test_both_sides_log_each_exchange_with_its_ids(self, wired, caplog):
        network, router = wired
        with caplog.at_level(logging.INFO, logger="evroam.ocpi.messages"):
            await register(network)
        lines = [r.getMessage() for r in caplog.records]
        for request, _ in router.exchanges:
            request_id = request.headers[REQUEST_ID]
            mine = [line for line in lines if f"request_id={request_id}" in line]
            assert any(line.startswith("OCPI ->") for line in mine)  # client
            assert any(line.startswith("OCPI <-") for line in mine)  # server


class TestDateTimeIsString25:
    @pytest.mark.parametrize(
        ("moment", "text"),
        [
            (datetime(2015, 6, 29, 20, 39, 9, tzinfo=UTC), "2015-06-29T20:39:09Z"),
            (
                datetime(2015, 6, 29, 20, 39, 9, 123456, tzinfo=UTC),
                "2015-06-29T20:39:09.123Z",
            ),
            (datetime(2015, 6, 29, 20, 39, 9, 999, tzinfo=UTC), "2015-06-29T20:39:09Z"),
        ],
    )
    def test_formats_rfc3339_utc_with_milliseconds_at_most(self, moment, text):
        assert format_datetime(moment) == text
        assert len(text) <= 25

    async def test_the_response_envelope_timestamp_fits(self, wired):
        network, _ = wired
        token_a = issue_token_a(network.cpo_tokens, "hub")
        body = (
            await network.http.get(
                CPO_VERSIONS, headers={"Authorization": f"Token {token_a}"}
            )
        ).json()
        assert DATETIME.match(body["timestamp"])

    async def test_objects_with_microseconds_go_out_in_at_most_25_characters(
        self, wired
    ):
        network, _ = wired
        moment = datetime(2024, 11, 1, 8, 0, 0, 123456, tzinfo=UTC)
        location = a_location().model_copy(update={"last_updated": moment})
        network.source.location_list = [location]
        client = await register(network)
        response = await network.http.get(
            f"{CPO_URL}/ocpi/cpo/2.2.1/locations",
            headers={"Authorization": f"Token {client.token}"},
        )
        sent = response.json()["data"][0]
        assert sent["last_updated"] == "2024-11-01T08:00:00.123Z"
        assert all(DATETIME.match(v) for v in _datetimes(sent))

    def test_a_start_session_token_last_updated_fits(self):
        token = Token(
            country_code="CN",
            party_id="EVR",
            uid="U1",
            type=TokenType.APP_USER,
            contract_id="U1",
            issuer="evroam",
            valid=True,
            whitelist=WhitelistType.NEVER,
            last_updated=datetime(2024, 11, 1, 8, 0, 0, 999999, tzinfo=UTC),
        )
        command = StartSession(response_url="http://x", token=token, location_id="L")
        wire = command.model_dump(mode="json")
        assert wire["token"]["last_updated"] == "2024-11-01T08:00:00.999Z"


def _datetimes(value):
    """Every string under a DateTime-named key of a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "last_updated" or key.endswith("date_time"):
                yield item
            else:
                yield from _datetimes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _datetimes(item)
