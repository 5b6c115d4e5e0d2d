"""The simulated operator's own words for a pile's status on each protocol.

The simulator's piles carry the scenario's status names (``available``,
``occupied`` ...). These tables say how the operator's platform writes each on
the wire, written from the specs rather than borrowed from the hub's gateways
(ADR 0038): OCPI 2.2.1 EVSE ``Status`` (8.4.22) and T/CEC 102 connector
``Status`` codes (0 offline, 1 free, 2 plugged in, 3 charging, 4 reserved,
255 faulted).
"""

from __future__ import annotations

from evroam.protocols.ocpi_2_2_1.enums import Status

_OCPI = {
    "available": Status.AVAILABLE,
    "occupied": Status.BLOCKED,  # a car in the bay, not charging
    "charging": Status.CHARGING,
    "reserved": Status.RESERVED,
    "offline": Status.INOPERATIVE,
    "faulted": Status.OUTOFORDER,
    "unknown": Status.UNKNOWN,
}
_TCEC = {
    "offline": 0,
    "available": 1,
    "occupied": 2,
    "charging": 3,
    "reserved": 4,
    "faulted": 255,
}


def ocpi_status(status: str) -> Status:
    """The OCPI EVSE status the operator sends for a pile in ``status``."""
    return _OCPI[str(status)]


def tcec_code(status: str) -> int:
    """The T/CEC connector status code; ``unknown`` has none: sent as 0 (offline)."""
    return _TCEC.get(str(status), 0)
