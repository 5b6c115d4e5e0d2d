"""StationInfo ``ParkFee``: free text in T/CEC 2016, read and written in one format.

What we write (every part optional, joined by a full-width or ASCII comma)::

    免费停车                                 parking is free
    免费停车30分钟,超时5.00元/小时            30 free minutes, then 5.00 CNY/hour
    免费停车120分钟,超时3.00元/小时,每日封顶20.00元
    5.00元/小时                               no free period

What we read: the same parts in any order, free time in 分钟 or 小时 (also
"2小时内免费"), fees per 小时/时/h. Text we cannot read gives a free rule,
``is_understood`` False and the original text, so nothing a partner wrote is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from evroam.catalogue.model import ParkingRule
from evroam.shared.money import Money

FREE_TEXT = "免费停车"
_NUMBER = r"(\d+(?:\.\d+)?)"
_FREE_FOR = (
    re.compile(rf"免费(?:停车)?{_NUMBER}\s*(分钟|小时)", re.ASCII),
    re.compile(rf"{_NUMBER}\s*(分钟|小时)(?:以)?内免费", re.ASCII),
)
_FEE = re.compile(rf"{_NUMBER}\s*元\s*/\s*(?:小时|时|h)", re.ASCII | re.IGNORECASE)
_CAP = re.compile(rf"封顶\s*{_NUMBER}\s*元", re.ASCII)


@dataclass(frozen=True, slots=True)
class ParkFee:
    """A parsed ``ParkFee``: the rule, whether we understood it, the text as sent."""

    rule: ParkingRule
    is_understood: bool
    text: str


def format_park_fee(rule: ParkingRule) -> str:
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


def parse_park_fee(text: str | None) -> ParkFee:
    """Read a ``ParkFee``; never raises (unreadable text gives a free rule)."""
    raw = text or ""
    free_for = next(filter(None, (p.search(raw) for p in _FREE_FOR)), None)
    fee = _FEE.search(raw)
    cap = _CAP.search(raw)
    if fee is None:
        rule = ParkingRule(_minutes(free_for), Money.zero())
        return ParkFee(rule, _is_plain_free(raw), raw)
    daily_cap = Money(Decimal(cap.group(1))) if cap else None
    rule = ParkingRule(_minutes(free_for), Money(Decimal(fee.group(1))), daily_cap)
    return ParkFee(rule, True, raw)


def _minutes(match: re.Match[str] | None) -> int:
    if match is None:
        return 0
    amount = Decimal(match.group(1))
    minutes = amount * 60 if match.group(2) == "小时" else amount
    return int(minutes)


def _is_plain_free(text: str) -> bool:
    return "免费" in text or text.strip() in {"0", "无", "不收费"}
