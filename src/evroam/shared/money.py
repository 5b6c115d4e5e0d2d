"""Money in CNY: Decimal amounts, integer fen at rest, one rounding rule.

Rounding point: a bill line is rounded half up to the fen (0.01) once, when it
is turned into ``Money``; unit prices keep four decimal places.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
UNIT_PRICE_PLACES = Decimal("0.0001")
DEFAULT_CURRENCY = "CNY"


def _exact(value: Decimal | str | int) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money and prices are never floats: pass a Decimal or a str")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite amount")
    return number


def unit_price(value: Decimal | str | int) -> Decimal:
    """A price per unit (kWh, hour, minute) kept to four decimal places."""
    return _exact(value).quantize(UNIT_PRICE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of money, always a whole number of fen."""

    amount: Decimal
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount must be a Decimal, never a float")
        if not self.amount.is_finite():
            raise ValueError(f"{self.amount} is not a finite amount")
        rounded = self.amount.quantize(FEN, rounding=ROUND_HALF_UP)
        object.__setattr__(self, "amount", rounded)

    @classmethod
    def of(cls, value: Decimal | str | int, currency: str = DEFAULT_CURRENCY) -> Money:
        return cls(_exact(value), currency)

    @classmethod
    def from_fen(cls, fen: int, currency: str = DEFAULT_CURRENCY) -> Money:
        return cls(Decimal(fen) / 100, currency)

    @classmethod
    def zero(cls, currency: str = DEFAULT_CURRENCY) -> Money:
        return cls(Decimal(0), currency)

    @property
    def fen(self) -> int:
        return int(self.amount * 100)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
