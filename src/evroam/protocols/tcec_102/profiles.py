"""T/CEC 102 vendor spellings: which spelling of the fee fields a partner receives.

T/CEC 102 (2016) prints the fee fields as "Sevice" (``SevicePrice``,
``TotalSeviceMoney``); many operators write "Service". A partner's spelling is
a profile chosen per partner; ``respell`` writes a body in it.
"""

from __future__ import annotations

import enum
from typing import Any


class FeeSpelling(enum.StrEnum):
    """Which spelling of the fee fields a partner wants to receive."""

    STANDARD = "Sevice"  # as printed in T/CEC 102 (2016)
    SERVICE = "Service"  # as many operators write it


def respell(body: Any, spelling: FeeSpelling) -> Any:
    """``body`` with every "Sevice"/"Service" key written in ``spelling``."""
    if isinstance(body, dict):
        return {
            _respell_key(k, spelling): respell(v, spelling) for k, v in body.items()
        }
    if isinstance(body, list):
        return [respell(item, spelling) for item in body]
    return body


def _respell_key(key: str, spelling: FeeSpelling) -> str:
    for variant in FeeSpelling:
        if variant.value in key:
            return key.replace(variant.value, spelling.value)
    return key


__all__ = ["FeeSpelling", "respell"]
