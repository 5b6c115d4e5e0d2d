"""Reading real CPOs' Locations as they are: one table of known quirks.

Sending is always strict; receiving meets feeds that bend the spec. Each quirk
in ``QUIRKS`` is either coerced with a warning or makes us refuse the object it
is in (an EVSE or connector is left out; a Location without what a map needs
is refused). Every Location of a feed ends up imported or refused with a
reason; one bad object never drops the feed (Transport and format, GET: a
client "should at least process the correct OCPI objects"). OCPI 2.1.1
Locations (``voltage``/``amperage``, ``tariff_id``, no ``publish`` or party
ids) are read by the same table (ADR 0028).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from babel import Locale
from babel.core import get_global
from pydantic import ValidationError

from evroam.protocols.ocpi_2_2_1.enums import ConnectorFormat, PowerType, Status
from evroam.protocols.ocpi_2_2_1.models import EVSE, Connector, Location


class Action(enum.StrEnum):
    COERCE = "coerce with a warning"
    REFUSE = "refuse the object"


@dataclass(frozen=True, slots=True)
class Quirk:
    id: str
    seen_in: str
    action: Action
    rule: str


QUIRKS: tuple[Quirk, ...] = (
    Quirk(
        "bare-array",
        "EVIO (PT)",
        Action.COERCE,
        "a list of Locations without the response envelope: read as the data",
    ),
    Quirk(
        "status-code-text",
        "Sitronics (RU/AM)",
        Action.COERCE,
        'envelope status_code "Success" (text, not 1000) with a data list: success',
    ),
    Quirk(
        "country-name",
        'EV24 (PL: "Polska")',
        Action.COERCE,
        "country is a name, not ISO 3166 alpha-3: the code of that name, else "
        "of country_code",
    ),
    Quirk(
        "country-missing",
        "EVIO (PT)",
        Action.COERCE,
        "no country: alpha-3 of country_code",
    ),
    Quirk(
        "party-missing",
        "EV24 (PL), Fastned (2.1.1)",
        Action.COERCE,
        "no party_id/country_code: the partner's, from the credentials handshake",
    ),
    Quirk(
        "publish-missing",
        "Fastned (2.1.1)",
        Action.COERCE,
        "no publish (2.1.1 has none): true",
    ),
    Quirk(
        "time-zone-missing",
        "Toger (TR)",
        Action.COERCE,
        "no time_zone: the country's zone when it has only one (else refused)",
    ),
    Quirk(
        "coordinates-numbers",
        "EVIO (PT)",
        Action.COERCE,
        "latitude/longitude as JSON numbers: their decimal text",
    ),
    Quirk(
        "coordinates-spaces",
        "Toger (TR)",
        Action.COERCE,
        "latitude/longitude with spaces around: stripped",
    ),
    Quirk(
        "coordinates-unusable",
        "Toger (TR: empty strings)",
        Action.REFUSE,
        "no usable latitude/longitude: the Location is refused",
    ),
    Quirk(
        "evse-id-missing",
        "Sitronics (RU/AM)",
        Action.REFUSE,
        "EVSE uid or connector id null: that EVSE/connector is left out",
    ),
    Quirk(
        "evse-last-updated-missing",
        "Zepto-like 2.2 feeds",
        Action.COERCE,
        "EVSE/connector without last_updated: the Location's",
    ),
    Quirk("evse-status-missing", "-", Action.COERCE, "EVSE without status: UNKNOWN"),
    Quirk(
        "voltage-amperage-211",
        "Fastned (2.1.1), Toger, Zepto-like 2.2 feeds",
        Action.COERCE,
        "connector voltage/amperage (2.1.1 names): max_voltage/max_amperage",
    ),
    Quirk(
        "kilowatts-as-voltage",
        "Toger (TR: voltage 22, amperage 0)",
        Action.COERCE,
        "voltage under 100 with no amperage: that many kW "
        "(max_electric_power), nominal 230/400/500 V",
    ),
    Quirk(
        "kilowatts-as-watts",
        "EV24 (PL: max_electric_power 22)",
        Action.COERCE,
        "max_electric_power under 1000: kW, times 1000",
    ),
    Quirk(
        "max-power-null",
        "Toger, EVIO",
        Action.COERCE,
        "max_electric_power null: voltage x amperage (x phases)",
    ),
    Quirk(
        "format-missing",
        "EV24 (PL)",
        Action.COERCE,
        "connector format null: CABLE for DC, SOCKET for AC",
    ),
    Quirk(
        "tariff-id-211",
        "Fastned (2.1.1)",
        Action.COERCE,
        "connector tariff_id (2.1.1): tariff_ids [it]",
    ),
    Quirk(
        "connectors-missing",
        "Toger (TR)",
        Action.REFUSE,
        "EVSE without connectors: the EVSE is left out",
    ),
    Quirk(
        "connector-unreadable",
        "-",
        Action.REFUSE,
        "a connector that still breaks the model (unknown standard, no power): "
        "left out",
    ),
    Quirk(
        "no-usable-evse",
        "-",
        Action.REFUSE,
        "EVSEs listed but none usable: the Location is refused",
    ),
    Quirk(
        "location-unreadable",
        "-",
        Action.REFUSE,
        "a Location that still breaks the model: refused with the fields named",
    ),
)
_BY_ID = {q.id: q for q in QUIRKS}


@dataclass(frozen=True, slots=True)
class Defaults:
    """What the partner told us in the credentials handshake."""

    country_code: str
    party_id: str


@dataclass
class FeedReading:
    """A feed read: Locations to import, refusals and warnings, by object id."""

    locations: list[Location] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def counts(self) -> tuple[int, int]:
        return len(self.locations), len(self.refused)


class LocationRefusedError(ValueError):
    pass


Warn = Callable[[str, str], None]


_SUCCESS_WORDS = {"success", "ok", "1000"}


def is_lenient_success(body: Any) -> bool:
    """A page we read though it is not a strict OCPI success: a bare array, or
    an envelope whose ``status_code`` is a word of success."""
    if isinstance(body, list):
        return True
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        return False
    code = body.get("status_code")
    return isinstance(code, str) and code.strip().lower() in _SUCCESS_WORDS


def feed_items(body: Any, warn: Warn) -> list[Any]:
    """A feed's Location objects: the envelope's data, or a bare array."""
    if isinstance(body, list):
        warn("bare-array", "no response envelope")
        return body
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        if isinstance(body.get("status_code"), str):
            warn("status-code-text", f"status_code {body['status_code']!r}")
        return list(body["data"])
    raise ValueError("neither an OCPI response with a list nor a list")


def read_locations(body: Any, defaults: Defaults) -> FeedReading:
    """Every Location of a feed body, imported or refused with its reason."""
    reading = FeedReading()
    items = feed_items(body, lambda q, _d: reading.warnings.append(("(feed)", q)))
    for index, raw in enumerate(items):
        name = _name_of(raw, index)

        def warn(quirk: str, detail: str, name: str = name) -> None:
            reading.warnings.append((name, f"{quirk}: {detail}"))

        try:
            reading.locations.append(read_location(raw, defaults, warn))
        except LocationRefusedError as exc:
            reading.refused.append((name, str(exc)))
    return reading


def read_location(raw: Any, defaults: Defaults, warn: Warn) -> Location:
    """One Location, quirks coerced (``warn`` hears each), or LocationRefusedError."""
    if not isinstance(raw, dict):
        raise LocationRefusedError("location-unreadable: not a JSON object")
    dropped: list[str] = []

    def note(quirk: str, detail: str) -> None:
        warn(quirk, detail)
        if _BY_ID[quirk].action is Action.REFUSE:
            dropped.append(f"{quirk}: {detail}")

    data = dict(raw)
    _parties(data, defaults, warn)
    _country(data, warn)
    _coordinates(data, warn)
    _time_zone(data, warn)
    if "publish" not in data:
        warn("publish-missing", "publish: true")
        data["publish"] = True
    evses = data.get("evses")
    if evses:
        kept = [e for e in (_evse(e, data, note) for e in evses) if e is not None]
        if not kept:
            why = "; ".join(dropped[:3])
            raise LocationRefusedError(
                f"no-usable-evse: none of {len(evses)} EVSEs usable ({why})"
            )
        data["evses"] = kept
    try:
        return Location.model_validate(data)
    except ValidationError as exc:
        raise LocationRefusedError(f"location-unreadable: {_fields(exc)}") from exc


def _name_of(raw: Any, index: int) -> str:
    if isinstance(raw, dict) and raw.get("id") is not None:
        return str(raw["id"])
    return f"#{index}"


def _fields(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:3]
    )


def _parties(data: dict[str, Any], defaults: Defaults, warn: Warn) -> None:
    for key, value in (
        ("country_code", defaults.country_code),
        ("party_id", defaults.party_id),
    ):
        if not isinstance(data.get(key), str) or not data[key]:
            warn("party-missing", f"{key}: {value} (the partner's)")
            data[key] = value


_ALPHA3 = {
    k: v[0]
    for k, v in get_global("territory_aliases").items()
    if len(k) == 3 and k.isalpha() and len(v) == 1
}
_TO_ALPHA3 = {two: three for three, two in _ALPHA3.items()}


def _alpha3_of_name(name: str) -> str | None:
    """The alpha-3 code of a country name in any locale we know (``Polska``)."""
    wanted = name.strip().casefold()
    for language in ("en", "pl", "tr", "pt", "ru", "hy", "de", "fr", "nl", "zh"):
        for code, text in Locale(language).territories.items():
            if text.casefold() == wanted and code in _TO_ALPHA3:
                return _TO_ALPHA3[code]
    return None


def _country(data: dict[str, Any], warn: Warn) -> None:
    country = data.get("country")
    from_code = _TO_ALPHA3.get(str(data.get("country_code", "")).upper())
    if isinstance(country, str) and country.upper() in _ALPHA3:
        data["country"] = country.upper()
        return
    if isinstance(country, str) and country.strip():
        code = _alpha3_of_name(country) or from_code
        warn("country-name", f"{country!r} read as {code}")
        data["country"] = code
        return
    warn("country-missing", f"country: {from_code}")
    data["country"] = from_code


_DECIMAL = re.compile(r"^-?[0-9]{1,3}(\.[0-9]+)?$")


def _coordinates(data: dict[str, Any], warn: Warn) -> None:
    point = data.get("coordinates")
    if not isinstance(point, dict):
        raise LocationRefusedError("coordinates-unusable: no coordinates")
    fixed: dict[str, str] = {}
    for axis, limit in (("latitude", 90), ("longitude", 180)):
        value = point.get(axis)
        if isinstance(value, int | float) and not isinstance(value, bool):
            warn("coordinates-numbers", f"{axis} {value} as text")
            value = repr(float(value))
        if isinstance(value, str) and value != value.strip():
            warn("coordinates-spaces", f"{axis} {value!r} stripped")
            value = value.strip()
        if not isinstance(value, str) or not _DECIMAL.match(value):
            bad = point.get(axis)
            raise LocationRefusedError(f"coordinates-unusable: {axis} {bad!r}")
        if abs(float(value)) > limit:
            raise LocationRefusedError(
                f"coordinates-unusable: {axis} {value} out of range"
            )
        fixed[axis] = value
    data["coordinates"] = {**point, **fixed}


def _time_zone(data: dict[str, Any], warn: Warn) -> None:
    if isinstance(data.get("time_zone"), str) and data["time_zone"]:
        return
    alpha2 = _ALPHA3.get(str(data.get("country", "")))
    zones = get_global("territory_zones").get(alpha2 or "", [])
    if len(zones) != 1:
        raise LocationRefusedError(
            f"time-zone-missing: no time_zone and {data.get('country')} has "
            f"{len(zones)} zones"
        )
    warn("time-zone-missing", f"time_zone: {zones[0]}")
    data["time_zone"] = zones[0]


def _evse(raw: Any, location: dict[str, Any], warn: Warn) -> dict[str, Any] | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("uid"), str):
        warn("evse-id-missing", "an EVSE without uid left out")
        return None
    evse = dict(raw)
    where = f"EVSE {evse['uid']}"
    updated = location.get("last_updated")
    if not evse.get("last_updated"):
        warn("evse-last-updated-missing", f"{where}: the Location's")
        evse["last_updated"] = updated
    if not evse.get("status"):
        warn("evse-status-missing", f"{where}: UNKNOWN")
        evse["status"] = Status.UNKNOWN.value
    connectors = [
        c
        for c in (_connector(c, evse, warn) for c in evse.get("connectors") or ())
        if c is not None
    ]
    if not connectors:
        warn("connectors-missing", f"{where} has no usable connector: left out")
        return None
    evse["connectors"] = connectors
    try:
        EVSE.model_validate(evse)
    except ValidationError as exc:
        warn("connector-unreadable", f"{where} left out: {_fields(exc)}")
        return None
    return evse


_NOMINAL_V = {PowerType.DC: 500, PowerType.AC_3_PHASE: 400}
_PHASES = {PowerType.AC_3_PHASE: 3, PowerType.AC_2_PHASE: 2}


def _connector(raw: Any, evse: dict[str, Any], warn: Warn) -> dict[str, Any] | None:
    if not isinstance(raw, dict) or raw.get("id") is None:
        warn("evse-id-missing", f"a connector of EVSE {evse['uid']} without id")
        return None
    c = dict(raw)
    c["id"] = str(c["id"])
    where = f"connector {evse['uid']}/{c['id']}"
    if not c.get("last_updated"):
        warn("evse-last-updated-missing", f"{where}: the EVSE's")
        c["last_updated"] = evse.get("last_updated")
    _electrics(c, where, warn)
    if not c.get("format"):
        is_dc = c.get("power_type") == PowerType.DC
        fmt = ConnectorFormat.CABLE if is_dc else ConnectorFormat.SOCKET
        warn("format-missing", f"{where}: {fmt}")
        c["format"] = fmt.value
    if "tariff_id" in c and not c.get("tariff_ids"):
        warn("tariff-id-211", f"{where}: tariff_ids [{c['tariff_id']}]")
        c["tariff_ids"] = [c.pop("tariff_id")]
    try:
        Connector.model_validate(c)
    except ValidationError as exc:
        warn("connector-unreadable", f"{where} left out: {_fields(exc)}")
        return None
    return c


def _electrics(c: dict[str, Any], where: str, warn: Warn) -> None:
    for old, new in (("voltage", "max_voltage"), ("amperage", "max_amperage")):
        if new not in c and old in c:
            warn("voltage-amperage-211", f"{where}: {old} as {new}")
            c[new] = c.pop(old)
    volts, amps = c.get("max_voltage"), c.get("max_amperage")
    kind = c.get("power_type")
    power_type = PowerType(str(kind)) if _known(kind) else PowerType.AC_1_PHASE
    if isinstance(volts, int | float) and 0 < volts < 100 and not amps:
        nominal = _NOMINAL_V.get(power_type, 230)
        phases = _PHASES.get(power_type, 1)
        watts = int(volts * 1000)
        warn("kilowatts-as-voltage", f"{where}: {volts} kW at {nominal} V")
        c["max_voltage"], c["max_electric_power"] = nominal, watts
        c["max_amperage"] = max(1, round(watts / (nominal * phases)))
    power = c.get("max_electric_power")
    if isinstance(power, int | float) and 0 < power < 1000:
        warn("kilowatts-as-watts", f"{where}: {power} kW")
        c["max_electric_power"] = int(power * 1000)
    elif power is None and "max_electric_power" in c:
        warn("max-power-null", f"{where}: from voltage x amperage")
        del c["max_electric_power"]


def _known(power_type: Any) -> bool:
    return power_type in {p.value for p in PowerType}


def quirk_table() -> Iterable[tuple[str, str, str, str]]:
    """(id, seen in, action, rule) rows, as docs/adr/0028 prints them."""
    return ((q.id, q.seen_in, q.action.value, q.rule) for q in QUIRKS)


__all__ = [
    "QUIRKS",
    "Action",
    "Defaults",
    "FeedReading",
    "LocationRefusedError",
    "Quirk",
    "feed_items",
    "is_lenient_success",
    "quirk_table",
    "read_location",
    "read_locations",
]
