"""T/CEC envelope security: AES-128-CBC ``Data`` and upper-case HMAC-MD5 ``Sig``.

T/CEC 102.4 (2016) §C: ``Data`` is Base64(AES-128-CBC, PKCS#5/7 padding) of the
UTF-8 JSON body with the partner's DataSecret and DataSecretIV; ``Sig`` is the
upper-case hex HMAC-MD5 with SigSecret over OperatorID+Data+TimeStamp+Seq
(requests) or Ret+Msg+Data (responses). The MAC is always checked before
anything is decrypted or parsed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from evroam.protocols.tcec_102.errors import (
    PayloadError,
    SignatureError,
    error_for,
)

MAX_ENVELOPE_BYTES = 1024 * 1024
"""Largest envelope (and ``Data`` field) we accept: 1 MiB."""

_AES_BLOCK_BITS = 128
_REQUEST_FIELDS = ("OperatorID", "Data", "TimeStamp", "Seq", "Sig")


@dataclass(frozen=True, slots=True)
class TcecSecrets:
    """One partner's shared secrets; the two AES ones are exactly 16 bytes."""

    data_secret: bytes
    data_secret_iv: bytes
    sig_secret: bytes
    operator_id: str | None = None

    def __post_init__(self) -> None:
        for name in ("data_secret", "data_secret_iv"):
            if len(getattr(self, name)) != 16:
                raise ValueError(f"{name} must be 16 bytes for AES-128")
        if not self.sig_secret:
            raise ValueError("sig_secret must not be empty")

    def __repr__(self) -> str:
        return f"TcecSecrets(operator_id={self.operator_id!r}, secrets=<redacted>)"

    @classmethod
    def from_text(
        cls,
        data_secret: str,
        data_secret_iv: str,
        sig_secret: str,
        operator_id: str | None = None,
    ) -> TcecSecrets:
        """Secrets as partners exchange them: 16-character ASCII strings."""
        return cls(
            data_secret.encode(),
            data_secret_iv.encode(),
            sig_secret.encode(),
            operator_id,
        )


def encrypt_data(secrets: TcecSecrets, plaintext: bytes | str) -> str:
    raw = plaintext.encode() if isinstance(plaintext, str) else plaintext
    padder = padding.PKCS7(_AES_BLOCK_BITS).padder()
    padded = padder.update(raw) + padder.finalize()
    cipher = Cipher(
        algorithms.AES(secrets.data_secret), modes.CBC(secrets.data_secret_iv)
    )
    encryptor = cipher.encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode()


def decrypt_data(secrets: TcecSecrets, data: str) -> bytes:
    """The plaintext of ``Data``; ``PayloadError`` (4004) if it is not ours."""
    try:
        sealed = base64.b64decode(data.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise PayloadError("Data不是Base64") from exc
    if not sealed or len(sealed) % 16:
        raise PayloadError("Data长度错误")
    cipher = Cipher(
        algorithms.AES(secrets.data_secret), modes.CBC(secrets.data_secret_iv)
    )
    decryptor = cipher.decryptor()
    padded = decryptor.update(sealed) + decryptor.finalize()
    unpadder = padding.PKCS7(_AES_BLOCK_BITS).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError as exc:
        raise PayloadError("Data解密失败") from exc


def _mac(secrets: TcecSecrets, text: str) -> str:
    digest = hmac.new(secrets.sig_secret, text.encode(), hashlib.md5)
    return digest.hexdigest().upper()


def sign_request(
    secrets: TcecSecrets, operator_id: str, data: str, timestamp: str, seq: str
) -> str:
    return _mac(secrets, operator_id + data + timestamp + seq)


def sign_response(secrets: TcecSecrets, ret: int, msg: str, data: str) -> str:
    return _mac(secrets, f"{ret}{msg}{data}")


def _same_sig(expected: str, given: str) -> bool:
    # Constant time; partners send upper case, a few send lower case.
    return hmac.compare_digest(expected.encode(), given.upper().encode("utf-8"))


def encode_body(body: Mapping[str, Any]) -> str:
    """Compact UTF-8 JSON; Decimals are written as JSON numbers (wire only)."""
    return json.dumps(
        body, ensure_ascii=False, separators=(",", ":"), default=_json_number
    )


def _json_number(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _no_constant(name: str) -> object:
    raise PayloadError(f"Data含非法数值 {name}")


def decode_body(plaintext: bytes) -> dict[str, Any]:
    """A decrypted body as a dict; numbers with a fraction are read as Decimal."""
    try:
        text = plaintext.decode("utf-8")
        body = json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise PayloadError("Data不是JSON") from exc
    if not isinstance(body, dict):
        raise PayloadError("Data不是JSON对象")
    return body


def seal_request(
    secrets: TcecSecrets,
    operator_id: str,
    body: Mapping[str, Any],
    timestamp: str,
    seq: str,
) -> dict[str, str]:
    data = encrypt_data(secrets, encode_body(body))
    sig = sign_request(secrets, operator_id, data, timestamp, seq)
    return {
        "OperatorID": operator_id,
        "Data": data,
        "TimeStamp": timestamp,
        "Seq": seq,
        "Sig": sig,
    }


def verify_request(secrets: TcecSecrets, envelope: object) -> dict[str, str]:
    """Check shape (4004) and MAC (4001) of a request envelope; return its fields."""
    if not isinstance(envelope, Mapping):
        raise PayloadError("报文不是JSON对象")
    fields = {name: envelope.get(name) for name in _REQUEST_FIELDS}
    strings = {k: v for k, v in fields.items() if isinstance(v, str)}
    if len(strings) != len(_REQUEST_FIELDS):
        raise PayloadError("报文缺少字段")
    if len(strings["Data"]) > MAX_ENVELOPE_BYTES:
        raise PayloadError("报文过大")
    expected = sign_request(
        secrets,
        strings["OperatorID"],
        strings["Data"],
        strings["TimeStamp"],
        strings["Seq"],
    )
    if not _same_sig(expected, strings["Sig"]):
        raise SignatureError()
    return strings


def open_request(secrets: TcecSecrets, envelope: object) -> dict[str, Any]:
    """The body of a request envelope: MAC first, then decrypt, then parse.

    Raises only ``TcecError`` subclasses, whatever ``envelope`` holds.
    """
    fields = verify_request(secrets, envelope)
    return decode_body(decrypt_data(secrets, fields["Data"]))


def seal_response(
    secrets: TcecSecrets,
    body: Mapping[str, Any] | None,
    ret: int = 0,
    msg: str = "",
) -> dict[str, Any]:
    """A response envelope; errors (``body`` None) carry an empty ``Data``."""
    data = "" if body is None else encrypt_data(secrets, encode_body(body))
    return {
        "Ret": ret,
        "Msg": msg,
        "Data": data,
        "Sig": sign_response(secrets, ret, msg, data),
    }


def open_response(secrets: TcecSecrets, envelope: object) -> dict[str, Any]:
    """A response body: MAC first; a non-zero ``Ret`` raises its ``TcecError``."""
    if not isinstance(envelope, Mapping):
        raise PayloadError("应答不是JSON对象")
    ret, msg = envelope.get("Ret"), envelope.get("Msg")
    data, sig = envelope.get("Data"), envelope.get("Sig")
    if not isinstance(ret, int) or isinstance(ret, bool):
        raise PayloadError("应答缺少Ret")
    msg = "" if msg is None else msg
    data = "" if data is None else data
    if not (isinstance(msg, str) and isinstance(data, str) and isinstance(sig, str)):
        raise PayloadError("应答缺少字段")
    if len(data) > MAX_ENVELOPE_BYTES:
        raise PayloadError("应答过大")
    if ret != 0 and not sig and not data:
        # An unsigned refusal (the peer could not tell who we are): nothing in
        # it is trusted, but its Ret says why, which beats "bad signature".
        raise error_for(ret, f"{msg} (unsigned)")
    if not _same_sig(sign_response(secrets, ret, msg, data), sig):
        raise SignatureError("应答签名错误")
    if ret != 0:
        raise error_for(ret, msg)
    return decode_body(decrypt_data(secrets, data))


__all__ = [
    "MAX_ENVELOPE_BYTES",
    "TcecSecrets",
    "decode_body",
    "decrypt_data",
    "encode_body",
    "encrypt_data",
    "open_request",
    "open_response",
    "seal_request",
    "seal_response",
    "sign_request",
    "sign_response",
    "verify_request",
]
