"""T/CEC 102 vendor spelling profiles: which field names a partner writes and reads.

The standard itself is not consistent: T/CEC 102.3 (2016) prints exactly four
field names "Sevice" (tables 5, 11, 12, 13 and 19: ``SevicePrice``,
``SeviceMoney``, ``DetailSeviceMoney``, ``TotalSeviceMoney``) while T/CEC
102.2's StationInfo spells ``ServiceFee`` and ``ServiceTel`` correctly. Some
operators' published contracts (e.g. one major aggregator's 1.4.0 profile)
spell all of them "Service". Our wire models carry the standard's names; a
``SpellingProfile``, chosen per partner at ``partners add``, lists the fields it
writes differently and nothing else is ever renamed.

``write`` turns a body in the standard's names into the partner's; ``read``
does the reverse and refuses (4004, with the reason) a body that spells a
listed field the other profile's way, so a wrong profile is named at once
instead of surfacing as a missing money field.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from evroam.protocols.tcec_102.errors import PayloadError

MISSPELT_IN_STANDARD = (
    "SevicePrice",
    "SeviceMoney",
    "DetailSeviceMoney",
    "TotalSeviceMoney",
)
"""The four fields T/CEC 102.3 (2016) prints "Sevice" (tables 5, 11, 12, 13, 19)."""


class SpellingProfile(enum.StrEnum):
    """How a partner spells the fields the standard misspells."""

    STANDARD = "standard"  # as printed in T/CEC 102.3 (2016): "Sevice" x 4
    SERVICE = "service"  # the all-"Service" vendor profile

    @classmethod
    def parse(cls, value: str) -> SpellingProfile:
        """A profile by name; the older setting's values "Sevice"/"Service" too."""
        legacy = {"Sevice": cls.STANDARD, "Service": cls.SERVICE}
        if value in legacy:
            return legacy[value]
        return cls(value.lower())


# Standard name -> the profile's name, field by field (T/CEC 102.3 tables cited).
_RENAMES: Mapping[SpellingProfile, Mapping[str, str]] = {
    SpellingProfile.STANDARD: {},
    SpellingProfile.SERVICE: {
        "SevicePrice": "ServicePrice",  # table 5 PolicyInfo, table 13 ChargeDetail
        "SeviceMoney": "ServiceMoney",  # table 11 query_equip_charge_status
        "DetailSeviceMoney": "DetailServiceMoney",  # table 12 ChargeDetails
        "TotalSeviceMoney": "TotalServiceMoney",  # table 19 charge order
    },
}


def renames(profile: SpellingProfile) -> Mapping[str, str]:
    """The fields ``profile`` writes differently: standard name -> its name."""
    return _RENAMES[profile]


def write(body: Any, profile: SpellingProfile) -> Any:
    """``body`` (standard names) as ``profile`` spells it."""
    return _rename(body, _RENAMES[profile])


def read(body: Any, profile: SpellingProfile) -> Any:
    """``body`` as ``profile`` spells it, in the standard's names.

    ``PayloadError`` (4004) when it holds a listed field in a spelling the
    profile does not use: the partner's profile is set wrong.
    """
    expected = {theirs: ours for ours, theirs in _RENAMES[profile].items()}
    foreign = _foreign_names(profile)
    wrong = _first_key_in(body, foreign)
    if wrong is not None:
        raise PayloadError(
            f"字段拼写与配置不符: {wrong} (spelling profile {profile.value} "
            f"writes {foreign[wrong]})"
        )
    return _rename(body, expected)


def _foreign_names(profile: SpellingProfile) -> dict[str, str]:
    """Names other profiles use for a listed field -> what ``profile`` uses."""
    ours = _RENAMES[profile]
    foreign: dict[str, str] = {}
    for standard in MISSPELT_IN_STANDARD:
        mine = ours.get(standard, standard)
        for other in SpellingProfile:
            theirs = _RENAMES[other].get(standard, standard)
            if theirs != mine:
                foreign[theirs] = mine
    return foreign


def _first_key_in(body: Any, names: Mapping[str, str]) -> str | None:
    if isinstance(body, dict):
        for key, value in body.items():
            if key in names:
                return str(key)
            found = _first_key_in(value, names)
            if found is not None:
                return found
    elif isinstance(body, list):
        for item in body:
            found = _first_key_in(item, names)
            if found is not None:
                return found
    return None


def _rename(body: Any, names: Mapping[str, str]) -> Any:
    if not names:
        return body
    if isinstance(body, dict):
        return {names.get(k, k): _rename(v, names) for k, v in body.items()}
    if isinstance(body, list):
        return [_rename(item, names) for item in body]
    return body


__all__ = ["MISSPELT_IN_STANDARD", "SpellingProfile", "read", "renames", "write"]
