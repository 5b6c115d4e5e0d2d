"""StationInfo ``ParkFee``: free text in T/CEC 2016, read and written in one format.

T/CEC has no field for an idle fee (占位费), so the station's idle fee travels in
the same text. What we write (every part optional, joined by an ASCII comma)::

    免费停车                                 parking is free
    免费停车30分钟,超时5.00元/小时            30 free minutes, then 5.00 CNY/hour
    免费停车120分钟,超时3.00元/小时,每日封顶20.00元
    5.00元/小时                               no free period
    免费停车,充电结束15分钟后占位费0.50元/分钟,单次封顶30.00元
    5.00元/小时,充电结束后占位费0.25元/分钟    idle fee from the first minute

What we read: the same parts in any order, free time in 分钟 or 小时 (also
"2小时内免费"), fees per 小时/时/h; an idle fee as "[充电结束/完成[N分钟/小时]后]
[超时]占位费N元/分钟[,单次/每次封顶N元]" (a 封顶 right after the idle fee is its
cap). The idle part is cut out before the parking parts are read, so its cap is
never taken for the parking cap. Text we cannot read gives a free rule,
``is_understood`` False and the original text, so nothing a partner wrote is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from evroam.catalogue.model import ParkingRule
from evroam.pricing.tariff import IdleFee
from evroam.shared.money import FEN, Money, unit_price

FREE_TEXT = "免费停车"
_NUMBER = r"(\d+(?:\.\d+)?)"
_FREE_FOR = (
    re.compile(rf"免费(?:停车)?{_NUMBER}\s*(分钟|小时)", re.ASCII),
    re.compile(rf"{_NUMBER}\s*(分钟|小时)(?:以)?内免费", re.ASCII),
)
_FEE = re.compile(rf"{_NUMBER}\s*元\s*/\s*(?:小时|时|h)", re.ASCII | re.IGNORECASE)
_CAP = re.compile(rf"封顶\s*{_NUMBER}\s*元", re.ASCII)
_IDLE = re.compile(
    rf"(?:充电(?:结束|完成)\s*(?:{_NUMBER}\s*(分钟|小时)\s*)?后\s*)?"
    rf"(?:超时)?占位费?\s*[:\uff1a]?\s*{_NUMBER}\s*元\s*/\s*(?:分钟|分|min)"
    rf"(?:\s*[,\uff0c;\uff1b]?\s*(?:单次|每次)?封顶\s*{_NUMBER}\s*元)?",
    re.ASCII | re.IGNORECASE,
)
_SEPARATORS = ",\uff0c;\uff1b、 "  # ASCII and full-width , ; and 、


@dataclass(frozen=True, slots=True)
class ParkFee:
    """A parsed ``ParkFee``: the rule, whether we understood it, the text as sent,
    and the idle fee it states (None when it states none)."""

    rule: ParkingRule
    is_understood: bool
    text: str
    idle: IdleFee | None = None


def format_park_fee(rule: ParkingRule, idle: IdleFee | None = None) -> str:
    parts = [_parking_text(rule)]
    if idle is not None:
        after = f"{idle.grace_minutes}分钟后" if idle.grace_minutes else "后"
        parts.append(f"充电结束{after}占位费{_amount(idle.per_minute)}元/分钟")
        if idle.cap is not None:
            parts.append(f"单次封顶{_amount(idle.cap)}元")
    return ",".join(parts)


def _parking_text(rule: ParkingRule) -> str:
    if rule.is_free and rule.free_minutes == 0 and rule.daily_cap is None:
        return FREE_TEXT
    parts = []
    if rule.free_minutes:
        parts.append(f"{FREE_TEXT}{rule.free_minutes}分钟")
    fee = f"{rule.fee_per_hour.amount}元/小时"
    parts.append(f"超时{fee}" if rule.free_minutes else fee)
    if rule.daily_cap is not None:
        parts.append(f"每日封顶{rule.daily_cap.amount}元")
    return ",".join(parts)


def _amount(value: Decimal) -> str:
    """Two decimals like the parking amounts, more only when the value has them."""
    if value == value.quantize(FEN):
        return str(value.quantize(FEN))
    return format(value.normalize(), "f")


def parse_park_fee(text: str | None) -> ParkFee:
    """Read a ``ParkFee``; never raises (unreadable text gives a free rule)."""
    raw = text or ""
    idle_match = _IDLE.search(raw)
    idle = _idle_fee(idle_match) if idle_match else None
    rest = raw
    if idle_match is not None:
        rest = f"{raw[: idle_match.start()]},{raw[idle_match.end() :]}"
    free_for = next(filter(None, (p.search(rest) for p in _FREE_FOR)), None)
    fee = _FEE.search(rest)
    cap = _CAP.search(rest)
    if fee is None:
        rule = ParkingRule(_minutes(free_for), Money.zero())
        # Only an idle fee (nothing else said) is understood: parking is free.
        said = rest.strip(_SEPARATORS)
        is_understood = _is_plain_free(said) or (idle_match is not None and not said)
        return ParkFee(rule, is_understood, raw, idle)
    try:
        daily_cap = Money(Decimal(cap.group(1))) if cap else None
        rule = ParkingRule(_minutes(free_for), Money(Decimal(fee.group(1))), daily_cap)
    except ArithmeticError:  # a number too long to hold as money
        return ParkFee(ParkingRule(0, Money.zero()), False, raw, idle)
    return ParkFee(rule, True, raw, idle)


def _idle_fee(match: re.Match[str]) -> IdleFee | None:
    """None when the numbers make no idle fee (0 元/分钟, a cap of 0, a price
    too long to keep to four decimals)."""
    grace, unit, per_minute, cap = match.groups()
    minutes = Decimal(grace or 0) * (60 if unit == "小时" else 1)
    try:
        return IdleFee(
            grace_minutes=int(minutes),
            per_minute=unit_price(per_minute),
            cap=None if cap is None else Decimal(cap),
        )
    except (ValueError, ArithmeticError):
        return None


def _minutes(match: re.Match[str] | None) -> int:
    if match is None:
        return 0
    amount = Decimal(match.group(1))
    minutes = amount * 60 if match.group(2) == "小时" else amount
    return int(minutes)


def _is_plain_free(text: str) -> bool:
    return "免费" in text or text.strip() in {"0", "无", "不收费"}
