"""When a session has done what the driver asked: energy, state of charge or money."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from evroam.charging.errors import InvalidSessionRequestError
from evroam.charging.model import ChargingSession
from evroam.shared.money import Money

MAX_TARGET_KWH = Decimal(200)


@dataclass(frozen=True, slots=True)
class ChargeTarget:
    """Stop at the first of these that is reached (none: the driver stops)."""

    kwh: Decimal | None = None
    soc_percent: Decimal | None = None
    amount: Money | None = None

    def __post_init__(self) -> None:
        if self.kwh is not None and not (
            self.kwh.is_finite() and 0 < self.kwh <= MAX_TARGET_KWH
        ):
            raise InvalidSessionRequestError(
                "target_kwh", f"must be more than 0 and at most {MAX_TARGET_KWH}"
            )
        if self.soc_percent is not None and not (
            self.soc_percent.is_finite() and 0 < self.soc_percent <= 100
        ):
            raise InvalidSessionRequestError("target_soc", "must be in (0, 100]")
        if self.amount is not None and self.amount.amount <= 0:
            raise InvalidSessionRequestError("target_amount", "must be more than 0")

    def fingerprint(self) -> dict[str, str | None]:
        return {
            "target_kwh": None if self.kwh is None else str(self.kwh),
            "target_soc": None if self.soc_percent is None else str(self.soc_percent),
            "target_amount": None if self.amount is None else str(self.amount.amount),
        }


def is_reached(session: ChargingSession) -> bool:
    """Whether live progress has met any of the session's targets.

    The protocols carry no target to the partner, so the hub watches progress
    and sends the stop itself.
    """
    if session.target_kwh is not None and session.kwh >= session.target_kwh:
        return True
    soc = session.soc
    if session.target_soc is not None and soc is not None and soc >= session.target_soc:
        return True
    cost = session.cost_so_far
    return (
        session.target_amount is not None
        and cost is not None
        and cost.amount >= session.target_amount.amount
    )
