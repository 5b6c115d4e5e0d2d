"""Envelope crypto: the published vectors, tampering, and fuzzed input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evroam.protocols.tcec_102.envelope import (
    MAX_ENVELOPE_BYTES,
    TcecSecrets,
    decrypt_data,
    encrypt_data,
    open_request,
    open_response,
    seal_request,
    seal_response,
    sign_request,
    sign_response,
)
from evroam.protocols.tcec_102.errors import (
    PayloadError,
    ServerError,
    SignatureError,
    TcecError,
    TokenError,
)

VECTORS_PATH = (
    Path(__file__).parents[2] / "fixtures" / "tcec" / "tcec-crypto-vectors.json"
)
VECTORS: list[dict[str, Any]] = json.loads(VECTORS_PATH.read_text())["vectors"]
SECRETS = TcecSecrets.from_text(
    "1234567890abcdef", "1234567890abcdef", "abcdef1234567890"
)


def secrets_of(vector: dict[str, Any]) -> TcecSecrets:
    data_secret = vector.get("DataSecret", "0000000000000000")
    data_iv = vector.get("DataSecretIV", "0000000000000000")
    return TcecSecrets.from_text(data_secret, data_iv, vector["SigSecret"])


def by_id(vector_id: str) -> dict[str, Any]:
    return next(v for v in VECTORS if v["id"] == vector_id)


ENCRYPTED = [v for v in VECTORS if "plaintext" in v]


class TestPublishedVectors:
    def test_there_are_three_vectors_and_two_carry_plaintext(self):
        assert len(VECTORS) == 3
        assert len(ENCRYPTED) == 2

    @pytest.mark.parametrize("vector", ENCRYPTED, ids=lambda v: v["id"])
    def test_encrypting_the_plaintext_gives_the_published_data(self, vector):
        data = encrypt_data(secrets_of(vector), vector["plaintext"])
        assert data == vector["envelope"]["Data"]

    @pytest.mark.parametrize("vector", ENCRYPTED, ids=lambda v: v["id"])
    def test_decrypting_the_published_data_gives_the_plaintext(self, vector):
        plain = decrypt_data(secrets_of(vector), vector["envelope"]["Data"])
        assert plain.decode() == vector["plaintext"]

    @pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["id"])
    def test_signing_gives_the_published_sig(self, vector):
        env, secrets = vector["envelope"], secrets_of(vector)
        if "Ret" in env:
            sig = sign_response(secrets, env["Ret"], env["Msg"], env["Data"])
        else:
            sig = sign_request(
                secrets, env["OperatorID"], env["Data"], env["TimeStamp"], env["Seq"]
            )
        assert sig == env["Sig"]

    def test_the_token_request_vector_opens_to_its_body(self):
        vector = by_id("query-token-request")
        body = open_request(secrets_of(vector), vector["envelope"])
        assert body == {"OperatorID": "123456789", "OperatorSecret": "1234567890abcdef"}

    def test_the_token_response_vector_opens_to_its_body(self):
        vector = by_id("query-token-response")
        body = open_response(secrets_of(vector), vector["envelope"])
        assert body["AccessToken"].startswith("kVnStIRkn")
        assert body["TokenAvailableTime"] == 7200

    def test_the_standards_signature_vector_is_accepted_by_the_mac_check(self):
        vector = by_id("cec-2016-part4-appendix-c3-signature")
        # Its plaintext is not strict JSON, so opening passes the MAC and then
        # fails on the payload, never on the signature.
        with pytest.raises(PayloadError):
            open_request(secrets_of(vector), vector["envelope"])


class TestSealing:
    def test_a_sealed_request_opens_to_the_same_body(self):
        body = {"StationIDs": ["S1", "S2"], "名称": "虹桥"}
        envelope = seal_request(SECRETS, "MA01H3BQ2", body, "20240101120000", "0001")
        assert open_request(SECRETS, envelope) == body

    def test_a_sealed_response_opens_to_the_same_body(self):
        envelope = seal_response(SECRETS, {"Status": 0})
        assert open_response(SECRETS, envelope) == {"Status": 0}

    def test_an_error_response_raises_the_error_of_its_ret(self):
        with pytest.raises(TokenError) as caught:
            open_response(SECRETS, seal_response(SECRETS, None, 4002, "Token已过期"))
        assert caught.value.ret == 4002
        assert caught.value.msg == "Token已过期"
        with pytest.raises(ServerError):
            open_response(SECRETS, seal_response(SECRETS, None, 500, "系统错误"))

    def test_a_lower_case_sig_from_a_partner_is_accepted(self):
        envelope = seal_request(SECRETS, "OP", {"a": 1}, "20240101120000", "0002")
        envelope["Sig"] = envelope["Sig"].lower()
        assert open_request(SECRETS, envelope) == {"a": 1}

    def test_secrets_of_the_wrong_length_are_refused(self):
        with pytest.raises(ValueError, match="16 bytes"):
            TcecSecrets.from_text("short", "1234567890abcdef", "x")

    def test_secrets_never_show_in_their_repr(self):
        assert "1234567890abcdef" not in repr(SECRETS)


class TestTampering:
    @pytest.fixture
    def envelope(self) -> dict[str, str]:
        return seal_request(SECRETS, "OP", {"PageNo": 1}, "20240101120000", "0003")

    @pytest.mark.parametrize("field", ["OperatorID", "Data", "TimeStamp", "Seq", "Sig"])
    def test_a_changed_field_breaks_the_signature(self, envelope, field):
        value = envelope[field]
        envelope[field] = value[:-1] + ("A" if value[-1] != "A" else "B")
        with pytest.raises(SignatureError) as caught:
            open_request(SECRETS, envelope)
        assert caught.value.ret == 4001

    def test_a_response_with_a_changed_msg_is_refused(self):
        envelope = seal_response(SECRETS, None, 4003, "参数不合法")
        envelope["Msg"] = "ok"
        with pytest.raises(SignatureError):
            open_response(SECRETS, envelope)

    def test_a_validly_signed_but_undecryptable_data_is_a_payload_error(self):
        data = "QUJD"  # base64 of 3 bytes: not a whole AES block
        sig = sign_request(SECRETS, "OP", data, "20240101120000", "0001")
        envelope = {
            "OperatorID": "OP",
            "Data": data,
            "TimeStamp": "20240101120000",
            "Seq": "0001",
            "Sig": sig,
        }
        with pytest.raises(PayloadError) as caught:
            open_request(SECRETS, envelope)
        assert caught.value.ret == 4004

    def test_an_oversized_data_is_refused_before_any_work(self):
        envelope = {
            "OperatorID": "OP",
            "Data": "A" * (MAX_ENVELOPE_BYTES + 1),
            "TimeStamp": "20240101120000",
            "Seq": "0001",
            "Sig": "",
        }
        with pytest.raises(PayloadError):
            open_request(SECRETS, envelope)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
envelope_like = st.fixed_dictionaries(
    {},
    optional={
        "OperatorID": json_values | st.just("OP"),
        "Data": json_values | st.binary().map(lambda b: b.hex()),
        "TimeStamp": json_values | st.just("20240101120000"),
        "Seq": json_values | st.just("0001"),
        "Sig": json_values,
    },
)


def signed_envelope(data: str) -> dict[str, str]:
    sig = sign_request(SECRETS, "OP", data, "20240101120000", "0001")
    return {
        "OperatorID": "OP",
        "Data": data,
        "TimeStamp": "20240101120000",
        "Seq": "0001",
        "Sig": sig,
    }


class TestFuzzedInput:
    @given(json_values | envelope_like)
    def test_arbitrary_json_only_ever_raises_a_tcec_error(self, payload):
        with pytest.raises(TcecError):
            open_request(SECRETS, payload)

    @given(st.binary(max_size=300))
    def test_arbitrary_bytes_in_a_signed_envelope_only_raise_tcec_errors(self, raw):
        data = encrypt_data(SECRETS, raw)
        try:
            body = open_request(SECRETS, signed_envelope(data))
        except TcecError:
            return
        assert isinstance(body, dict)

    @given(st.text(max_size=200))
    def test_arbitrary_text_as_data_only_raises_tcec_errors(self, data):
        with pytest.raises(TcecError):
            open_request(SECRETS, signed_envelope(data))

    @given(json_values)
    def test_arbitrary_json_as_a_response_only_raises_tcec_errors(self, payload):
        with pytest.raises(TcecError):
            open_response(SECRETS, payload)


class TestUnsignedRefusals:
    def test_an_unsigned_refusal_reports_its_ret_not_a_bad_signature(self):
        from evroam.protocols.tcec_102.envelope import TcecSecrets, open_response
        from evroam.protocols.tcec_102.errors import SignatureError, TokenError

        secrets = TcecSecrets.from_text("1234567890abcdef", "1234567890abcdef", "k")
        unknown = {"Ret": 4001, "Msg": "未知的OperatorID", "Data": "", "Sig": ""}
        with pytest.raises(SignatureError, match=r"未知的OperatorID.*unsigned"):
            open_response(secrets, unknown)
        expired = {"Ret": 4002, "Msg": "Token无效", "Data": "", "Sig": ""}
        with pytest.raises(TokenError, match="unsigned"):
            open_response(secrets, expired)

    def test_an_unsigned_success_is_still_refused(self):
        from evroam.protocols.tcec_102.envelope import TcecSecrets, open_response
        from evroam.protocols.tcec_102.errors import SignatureError

        secrets = TcecSecrets.from_text("1234567890abcdef", "1234567890abcdef", "k")
        with pytest.raises(SignatureError, match="应答签名错误"):
            open_response(secrets, {"Ret": 0, "Msg": "", "Data": "", "Sig": ""})
