"""Fakes and builders for the OCPI adapter tests: clock, receiver, CPO source, apps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from evroam.protocols.ocpi_2_2_1.client import OcpiClient
from evroam.protocols.ocpi_2_2_1.endpoint import build_cpo_router, build_emsp_router
from evroam.protocols.ocpi_2_2_1.enums import Role
from evroam.protocols.ocpi_2_2_1.errors import UnknownLocationError
from evroam.protocols.ocpi_2_2_1.models import (
    EVSE,
    BusinessDetails,
    Connector,
    ConnectorPatch,
    CredentialsRole,
    EvsePatch,
    GeoLocation,
    Location,
    LocationPatch,
    Tariff,
)
from evroam.protocols.ocpi_2_2_1.server import ServerConfig
from evroam.protocols.ocpi_2_2_1.tokens import InMemoryTokenStore
from tests.asgi_network import HostRouter

T0 = datetime(2024, 11, 1, 8, 0, tzinfo=UTC)
HUB_URL = "http://hub.test"
CPO_URL = "http://cpo.test"
CPO_VERSIONS = f"{CPO_URL}/ocpi/cpo/versions"
HUB_VERSIONS = f"{HUB_URL}/ocpi/versions"


class FixedClock:
    def __init__(self, now: datetime = T0) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


def a_role(role: Role, party_id: str, name: str) -> CredentialsRole:
    return CredentialsRole(
        role=role,
        business_details=BusinessDetails(name=name),
        party_id=party_id,
        country_code="CN",
    )


HUB_ROLE = a_role(Role.EMSP, "EVR", "evroam hub")
CPO_ROLE = a_role(Role.CPO, "SWP", "Swapway")


def a_location(location_id: str = "LOC1", *, minutes: int = 0) -> Location:
    updated = T0 + timedelta(minutes=minutes)
    return Location(
        country_code="CN",
        party_id="SWP",
        id=location_id,
        publish=True,
        name=f"Station {location_id}",
        address="1 Century Avenue",
        city="Shanghai",
        country="CHN",
        coordinates=GeoLocation(latitude="31.2304000", longitude="121.4737000"),
        evses=[
            EVSE(
                uid="E1",
                status="AVAILABLE",
                connectors=[
                    Connector(
                        id="1",
                        standard="GBT_DC",
                        format="CABLE",
                        power_type="DC",
                        max_voltage=750,
                        max_amperage=160,
                        max_electric_power=120000,
                        tariff_ids=["T1"],
                        last_updated=updated,
                    )
                ],
                last_updated=updated,
            )
        ],
        time_zone="Asia/Shanghai",
        last_updated=updated,
    )


@dataclass
class InMemoryLocationReceiver:
    """The hub's side of Location pushes, kept in a dict per operator key."""

    locations: dict[tuple[str, str], Location] = field(default_factory=dict)
    patches: list[tuple[str, str, str, EvsePatch]] = field(default_factory=list)

    async def on_location(self, operator_key: str, location: Location) -> None:
        self.locations[(operator_key, location.id)] = location

    def _get(self, operator_key: str, location_id: str) -> Location:
        found = self.locations.get((operator_key, location_id))
        if found is None:
            raise UnknownLocationError(f"no location {location_id!r}")
        return found

    async def on_evse(self, operator_key: str, location_id: str, evse: EVSE) -> None:
        location = self._get(operator_key, location_id)
        others = [e for e in location.evses or () if e.uid != evse.uid]
        updated = location.model_copy(update={"evses": [*others, evse]})
        self.locations[(operator_key, location_id)] = updated

    async def on_connector(
        self, operator_key: str, location_id: str, evse_uid: str, connector: Connector
    ) -> None:
        self._get(operator_key, location_id)

    async def on_location_patch(
        self, operator_key: str, location_id: str, patch: LocationPatch
    ) -> None:
        location = self._get(operator_key, location_id)
        updated = location.model_copy(update=patch.changes())
        self.locations[(operator_key, location_id)] = updated

    async def on_evse_patch(
        self, operator_key: str, location_id: str, evse_uid: str, patch: EvsePatch
    ) -> None:
        location = self._get(operator_key, location_id)
        evses = [
            e.model_copy(update=patch.changes()) if e.uid == evse_uid else e
            for e in location.evses or ()
        ]
        if not any(e.uid == evse_uid for e in evses):
            raise UnknownLocationError(f"no EVSE {evse_uid!r}")
        self.locations[(operator_key, location_id)] = location.model_copy(
            update={"evses": evses}
        )
        self.patches.append((operator_key, location_id, evse_uid, patch))

    async def on_connector_patch(
        self,
        operator_key: str,
        location_id: str,
        evse_uid: str,
        connector_id: str,
        patch: ConnectorPatch,
    ) -> None:
        self._get(operator_key, location_id)

    async def find_location(
        self, operator_key: str, location_id: str
    ) -> Location | None:
        return self.locations.get((operator_key, location_id))


@dataclass
class InMemoryCpoSource:
    location_list: list[Location] = field(default_factory=list)
    tariff_list: list[Tariff] = field(default_factory=list)

    @staticmethod
    def _window(items, date_from, date_to, offset, limit):
        matching = [
            i
            for i in items
            if (date_from is None or i.last_updated >= date_from)
            and (date_to is None or i.last_updated < date_to)
        ]
        return matching[offset : offset + limit], len(matching)

    async def list_locations(
        self, date_from, date_to, offset: int, limit: int
    ) -> tuple[Sequence[Location], int]:
        return self._window(self.location_list, date_from, date_to, offset, limit)

    async def list_tariffs(
        self, date_from, date_to, offset: int, limit: int
    ) -> tuple[Sequence[Tariff], int]:
        return self._window(self.tariff_list, date_from, date_to, offset, limit)

    async def find_location(self, location_id: str) -> Location | None:
        return next((x for x in self.location_list if x.id == location_id), None)


@dataclass
class Network:
    """A hub and a CPO simulator app wired through one in-process transport."""

    http: httpx.AsyncClient
    hub_tokens: InMemoryTokenStore
    cpo_tokens: InMemoryTokenStore
    receiver: InMemoryLocationReceiver
    source: InMemoryCpoSource


def build_network(http: httpx.AsyncClient, router: HostRouter) -> Network:
    clock = FixedClock()
    hub_tokens, cpo_tokens = InMemoryTokenStore(), InMemoryTokenStore()
    receiver, source = InMemoryLocationReceiver(), InMemoryCpoSource()
    fetcher = OcpiClient(http).fetch_endpoints
    hub = FastAPI()
    hub.include_router(
        build_emsp_router(
            config=ServerConfig(HUB_URL, (HUB_ROLE,), prefix="/ocpi"),
            tokens=hub_tokens,
            locations=receiver,
            fetch_endpoints=fetcher,
            clock=clock,
        )
    )
    cpo = FastAPI()
    cpo.include_router(
        build_cpo_router(
            config=ServerConfig(CPO_URL, (CPO_ROLE,), prefix="/ocpi/cpo"),
            tokens=cpo_tokens,
            source=source,
            fetch_endpoints=fetcher,
            clock=clock,
        )
    )
    router.mount("hub.test", hub)
    router.mount("cpo.test", cpo)
    return Network(http, hub_tokens, cpo_tokens, receiver, source)
