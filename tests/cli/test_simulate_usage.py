"""evroam simulate-usage --live speaks the hub's public API as a driver would."""

from __future__ import annotations

import json

import httpx

from evroam.cli.simulate_usage import HubDriver
from evroam.simulated_usage.drivers import DriverPlan

STATION = {"id": "rapidgrid-S000", "is_swap": False, "piles": {"free": 1}}
DETAIL = {
    "id": "rapidgrid-S000",
    "piles": {"free": 1, "busy": 1, "offline": 0, "unknown": 0, "total": 2},
    "piles_detail": [
        {"id": "rapidgrid-S000-E01", "category": "busy"},
        {"id": "rapidgrid-S000-E02", "category": "free"},
    ],
}


def hub(request: httpx.Request) -> httpx.Response:
    """Just enough of the hub: account set-up, search and station detail."""
    path = request.url.path
    answers = {
        "/api/v1/accounts": {"token": "evr_test"},
        "/api/v1/wallet/top-ups": {
            "confirm_url": "/api/v1/wallet/top-ups/sandbox/pi/confirm"
        },
        "/api/v1/stations": {"items": [STATION], "next_cursor": None},
        "/api/v1/stations/rapidgrid-S000": DETAIL,
    }
    return httpx.Response(200, content=json.dumps(answers.get(path, {})))


async def test_a_driver_takes_the_free_pile_of_a_station_not_the_busy_one():
    plan = DriverPlan(
        name="Sim",
        vin="LXMSU7A12R0000042",
        brand="Xiaomi",
        model="SU7",
        home=(31.2304, 121.4737),
        work=None,
        charges_per_week=2.0,
    )
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(hub), base_url="http://hub"
    ) as http:
        driver = HubDriver(http, plan)
        await driver.sign_up("200.00")
        assert await driver.free_pile_near(*plan.home) == "rapidgrid-S000-E02"
