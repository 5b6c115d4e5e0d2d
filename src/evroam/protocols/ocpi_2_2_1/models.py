"""OCPI 2.2.1 wire models (pydantic), field names exactly as in the specification.

Numbers are ``Decimal`` in Python and JSON numbers on the wire; DateTimes are
aware UTC (a partner's zone-less value is read as UTC, as the spec requires UTC).
Fields named ``evroam`` are our extension (docs/adr/0003-ocpi-tariff-split.md):
optional objects that other OCPI parties ignore as unknown properties.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import Field

from evroam.protocols.ocpi_2_2_1.datatypes import (
    AdditionalGeoLocation,
    BusinessDetails,
    DateTime,
    DisplayText,
    EnergyMix,
    GeoLocation,
    Hours,
    Image,
    LocalDate,
    LocalTime,
    Number,
    OcpiModel,
    Price,
    PublishTokenType,
    StatusSchedule,
)
from evroam.protocols.ocpi_2_2_1.enums import (
    AuthMethod,
    Capability,
    CdrDimensionType,
    ConnectorFormat,
    ConnectorType,
    DayOfWeek,
    InterfaceRole,
    ParkingType,
    PowerType,
    ReservationRestrictionType,
    Role,
    Status,
    TariffDimensionType,
    TariffType,
    TokenType,
)

# --- Locations module ----------------------------------------------------------


class ConnectorExtension(OcpiModel):
    """evroam extension: a standard OCPI has no value for (``swap``)."""

    standard: str


class Connector(OcpiModel):
    id: str
    standard: ConnectorType
    format: ConnectorFormat
    power_type: PowerType
    max_voltage: int
    max_amperage: int
    max_electric_power: int | None = None  # W
    tariff_ids: list[str] | None = None
    terms_and_conditions: str | None = None
    last_updated: DateTime
    evroam: ConnectorExtension | None = None


class EVSE(OcpiModel):
    uid: str
    evse_id: str | None = None
    status: Status
    status_schedule: list[StatusSchedule] | None = None
    capabilities: list[Capability] | None = None
    connectors: list[Connector] = Field(min_length=1)
    floor_level: str | None = None
    coordinates: GeoLocation | None = None
    physical_reference: str | None = None
    directions: list[DisplayText] | None = None
    parking_restrictions: list[str] | None = None
    images: list[Image] | None = None
    last_updated: DateTime


class SwapExtension(OcpiModel):
    batteries_in_stock: int
    queue_length: int
    swap_minutes: int


class LocationExtension(OcpiModel):
    """evroam extension: battery-swap state and free-form tags of a station, and
    its tariff when no connector can name it (a Location without EVSEs)."""

    swap: SwapExtension | None = None
    tags: list[str] | None = None
    tariff_id: str | None = None


class Location(OcpiModel):
    country_code: str = Field(min_length=2, max_length=2)
    party_id: str = Field(min_length=3, max_length=3)
    id: str = Field(max_length=36)
    publish: bool
    publish_allowed_to: list[PublishTokenType] | None = None
    name: str | None = None
    address: str
    city: str
    postal_code: str | None = None
    state: str | None = None
    country: str = Field(min_length=3, max_length=3)
    coordinates: GeoLocation
    related_locations: list[AdditionalGeoLocation] | None = None
    parking_type: ParkingType | None = None
    evses: list[EVSE] | None = None
    directions: list[DisplayText] | None = None
    operator: BusinessDetails | None = None
    suboperator: BusinessDetails | None = None
    owner: BusinessDetails | None = None
    facilities: list[str] | None = None
    time_zone: str
    opening_times: Hours | None = None
    charging_when_closed: bool | None = None
    images: list[Image] | None = None
    energy_mix: EnergyMix | None = None
    last_updated: DateTime
    evroam: LocationExtension | None = None


class PatchModel(OcpiModel):
    """A PATCH body: every field optional except ``last_updated`` (Locations
    module, PATCH method: "Any request to the PATCH method SHALL contain the
    last_updated field")."""

    last_updated: DateTime

    def changes(self) -> dict[str, Any]:
        """Only the fields the sender set, ``last_updated`` included."""
        return self.model_dump(exclude_unset=True)


class ConnectorPatch(PatchModel):
    standard: ConnectorType | None = None
    format: ConnectorFormat | None = None
    power_type: PowerType | None = None
    max_voltage: int | None = None
    max_amperage: int | None = None
    max_electric_power: int | None = None
    tariff_ids: list[str] | None = None
    terms_and_conditions: str | None = None


class EvsePatch(PatchModel):
    evse_id: str | None = None
    status: Status | None = None
    status_schedule: list[StatusSchedule] | None = None
    capabilities: list[Capability] | None = None
    connectors: list[Connector] | None = None
    floor_level: str | None = None
    coordinates: GeoLocation | None = None
    physical_reference: str | None = None


class LocationPatch(PatchModel):
    publish: bool | None = None
    name: str | None = None
    address: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None
    coordinates: GeoLocation | None = None
    parking_type: ParkingType | None = None
    evses: list[EVSE] | None = None
    operator: BusinessDetails | None = None
    facilities: list[str] | None = None
    time_zone: str | None = None
    opening_times: Hours | None = None


# --- Tariffs module ------------------------------------------------------------


class PriceComponent(OcpiModel):
    """``price`` excludes VAT; per kWh (ENERGY), session (FLAT) or hour (TIME,
    PARKING_TIME). ``step_size`` is in Wh for ENERGY and seconds for time."""

    type: TariffDimensionType
    price: Number
    vat: Number | None = None  # absent: no VAT applies (not the same as 0 %)
    step_size: int


class TariffRestrictions(OcpiModel):
    """``start_time``/``end_time`` are local "HH:MM"; end before start wraps
    past midnight. end_date, max_kwh and max_duration are exclusive."""

    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    start_date: LocalDate | None = None
    end_date: LocalDate | None = None
    min_kwh: Number | None = None
    max_kwh: Number | None = None
    min_current: Number | None = None
    max_current: Number | None = None
    min_power: Number | None = None
    max_power: Number | None = None
    min_duration: int | None = None  # seconds
    max_duration: int | None = None  # seconds
    day_of_week: list[DayOfWeek] | None = None
    reservation: ReservationRestrictionType | None = None


class ElementExtension(OcpiModel):
    """evroam extension of a TariffElement, see ADR 0003 and ADR 0022."""

    period: str | None = None  # time-of-use period kind: sharp, peak, flat, valley
    service_price: Number | None = None  # service-fee share of the ENERGY price
    months: list[int] | None = None  # months a window applies in (empty: all)
    daily_cap: Number | None = None  # cap of a day's parking fee
    is_idle_fee: bool | None = None  # this PARKING_TIME element is the idle fee
    idle_cap: Number | None = None  # cap of one session's idle fee
    free_minutes: int | None = None  # first PARKING_TIME minutes not billed


class TariffElement(OcpiModel):
    price_components: list[PriceComponent] = Field(min_length=1)
    restrictions: TariffRestrictions | None = None
    evroam: ElementExtension | None = None


class Tariff(OcpiModel):
    country_code: str = Field(min_length=2, max_length=2)
    party_id: str = Field(min_length=3, max_length=3)
    id: str = Field(max_length=36)
    currency: str = Field(min_length=3, max_length=3)
    type: TariffType | None = None
    tariff_alt_text: list[DisplayText] | None = None
    tariff_alt_url: str | None = None
    min_price: Price | None = None
    max_price: Price | None = None
    elements: list[TariffElement] = Field(min_length=1)
    start_date_time: DateTime | None = None
    end_date_time: DateTime | None = None
    energy_mix: EnergyMix | None = None
    last_updated: DateTime


# --- CDRs module (enough to read a CDR; billing lives elsewhere) ---------------


class CdrToken(OcpiModel):
    country_code: str
    party_id: str
    uid: str
    type: TokenType
    contract_id: str


class CdrLocation(OcpiModel):
    id: str
    name: str | None = None
    address: str
    city: str
    postal_code: str | None = None
    state: str | None = None
    country: str
    coordinates: GeoLocation
    evse_uid: str
    evse_id: str
    connector_id: str
    connector_standard: ConnectorType
    connector_format: ConnectorFormat
    connector_power_type: PowerType


class CdrDimension(OcpiModel):
    type: CdrDimensionType
    volume: Number


class ChargingPeriod(OcpiModel):
    start_date_time: DateTime
    dimensions: list[CdrDimension] = Field(min_length=1)
    tariff_id: str | None = None


class CDR(OcpiModel):
    """A charge detail record; never edited, corrected by a credit CDR."""

    country_code: str
    party_id: str
    id: str
    start_date_time: DateTime
    end_date_time: DateTime
    session_id: str | None = None
    cdr_token: CdrToken
    auth_method: AuthMethod
    authorization_reference: str | None = None
    cdr_location: CdrLocation
    meter_id: str | None = None
    currency: str
    tariffs: list[Tariff] | None = None
    charging_periods: list[ChargingPeriod] = Field(min_length=1)
    signed_data: dict[str, Any] | None = None
    total_cost: Price
    total_fixed_cost: Price | None = None
    total_energy: Number
    total_energy_cost: Price | None = None
    total_time: Number
    total_time_cost: Price | None = None
    total_parking_time: Number | None = None
    total_parking_cost: Price | None = None
    total_reservation_cost: Price | None = None
    remark: str | None = None
    invoice_reference_id: str | None = None
    credit: bool | None = None
    credit_reference_id: str | None = None
    home_charging_compensation: bool | None = None
    last_updated: DateTime


# --- Versions and Credentials modules ------------------------------------------


class Version(OcpiModel):
    version: str
    url: str


class Endpoint(OcpiModel):
    identifier: str
    role: InterfaceRole
    url: str


class VersionDetails(OcpiModel):
    version: str
    endpoints: list[Endpoint]


class CredentialsRole(OcpiModel):
    role: Role
    business_details: BusinessDetails
    party_id: str = Field(min_length=3, max_length=3)
    country_code: str = Field(min_length=2, max_length=2)


class Credentials(OcpiModel):
    """``token`` is the plain credentials token (not Base64) for the other party."""

    token: str = Field(min_length=1, max_length=64)
    url: str
    roles: list[CredentialsRole] = Field(min_length=1)


# --- Response format (Transport and format) ------------------------------------

T = TypeVar("T")


class OcpiResponse(OcpiModel, Generic[T]):
    data: T | None = None
    status_code: int
    status_message: str | None = None
    timestamp: DateTime


__all__ = [
    "CDR",
    "EVSE",
    "AdditionalGeoLocation",
    "BusinessDetails",
    "CdrDimension",
    "CdrLocation",
    "CdrToken",
    "ChargingPeriod",
    "Connector",
    "ConnectorExtension",
    "ConnectorPatch",
    "Credentials",
    "CredentialsRole",
    "DateTime",
    "DisplayText",
    "ElementExtension",
    "Endpoint",
    "EnergyMix",
    "EvsePatch",
    "GeoLocation",
    "Hours",
    "Image",
    "Location",
    "LocationExtension",
    "LocationPatch",
    "Number",
    "OcpiModel",
    "OcpiResponse",
    "PatchModel",
    "Price",
    "PriceComponent",
    "PublishTokenType",
    "StatusSchedule",
    "SwapExtension",
    "Tariff",
    "TariffElement",
    "TariffRestrictions",
    "Version",
    "VersionDetails",
]
