"""What a simulated partner and the hub share; deterministic DEMO ONLY defaults.

One set of T/CEC secrets serves both directions of a partnership: the hub calls
the simulator as ``hub_operator_id`` and the simulator pushes to the hub as
``partner_operator_id``, each with the same OperatorSecret, DataSecret,
DataSecretIV and SigSecret.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from evroam.protocols.tcec_102.envelope import TcecSecrets
from evroam.protocols.tcec_102.profiles import SpellingProfile

HUB_TCEC_OPERATOR_ID = "MA0EVROAM"
# by partner profile (the scenario's operator profiles: swap, fast, community)
TCEC_OPERATOR_IDS = {
    "swap": "MA0SWPWAY",
    "fast": "MA0RAPIDG",
    "community": "MA0NEIGHB",
}
_DEMO_SALT = "evroam demo only: public, never use in production"


@dataclass(frozen=True, slots=True)
class TcecPartnerCredentials:
    """T/CEC ids (9 characters) and secrets (16 characters) of one partnership."""

    partner_operator_id: str
    hub_operator_id: str
    operator_secret: str
    data_secret: str
    data_secret_iv: str
    sig_secret: str
    spelling: SpellingProfile = SpellingProfile.STANDARD

    def __post_init__(self) -> None:
        for name in ("partner_operator_id", "hub_operator_id"):
            if len(getattr(self, name)) != 9:
                raise ValueError(f"{name} must be 9 characters (T/CEC OperatorID)")
        for name in ("operator_secret", "data_secret", "data_secret_iv", "sig_secret"):
            if len(getattr(self, name)) != 16:
                raise ValueError(f"{name} must be 16 characters")

    def __repr__(self) -> str:
        return (
            f"TcecPartnerCredentials(partner_operator_id={self.partner_operator_id!r},"
            f" hub_operator_id={self.hub_operator_id!r}, secrets=<redacted>)"
        )

    @property
    def secrets(self) -> TcecSecrets:
        return TcecSecrets.from_text(
            self.data_secret, self.data_secret_iv, self.sig_secret
        )


def _profile(profile: str) -> str:
    """A profile's name (``OperatorProfile`` members are their names)."""
    name = str(profile)
    if name not in TCEC_OPERATOR_IDS:
        raise ValueError(f"{name!r} is not a partner profile")
    return name


def _demo_secret(profile: str, purpose: str) -> str:
    digest = hashlib.sha256(f"{_DEMO_SALT}:{profile}:{purpose}".encode())
    return digest.hexdigest()[:16]


def default_tcec_credentials(profile: str) -> TcecPartnerCredentials:
    """DEMO ONLY: fixed, publicly derivable secrets for a profile's simulator,
    so ``make demo`` can onboard it without a key exchange. Never use them
    for a real partner."""
    profile = _profile(profile)
    return TcecPartnerCredentials(
        partner_operator_id=TCEC_OPERATOR_IDS[profile],
        hub_operator_id=HUB_TCEC_OPERATOR_ID,
        operator_secret=_demo_secret(profile, "OperatorSecret"),
        data_secret=_demo_secret(profile, "DataSecret"),
        data_secret_iv=_demo_secret(profile, "DataSecretIV"),
        sig_secret=_demo_secret(profile, "SigSecret"),
    )


def default_ocpi_token_a(profile: str) -> str:
    """DEMO ONLY: the TOKEN_A a profile's OCPI simulator accepts by default."""
    profile = _profile(profile)
    return f"demo-token-a-{profile}-{_demo_secret(profile, 'TOKEN_A')}"
