"""T/CEC wire time: ``yyyyMMddHHmmss`` and ``HHmmss`` in China Standard Time.

T/CEC 102 (2016) never states a zone; every implementation in China writes
Beijing local time, so we read and write ``Asia/Shanghai`` and keep aware UTC
datetimes everywhere else.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from evroam.protocols.tcec_102.errors import ParameterError

WIRE_ZONE = ZoneInfo("Asia/Shanghai")
_STAMP = re.compile(r"[0-9]{14}")
_SEQ = re.compile(r"[0-9]{4}")
_HHMMSS = re.compile(r"([01][0-9]|2[0-3])([0-5][0-9])([0-5][0-9])")


def format_timestamp(moment: datetime) -> str:
    """An aware datetime as the envelope's ``TimeStamp`` (Beijing time)."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    return moment.astimezone(WIRE_ZONE).strftime("%Y%m%d%H%M%S")


def parse_timestamp(text: str) -> datetime:
    """A ``TimeStamp`` as aware UTC; raises ``ParameterError`` (4003) if malformed."""
    if not _STAMP.fullmatch(text):
        raise ParameterError("TimeStamp格式错误")
    try:
        local = datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=WIRE_ZONE)
    except ValueError as exc:
        raise ParameterError("TimeStamp格式错误") from exc
    return local.astimezone(UTC)


def format_query_time(moment: datetime) -> str:
    """``LastQueryTime``: ``yyyy-MM-dd HH:mm:ss`` in Beijing time."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    return moment.astimezone(WIRE_ZONE).strftime("%Y-%m-%d %H:%M:%S")


def parse_query_time(text: str) -> datetime:
    try:
        local = datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=WIRE_ZONE)
    except ValueError as exc:
        raise ParameterError("LastQueryTime格式错误") from exc
    return local.astimezone(UTC)


def is_valid_seq(seq: str) -> bool:
    """``Seq`` is four digits, 0001 to 9999."""
    return bool(_SEQ.fullmatch(seq)) and seq != "0000"


def format_hhmmss(moment: time) -> str:
    return moment.strftime("%H%M%S")


def parse_hhmmss(text: str) -> time:
    """A PolicyInfo ``StartTime``; raises ``ParameterError`` if malformed."""
    match = _HHMMSS.fullmatch(text)
    if match is None:
        raise ParameterError("StartTime格式错误")
    hour, minute, second = (int(part) for part in match.groups())
    return time(hour, minute, second)


def format_status_time(moment: datetime) -> str:
    """``StatusTime`` (evroam extension): ``yyyy-MM-dd HH:mm:ss.SSS`` Beijing time."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    local = moment.astimezone(WIRE_ZONE)
    return local.strftime("%Y-%m-%d %H:%M:%S.") + f"{local.microsecond // 1000:03d}"


def parse_status_time(text: str) -> datetime:
    """A ``StatusTime`` with or without milliseconds, as aware UTC (4003 if bad)."""
    for pattern in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            local = datetime.strptime(text, pattern).replace(tzinfo=WIRE_ZONE)
        except ValueError:
            continue
        return local.astimezone(UTC)
    raise ParameterError("StatusTime格式错误")
