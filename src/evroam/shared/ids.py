"""Typed identifiers that contexts use to refer to one another."""

from typing import NewType

OperatorId = NewType("OperatorId", str)
"""Short lower-case operator key, e.g. ``swapway``."""

StationId = NewType("StationId", str)
"""Hub-wide station id: ``<operator id>-<partner's station id>``."""

PileId = NewType("PileId", str)
"""Hub-wide pile (EVSE) id: ``<station id>-<partner's EVSE uid>``."""

TariffId = NewType("TariffId", str)

AccountId = NewType("AccountId", str)
"""A driver account: ``acc_<16 hex>``."""

SessionId = NewType("SessionId", str)
"""A charging session of the hub: 18 characters ``[0-9A-Z]`` (charging.remote)."""


def station_id_for(operator_id: str, external_station_id: str) -> StationId:
    """Build the hub's station id from the operator and the partner's own id."""
    return StationId(f"{operator_id}-{external_station_id}")


def pile_id_for(station_id: str, external_evse_uid: str) -> PileId:
    return PileId(f"{station_id}-{external_evse_uid}")
