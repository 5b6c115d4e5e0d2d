"""Real CPOs' location feeds, served as they were captured, onboarded by the hub.

Every Location is imported or refused with a per-object reason; a bad object
never drops the feed. The counts per feed are stated here (ADR 0028 lists the
quirks behind them).
"""

import json
from pathlib import Path

import pytest
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from evroam.protocols.ocpi_2_2_1.lenient import QUIRKS, Action, Defaults, read_locations
from evroam.shared.ids import OperatorId
from tests.adapters.ocpi.hub_harness import CPO_KEY, hub_and_cpo

FEEDS = Path(__file__).parents[2] / "fixtures" / "ocpi-real"
# feed file -> (imported, refused)
EXPECTED = {
    "ocpi_2_2_1_locations-ev24.json": (11, 0),
    "ocpi_2_2_1_locations-toger.json": (40, 4),
    "ocpi_2_2_1_locations-sitronics.json": (62, 3),
    "ocpi_2_2_locations-electricera.json": (3, 0),
    "ocpi_2_2_locations-evio.json": (21, 0),
    "ocpi_2_1_1_locations-fastned.json": (105, 1),
    "ocpi_2_1_1_locations-chargemap-nissan.json": (1, 0),
}
DEFAULTS = Defaults("CN", "SWP")


def feed(name: str):
    return json.loads((FEEDS / name).read_text())


def serving(body) -> APIRouter:
    """The CPO's Locations sender answering with the captured body, as is."""
    router = APIRouter()

    @router.get("/ocpi/cpo/2.2.1/locations")
    async def locations() -> JSONResponse:
        return JSONResponse(body)

    return router


@pytest.mark.parametrize(("name", "counts"), EXPECTED.items())
def test_every_location_is_imported_or_refused_with_a_reason(name, counts):
    body = feed(name)
    reading = read_locations(body, DEFAULTS)
    assert reading.counts == counts
    items = body["data"] if isinstance(body, dict) else body
    assert len(reading.locations) + len(reading.refused) == len(items)
    for location_id, reason in reading.refused:
        quirk = reason.split(":", 1)[0]
        assert quirk in {q.id for q in QUIRKS if q.action is Action.REFUSE}
        assert location_id
        assert reason.split(":", 1)[1].strip()


@pytest.mark.parametrize("name", [n for n in EXPECTED if n.startswith("ocpi_2_2")])
async def test_a_cpo_serving_the_feed_is_onboarded_with_what_can_be_read(
    tmp_path, name
):
    imported, refused = EXPECTED[name]
    body = feed(name)
    async with hub_and_cpo(tmp_path, first=lambda: serving(body)) as world:
        await world.onboard()
        services = world.services
        held = services.stations.external_station_ids(OperatorId(CPO_KEY))
        assert len(held) == imported
        health = services.partners.partner_health(OperatorId(CPO_KEY))
        if refused:
            assert health.feed.last_error.startswith(
                f"{refused} of {imported + refused} stations refused"
            )
        else:
            assert health.feed.last_error is None


def test_one_unreadable_object_never_drops_the_feed():
    body = feed("ocpi_2_2_locations-electricera.json")
    body["data"].insert(1, {"id": "BROKEN", "coordinates": "nowhere"})
    body["data"].insert(2, "not even an object")
    reading = read_locations(body, DEFAULTS)
    assert len(reading.locations) == 3
    assert [name for name, _ in reading.refused] == ["BROKEN", "#2"]


def test_quirks_are_coerced_with_a_warning_that_names_them():
    reading = read_locations(feed("ocpi_2_2_1_locations-ev24.json"), DEFAULTS)
    first = reading.locations[0]
    assert first.country == "POL"  # "Polska"
    assert first.party_id == "SWP"  # null in the feed: the partner's
    connector = first.evses[0].connectors[0]
    assert connector.format.value == "SOCKET"  # null, AC
    assert connector.max_electric_power == 22000  # 22 (kW) in the feed
    quirks = {w.split(":")[0] for _, w in reading.warnings}
    assert {"country-name", "party-missing", "format-missing"} <= quirks


def test_an_ocpi_2_1_1_file_imports_as_stations(tmp_path):
    """ADR 0028: 2.1.1 partners are imported from files, not pulled."""
    from evroam.gateways.ocpi.mapping import station_from_location

    reading = read_locations(feed("ocpi_2_1_1_locations-fastned.json"), DEFAULTS)
    stations = [station_from_location(x, "fastned", {}) for x in reading.locations]
    assert len(stations) == 105
    assert sum(len(s.piles) for s in stations) >= 250
    amsterdam = next(s for s in stations if s.external_id == "50106")
    assert amsterdam.time_zone == "Europe/Amsterdam"
    assert amsterdam.piles[0].max_power_kw == pytest.approx(50.0)
