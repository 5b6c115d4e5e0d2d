"""Wire models read the specification's examples and our recorded payloads."""

import json
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from evroam.protocols.ocpi_2_2_1.client import OcpiClient
from evroam.protocols.ocpi_2_2_1.errors import (
    InvalidParametersError,
    UnknownLocationError,
)
from evroam.protocols.ocpi_2_2_1.models import (
    CDR,
    Credentials,
    EvsePatch,
    Location,
    OcpiResponse,
    Tariff,
    VersionDetails,
)
from evroam.protocols.ocpi_2_2_1.tokens import authorization_header, token_candidates
from tests.adapters.ocpi.fakes import HUB_ROLE

SPEC_EXAMPLES = Path(__file__).parents[3] / "tests/fixtures/ocpi-2.2.1-examples"
FIXTURES = Path(__file__).parent / "fixtures"


def model_for(name: str) -> type:
    if name.startswith("location"):
        return Location
    if name.startswith("cdr"):
        return CDR
    return Tariff


def spec_examples() -> list[Path]:
    return sorted(SPEC_EXAMPLES.resolve().glob("*.json"))


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


class TestSpecExamples:
    def test_every_example_of_the_spec_is_present(self):
        assert len(spec_examples()) == 8

    @pytest.mark.parametrize("path", spec_examples(), ids=lambda p: p.name)
    def test_parses_and_reserialises_equal(self, path):
        raw = json.loads(path.read_text())
        parsed = model_for(path.name).model_validate(raw)
        assert parsed.model_dump(mode="json", exclude_none=True) == raw

    def test_coordinates_stay_strings(self):
        raw = json.loads((SPEC_EXAMPLES / "location_example.json").read_text())
        location = Location.model_validate(raw)
        assert location.coordinates.latitude == "51.047599"

    def test_the_example_cdr_keeps_its_totals_exact(self):
        raw = json.loads((SPEC_EXAMPLES / "cdr_example.json").read_text())
        cdr = CDR.model_validate(raw)
        assert str(cdr.total_cost.incl_vat) == "4.4"
        assert cdr.charging_periods[0].dimensions[0].type == "TIME"


class TestPatchModels:
    def test_a_patch_must_carry_last_updated(self):
        with pytest.raises(ValidationError):
            EvsePatch.model_validate({"status": "CHARGING"})

    def test_changes_hold_only_what_the_sender_set(self):
        patch = EvsePatch.model_validate(
            {"status": "CHARGING", "last_updated": "2019-06-24T12:39:09Z"}
        )
        assert set(patch.changes()) == {"status", "last_updated"}

    def test_a_zone_less_datetime_is_read_as_utc(self):
        patch = EvsePatch.model_validate({"last_updated": "2019-06-24T12:39:09"})
        assert patch.last_updated.utcoffset().total_seconds() == 0


class TestAuthorizationHeader:
    def test_encodes_the_token_in_base64(self):
        assert authorization_header("example-token") == "Token ZXhhbXBsZS10b2tlbg=="

    def test_reads_the_specs_example_with_its_trailing_newline(self):
        header = "Token ZWJmM2IzOTktNzc5Zi00NDk3LTliOWQtYWM2YWQzY2M0NGQyCg=="
        assert token_candidates(header)[0] == "ebf3b399-779f-4497-9b9d-ac6ad3cc44d2"

    @given(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126)))
    def test_any_token_survives_encoding(self, token):
        if token:
            assert token in token_candidates(authorization_header(token))
            assert token in token_candidates(authorization_header(token, encode=False))

    def test_a_header_of_another_scheme_carries_no_token(self):
        assert token_candidates("Bearer abc") == []
        assert token_candidates(None) == []


class TestRecordedPayloads:
    def test_recorded_envelopes_parse(self):
        details = OcpiResponse[VersionDetails].model_validate(
            load("cpo_version_details.json")
        )
        assert {e.identifier for e in details.data.endpoints} >= {"locations"}
        creds = OcpiResponse[Credentials].model_validate(load("cpo_credentials.json"))
        assert creds.data.token == "TOKEN_C"

    async def test_client_registers_against_recorded_answers(self):
        answers = {
            "/ocpi/cpo/versions": load("cpo_versions.json"),
            "/ocpi/cpo/2.2.1": load("cpo_version_details.json"),
            "/ocpi/cpo/2.2.1/credentials": load("cpo_credentials.json"),
        }
        seen = []

        def serve(request: httpx.Request) -> httpx.Response:
            seen.append((request.method, request.headers["Authorization"]))
            return httpx.Response(200, json=answers[request.url.path])

        async with httpx.AsyncClient(transport=httpx.MockTransport(serve)) as http:
            client = OcpiClient(http)
            reg = await client.register(
                "http://cpo.test/ocpi/cpo/versions",
                "TOKEN_A",
                "http://hub.test/ocpi/versions",
                "TOKEN_B",
                HUB_ROLE,
            )
        assert reg.token_c == "TOKEN_C"
        assert {auth for _, auth in seen} == {"Token VE9LRU5fQQ=="}
        assert [m for m, _ in seen] == ["GET", "GET", "POST"]

    async def test_client_reads_a_recorded_page_and_its_headers(self):
        def serve(request: httpx.Request) -> httpx.Response:
            headers = {"X-Total-Count": "2", "X-Limit": "1"}
            if request.url.params.get("offset") == "0":
                headers["Link"] = (
                    '</ocpi/cpo/2.2.1/locations?offset=1&limit=1>; rel="next"'
                )
            return httpx.Response(
                200, json=load("cpo_locations_page1.json"), headers=headers
            )

        async with httpx.AsyncClient(transport=httpx.MockTransport(serve)) as http:
            client = OcpiClient(http, token="T")
            client.endpoints = (
                *client.endpoints,
                *VersionDetails.model_validate(
                    load("cpo_version_details.json")["data"]
                ).endpoints,
            )
            pages = [p async for p in client.iter_location_pages(page_limit=1)]
        assert len(pages) == 2
        assert (
            pages[0].next_url
            == "http://cpo.test/ocpi/cpo/2.2.1/locations?offset=1&limit=1"
        )

    @pytest.mark.parametrize(
        ("status", "error"),
        [(2001, InvalidParametersError), (2003, UnknownLocationError)],
    )
    async def test_a_non_1000_answer_raises_its_error(self, status, error):
        def serve(request: httpx.Request) -> httpx.Response:
            body = {"status_code": status, "timestamp": "2024-11-01T08:00:00Z"}
            return httpx.Response(200, json=body)

        async with httpx.AsyncClient(transport=httpx.MockTransport(serve)) as http:
            client = OcpiClient(http, token="T")
            with pytest.raises(error) as caught:
                await client.fetch_endpoints("http://cpo.test/ocpi/cpo/versions")
        assert caught.value.status_code == status
