"""Partner credentials encrypted at rest with the hub's data key (Fernet, ADR 0015).

The ``partners.credentials`` column holds ``fernet:`` and a Fernet token (AES-128-CBC
with HMAC-SHA256, a random IV per write) of the credentials' JSON: OCPI tokens and
endpoints, T/CEC OperatorSecret/DataSecret/DataSecretIV/SigSecret. The key is the
``data_key`` secret (environment, then ``secrets.json``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken

from evroam.shared.errors import EvroamError

SEALED_PREFIX = "fernet:"
NEEDS_KEY = "set EVROAM_DATA_KEY or run evroam db upgrade --init"


class PartnerSecretsError(EvroamError):
    """Partner credentials cannot be sealed or opened (no key, or the wrong one)."""


def data_cipher(data_key: str) -> Fernet | None:
    """The Fernet of ``data_key`` (None when there is no key)."""
    if not data_key:
        return None
    try:
        return Fernet(data_key.encode())
    except ValueError:
        raise PartnerSecretsError(
            "the data key is not a Fernet key (32 bytes, URL-safe base64)"
        ) from None


class CredentialSeal:
    """Seals credentials before they are stored and opens them when read."""

    def __init__(self, data_key: str) -> None:
        self._fernet = data_cipher(data_key)

    def _cipher(self) -> Fernet:
        if self._fernet is None:
            raise PartnerSecretsError(f"partner secrets need the data key: {NEEDS_KEY}")
        return self._fernet

    def seal(self, credentials: Mapping[str, str]) -> str:
        plain = json.dumps(dict(credentials), sort_keys=True).encode()
        return SEALED_PREFIX + self._cipher().encrypt(plain).decode()

    def open(self, stored: str) -> dict[str, str]:
        if not stored.startswith(SEALED_PREFIX):
            raise PartnerSecretsError(
                "partner secrets are stored in clear: run evroam db upgrade"
            )
        try:
            plain = self._cipher().decrypt(stored[len(SEALED_PREFIX) :].encode())
        except InvalidToken:
            raise PartnerSecretsError(
                "partner secrets do not open with this data key (was EVROAM_DATA_KEY "
                "or secrets.json replaced?)"
            ) from None
        opened: dict[str, str] = json.loads(plain)
        return opened
