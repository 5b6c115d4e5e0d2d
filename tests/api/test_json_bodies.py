"""Bodies sent to /api/v1 must be JSON (else 415); partner endpoints read theirs."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator

import pytest

from evroam.api.json_body import is_json_media_type
from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.cli.demo import DemoPartner, partner_request
from evroam.partners.model import Partner
from evroam.protocols.tcec_102.envelope import seal_request
from evroam.protocols.tcec_102.timestamp import format_timestamp
from evroam.shared.ids import OperatorId
from evroam.simulator.credentials import default_tcec_credentials
from tests.adapters.ocpi.fakes import a_location
from tests.api.test_accounts import open_account

FORM = "application/x-www-form-urlencoded"  # what curl -d sends unless told
HINT = "send -H 'Content-Type: application/json'"


class TestANonJsonBody:
    @pytest.mark.parametrize("content_type", [FORM, None, "text/plain"])
    async def test_opening_an_account_answers_415_with_a_curl_hint(
        self, client, content_type
    ):
        headers = {"Content-Type": content_type} if content_type else {}
        r = await client.post(
            "/api/v1/accounts", content=b'{"name":"Li Wei"}', headers=headers
        )
        assert r.status_code == 415
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["accept-post"] == "application/json"
        problem = r.json()
        assert problem["status"] == 415
        assert HINT in problem["detail"]
        assert "\n" not in problem["detail"]

    async def test_a_form_top_up_changes_nothing(self, client):
        _, auth = await open_account(client)
        r = await client.post(
            "/api/v1/wallet/top-ups",
            content=b"amount=200.00",
            headers={**auth, "Content-Type": FORM, "Idempotency-Key": "form-top-up"},
        )
        assert r.status_code == 415
        # The key was not used up: the same key with a JSON body still works.
        ok = await client.post(
            "/api/v1/wallet/top-ups",
            json={"amount": "200.00"},
            headers={**auth, "Idempotency-Key": "form-top-up"},
        )
        assert ok.status_code == 201

    async def test_a_chunked_body_without_a_type_is_refused_too(self, client):
        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"name":'
            yield b'"Li Wei"}'

        r = await client.post("/api/v1/accounts", content=chunks())
        assert r.status_code == 415

    async def test_the_admin_api_refuses_one_as_well(self, client):
        r = await client.post(
            "/api/v1/admin/partners",
            content=b"id=x",
            headers={"Content-Type": FORM, "Authorization": "Bearer nope"},
        )
        assert r.status_code == 415


class TestJsonBodies:
    @pytest.mark.parametrize(
        "content_type",
        ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON"],
    )
    async def test_are_taken_with_or_without_a_charset(self, client, content_type):
        r = await client.post(
            "/api/v1/accounts",
            content=b'{"name":"Li Wei"}',
            headers={"Content-Type": content_type},
        )
        assert r.status_code == 201

    @pytest.mark.parametrize(
        ("content_type", "is_json"),
        [
            ("application/json", True),
            ("application/merge-patch+json", True),
            ("application/problem+json;charset=utf-8", True),
            ("text/json", False),
            ("application/jsonx", False),
            ("multipart/form-data; boundary=x", False),
            ("", False),
        ],
    )
    def test_are_recognised_by_their_media_type(self, content_type, is_json):
        assert is_json_media_type(content_type) is is_json


async def a_pending_top_up(client) -> tuple[dict[str, str], str]:
    """A new driver's auth header and the confirm URL of their 20.00 top-up."""
    _, auth = await open_account(client)
    intent = await client.post(
        "/api/v1/wallet/top-ups",
        json={"amount": "20.00"},
        headers={**auth, "Idempotency-Key": "bodyless-confirm"},
    )
    return auth, intent.json()["confirm_url"]


class TestBodylessPosts:
    async def test_a_sandbox_confirm_without_a_body_still_pays(self, client):
        auth, confirm_url = await a_pending_top_up(client)
        # curl -X POST without -d sends neither a body nor a Content-Type.
        paid = await client.post(confirm_url, headers=auth)
        assert paid.status_code == 200
        assert paid.json()["status"] == "credited"

    async def test_an_empty_chunked_body_counts_as_none(self, client):
        auth, confirm_url = await a_pending_top_up(client)

        async def nothing() -> AsyncIterator[bytes]:
            yield b""

        paid = await client.post(confirm_url, headers=auth, content=nothing())
        assert paid.status_code == 200


COMMUNITY = DemoPartner(
    "neighbourly", "Neighbourly Charge", OperatorProfile.COMMUNITY, Protocol.TCEC, 1
)
OCPI_TOKEN_B = "hub-issued-token-b"


def partner(
    id: str, protocol: Protocol, credentials: dict[str, str], party: str
) -> Partner:
    return Partner(
        OperatorId(id),
        id,
        protocol,
        OperatorProfile.COMMUNITY,
        "http://partner.test",
        credentials,
        country_code="CN",
        party_id=party,
    )


def forget_the_partner_snapshot(services) -> None:
    """A partner written straight into storage, as another worker would: the hub
    finds it once its partner snapshot is re-read (ADR 0020), made now."""
    if services.partner_index is not None:
        services.partner_index.invalidate()


class TestPartnerEndpoints:
    """Partners send what their platforms send; the hub reads the body anyway."""

    @pytest.mark.parametrize(
        "content_type", ["application/json;charset=utf-8", None, "text/plain", FORM]
    )
    async def test_a_tcec_query_token_is_answered_whatever_its_content_type(
        self, client, services, content_type
    ):
        credentials = partner_request(COMMUNITY)["credentials"]
        services.partner_records.save(
            partner("neighbourly", Protocol.TCEC, credentials, "NBC")
        )
        forget_the_partner_snapshot(services)
        creds = default_tcec_credentials("community")
        body = {
            "OperatorID": creds.partner_operator_id,
            "OperatorSecret": creds.operator_secret,
        }
        envelope = seal_request(
            creds.secrets,
            creds.partner_operator_id,
            body,
            format_timestamp(services.clock.now()),
            "0001",
        )
        headers = {"Content-Type": content_type} if content_type else {}
        r = await client.post(
            "/evcs/v1/query_token", content=json.dumps(envelope), headers=headers
        )
        assert r.status_code == 200
        assert r.json()["Ret"] == 0

    @pytest.mark.parametrize("content_type", [None, "text/plain"])
    async def test_an_ocpi_location_push_is_stored_whatever_its_content_type(
        self, client, services, content_type
    ):
        services.partner_records.save(
            partner("swapway", Protocol.OCPI, {"token_b": OCPI_TOKEN_B}, "SWP")
        )
        forget_the_partner_snapshot(services)
        token = base64.b64encode(OCPI_TOKEN_B.encode()).decode()
        headers = {"Authorization": f"Token {token}"}
        if content_type:
            headers["Content-Type"] = content_type
        location = a_location("LOC1").model_dump(mode="json", exclude_none=True)
        r = await client.put(
            "/ocpi/2.2.1/locations/CN/SWP/LOC1",
            content=json.dumps(location),
            headers=headers,
        )
        assert r.status_code == 200
        assert r.json()["status_code"] == 1000

    async def test_the_payment_webhook_is_checked_by_its_signature_not_its_type(
        self, client
    ):
        r = await client.post(
            "/api/v1/payments/webhook",
            content=b"{}",
            headers={"Content-Type": "text/plain", "Webhook-Signature": "t=1,v1=00"},
        )
        assert r.status_code == 400
