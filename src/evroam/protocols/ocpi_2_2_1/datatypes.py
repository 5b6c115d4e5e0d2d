"""OCPI 2.2.1 data types shared by several modules (Types, Locations module classes)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer

from evroam.protocols.ocpi_2_2_1.enums import Status


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def utc_or_none(value: datetime | None) -> datetime | None:
    """A query's DateTime as aware UTC (a zone-less one is UTC, as OCPI says)."""
    return None if value is None else _as_utc(value)


def format_datetime(value: datetime) -> str:
    """Types, DateTime: string(25), RFC 3339 in UTC with a ``Z``; milliseconds
    only when there are any (``2015-06-29T20:39:09Z``,
    ``2015-06-29T20:39:09.123Z``: 24 characters at most)."""
    utc = _as_utc(value)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    millis = utc.microsecond // 1000
    return f"{text}.{millis:03d}Z" if millis else f"{text}Z"


def _as_json_number(value: Decimal) -> int | float:
    return (
        int(value)
        if value == value.to_integral_value() and "." not in str(value)
        else float(value)
    )


DateTime = Annotated[
    datetime,
    AfterValidator(_as_utc),
    PlainSerializer(format_datetime, return_type=str, when_used="json"),
]
Number = Annotated[
    Decimal, PlainSerializer(_as_json_number, return_type=float, when_used="json")
]
Latitude = Annotated[str, Field(pattern=r"^-?[0-9]{1,2}(\.[0-9]+)?$")]
Longitude = Annotated[str, Field(pattern=r"^-?[0-9]{1,3}(\.[0-9]+)?$")]
LocalTime = Annotated[str, Field(pattern=r"^([0-1][0-9]|2[0-3]):[0-5][0-9]$")]
LocalDate = Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]


class OcpiModel(BaseModel):
    """Base of every wire model: unknown properties are ignored, as OCPI asks."""

    model_config = ConfigDict(extra="ignore", frozen=True)


# --- shared classes (Types and Locations module) -------------------------------


class DisplayText(OcpiModel):
    language: str
    text: str


class Price(OcpiModel):
    excl_vat: Number
    incl_vat: Number | None = None


class GeoLocation(OcpiModel):
    """Decimal degrees as strings, as the spec requires (never floats)."""

    latitude: Latitude
    longitude: Longitude


class AdditionalGeoLocation(GeoLocation):
    name: DisplayText | None = None


class Image(OcpiModel):
    url: str
    thumbnail: str | None = None
    category: str
    type: str
    width: int | None = None
    height: int | None = None


class BusinessDetails(OcpiModel):
    name: str
    website: str | None = None
    logo: Image | None = None


class RegularHours(OcpiModel):
    weekday: int = Field(ge=1, le=7)
    period_begin: LocalTime
    period_end: LocalTime


class ExceptionalPeriod(OcpiModel):
    period_begin: DateTime
    period_end: DateTime


class Hours(OcpiModel):
    twentyfourseven: bool
    regular_hours: list[RegularHours] | None = None
    exceptional_openings: list[ExceptionalPeriod] | None = None
    exceptional_closings: list[ExceptionalPeriod] | None = None


class EnergySource(OcpiModel):
    source: str
    percentage: Number


class EnvironmentalImpact(OcpiModel):
    category: str
    amount: Number


class EnergyMix(OcpiModel):
    is_green_energy: bool
    energy_sources: list[EnergySource] | None = None
    environ_impact: list[EnvironmentalImpact] | None = None
    supplier_name: str | None = None
    energy_product_name: str | None = None


class StatusSchedule(OcpiModel):
    period_begin: DateTime
    period_end: DateTime | None = None
    status: Status


class PublishTokenType(OcpiModel):
    uid: str | None = None
    type: str | None = None
    visual_number: str | None = None
    issuer: str | None = None
    group_id: str | None = None
