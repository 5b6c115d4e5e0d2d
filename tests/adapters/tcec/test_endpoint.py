"""The receiving side: every check, in order, with the Ret the standard assigns."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evroam.protocols.tcec_102.endpoint import PeerConfig, TcecEndpoint
from evroam.protocols.tcec_102.envelope import (
    MAX_ENVELOPE_BYTES,
    TcecSecrets,
    encrypt_data,
    open_response,
    seal_request,
    sign_request,
)
from evroam.protocols.tcec_102.errors import ParameterError
from evroam.protocols.tcec_102.profiles import SpellingProfile
from evroam.protocols.tcec_102.timestamp import format_timestamp
from tests.fakes import FixedClock

OPERATOR_ID = "MA0EVROAM"
OPERATOR_SECRET = "op-secret-123456"
SECRETS = TcecSecrets.from_text(
    "a1b2c3d4e5f6g7h8", "h8g7f6e5d4c3b2a1", "sigsecret0000000"
)
START = datetime(2024, 5, 1, 4, 0, tzinfo=UTC)


class Partner:
    """A TcecEndpoint with recording handlers and helpers to send it envelopes."""

    def __init__(self, spelling: SpellingProfile = SpellingProfile.STANDARD) -> None:
        self.clock = FixedClock(START)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.seq = 0
        peer = PeerConfig(OPERATOR_SECRET, SECRETS, spelling)
        self.endpoint = TcecEndpoint(
            {OPERATOR_ID: peer},
            token_ttl_s=7200,
            clock=self.clock,
            handlers={
                "echo": self.echo,
                "refuse": self.refuse,
                "crash": self.crash,
                "policy": self.policy,
            },
            new_token=lambda: f"token-{self.seq}",
        )
        self.token = ""

    async def echo(self, operator_id: str, body: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((operator_id, body))
        return {"Echo": body}

    async def refuse(self, operator_id: str, body: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((operator_id, body))
        raise ParameterError("StationIDs过多")

    async def crash(self, operator_id: str, body: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((operator_id, body))
        raise RuntimeError("database password is hunter2")

    async def policy(self, operator_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return {"PolicyInfos": [{"StartTime": "000000", "SevicePrice": 1}]}

    def envelope(self, body: dict[str, Any], **overrides: str) -> dict[str, str]:
        self.seq += 1
        stamp = format_timestamp(self.clock.now())
        envelope = seal_request(SECRETS, OPERATOR_ID, body, stamp, f"{self.seq:04d}")
        envelope.update(overrides)
        return envelope

    async def send(
        self, message: str, envelope: dict[str, str] | bytes, token: str | None = None
    ) -> dict[str, Any]:
        raw = envelope if isinstance(envelope, bytes) else json.dumps(envelope).encode()
        auth = f"Bearer {self.token if token is None else token}"
        return await self.endpoint.handle(message, raw, auth)

    async def log_in(self) -> None:
        body = {"OperatorID": OPERATOR_ID, "OperatorSecret": OPERATOR_SECRET}
        reply = open_response(
            SECRETS, await self.send("query_token", self.envelope(body))
        )
        self.token = reply["AccessToken"]


@pytest.fixture
async def partner() -> Partner:
    partner = Partner()
    await partner.log_in()
    return partner


def resigned(partner: Partner, **fields: str) -> dict[str, str]:
    """A correctly signed envelope with chosen TimeStamp/Seq/Data."""
    envelope = partner.envelope({"x": 1})
    envelope.update(fields)
    envelope["Sig"] = sign_request(
        SECRETS,
        envelope["OperatorID"],
        envelope["Data"],
        envelope["TimeStamp"],
        envelope["Seq"],
    )
    return envelope


class TestQueryToken:
    async def test_the_right_secret_gets_a_token_for_the_configured_time(self):
        partner = Partner()
        body = {"OperatorID": OPERATOR_ID, "OperatorSecret": OPERATOR_SECRET}
        reply = open_response(
            SECRETS, await partner.send("query_token", partner.envelope(body), token="")
        )
        assert reply["SuccStat"] == 0
        assert reply["TokenAvailableTime"] == 7200
        assert reply["AccessToken"]

    @pytest.mark.parametrize(
        ("body", "fail_reason"),
        [
            ({"OperatorID": OPERATOR_ID, "OperatorSecret": "wrong"}, 2),
            ({"OperatorID": "SOMEONE", "OperatorSecret": OPERATOR_SECRET}, 1),
        ],
    )
    async def test_a_wrong_secret_or_operator_gets_no_token(self, body, fail_reason):
        partner = Partner()
        reply = open_response(
            SECRETS, await partner.send("query_token", partner.envelope(body))
        )
        assert (reply["SuccStat"], reply["FailReason"]) == (1, fail_reason)
        assert not reply.get("AccessToken")


class TestAcceptedRequests:
    async def test_a_good_request_reaches_the_handler_and_gets_a_sealed_reply(
        self, partner
    ):
        reply = await partner.send("echo", partner.envelope({"PageNo": 2}))
        assert reply["Ret"] == 0
        assert reply["Data"]
        assert open_response(SECRETS, reply) == {"Echo": {"PageNo": 2}}
        assert partner.calls == [(OPERATOR_ID, {"PageNo": 2})]

    async def test_the_reply_uses_the_fee_spelling_the_peer_asked_for(self):
        partner = Partner(SpellingProfile.SERVICE)
        await partner.log_in()
        reply = open_response(
            SECRETS, await partner.send("policy", partner.envelope({}))
        )
        assert reply == {"PolicyInfos": [{"StartTime": "000000", "ServicePrice": 1}]}


class TestRejectedRequests:
    @pytest.mark.parametrize("field", ["Sig", "Data", "TimeStamp", "Seq", "OperatorID"])
    async def test_a_tampered_field_is_a_signature_error_and_no_handler_runs(
        self, partner, field
    ):
        envelope = partner.envelope({"PageNo": 1})
        value = envelope[field]
        envelope[field] = value[:-1] + ("1" if value[-1] != "1" else "2")
        reply = await partner.send("echo", envelope)
        assert reply["Ret"] == 4001
        assert partner.calls == []

    async def test_an_unknown_operator_gets_an_unsigned_signature_error(self, partner):
        reply = await partner.send("echo", partner.envelope({}, OperatorID="NOBODY"))
        assert (reply["Ret"], reply["Sig"]) == (4001, "")

    @pytest.mark.parametrize("minutes", [-6, 6])
    async def test_a_timestamp_more_than_five_minutes_off_is_refused(
        self, partner, minutes
    ):
        stamp = format_timestamp(START + timedelta(minutes=minutes))
        reply = await partner.send("echo", resigned(partner, TimeStamp=stamp))
        assert reply["Ret"] == 4003
        assert partner.calls == []

    async def test_a_timestamp_within_five_minutes_is_accepted(self, partner):
        stamp = format_timestamp(START - timedelta(minutes=4, seconds=59))
        reply = await partner.send("echo", resigned(partner, TimeStamp=stamp))
        assert reply["Ret"] == 0

    @pytest.mark.parametrize("stamp", ["2024050112000", "20241301120000", "abc"])
    async def test_a_malformed_timestamp_is_a_parameter_error(self, partner, stamp):
        reply = await partner.send("echo", resigned(partner, TimeStamp=stamp))
        assert reply["Ret"] == 4003

    @pytest.mark.parametrize(
        "seq", ["0000", "1", "00001", "12a4", "\uff11\uff12\uff13\uff14"]
    )
    async def test_a_seq_outside_0001_to_9999_is_a_parameter_error(self, partner, seq):
        reply = await partner.send("echo", resigned(partner, Seq=seq))
        assert reply["Ret"] == 4003
        assert partner.calls == []

    async def test_a_replayed_envelope_is_refused_and_runs_the_handler_once(
        self, partner
    ):
        envelope = partner.envelope({"PageNo": 1})
        first = await partner.send("echo", envelope)
        second = await partner.send("echo", envelope)
        assert (first["Ret"], second["Ret"]) == (0, 4003)
        assert len(partner.calls) == 1

    async def test_a_replay_after_the_window_is_refused_as_stale(self, partner):
        envelope = partner.envelope({"PageNo": 1})
        await partner.send("echo", envelope)
        partner.clock.set(START + timedelta(minutes=10))
        reply = await partner.send("echo", envelope)
        assert reply["Ret"] == 4003

    async def test_an_expired_token_is_a_token_error(self, partner):
        partner.clock.set(START + timedelta(hours=2))
        reply = await partner.send("echo", partner.envelope({}))
        assert reply["Ret"] == 4002
        assert partner.calls == []

    @pytest.mark.parametrize("token", ["", "made-up"])
    async def test_a_missing_or_unknown_token_is_a_token_error(self, partner, token):
        reply = await partner.send("echo", partner.envelope({}), token=token)
        assert reply["Ret"] == 4002

    @pytest.mark.parametrize(
        "raw",
        [
            b"not json",
            b"[]",
            b'{"OperatorID": "MA0EVROAM"}',
            b'{"OperatorID": 1, "Data": "", "TimeStamp": "", "Seq": "", "Sig": ""}',
            b" " * (MAX_ENVELOPE_BYTES + 1),
        ],
    )
    async def test_a_malformed_envelope_is_a_payload_error(self, partner, raw):
        reply = await partner.send("echo", raw)
        assert reply["Ret"] == 4004

    async def test_a_signed_envelope_whose_data_is_not_json_is_a_payload_error(
        self, partner
    ):
        data = encrypt_data(SECRETS, b"{not json")
        reply = await partner.send("echo", resigned(partner, Data=data))
        assert reply["Ret"] == 4004
        assert partner.calls == []


class TestHandlerFailures:
    async def test_a_handler_refusal_travels_as_its_ret_and_message(self, partner):
        reply = await partner.send("refuse", partner.envelope({}))
        assert (reply["Ret"], reply["Msg"]) == (4003, "StationIDs过多")
        with pytest.raises(ParameterError):
            open_response(SECRETS, reply)

    async def test_a_crash_is_a_signed_system_error_that_leaks_nothing(self, partner):
        reply = await partner.send("crash", partner.envelope({}))
        assert reply["Ret"] == 500
        assert "hunter2" not in json.dumps(reply, ensure_ascii=False)
        assert reply["Sig"]

    async def test_an_unknown_message_is_a_parameter_error(self, partner):
        reply = await partner.send("nope", partner.envelope({}))
        assert reply["Ret"] == 4003


class TestFuzzedRequests:
    @given(st.binary(max_size=400))
    async def test_arbitrary_bytes_always_get_an_error_envelope(self, raw):
        partner = Partner()
        reply = await partner.send("echo", raw)
        assert reply["Ret"] in {4001, 4002, 4003, 4004}
        assert partner.calls == []


class TestSignedGrants:
    def test_a_token_signed_by_one_worker_is_recognised_by_another(self):
        from datetime import UTC, datetime, timedelta

        from evroam.protocols.tcec_102.endpoint import SignedGrantStore

        now = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
        token = SignedGrantStore(b"k" * 32).issue(
            "MA0SWPWAY", now + timedelta(hours=2), now
        )
        grant = SignedGrantStore(b"k" * 32).find(token)
        assert grant is not None
        assert grant.operator_id == "MA0SWPWAY"
        assert grant.expires_at == now + timedelta(hours=2)

    def test_a_forged_or_foreign_token_is_not_recognised(self):
        from datetime import UTC, datetime, timedelta

        from evroam.protocols.tcec_102.endpoint import SignedGrantStore

        now = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
        token = SignedGrantStore(b"k" * 32).issue(
            "MA0SWPWAY", now + timedelta(hours=2), now
        )
        payload, _, mac = token.partition(".")
        assert SignedGrantStore(b"x" * 32).find(token) is None
        assert SignedGrantStore(b"k" * 32).find(payload + ".00" + mac[2:]) is None
        assert SignedGrantStore(b"k" * 32).find("garbage") is None
