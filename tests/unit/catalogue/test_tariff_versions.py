"""Tariff versions: kept with valid_from, the same in every worker (ADR 0023)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from evroam.catalogue.service import CatalogueService
from evroam.pricing.elements import (
    Dimension,
    ElementTariff,
    PriceComponent,
    Restrictions,
    TariffElement,
)
from evroam.pricing.quote import quote_charge
from evroam.pricing.session import ChargeSession
from evroam.pricing.tariff import PeriodKind, PeriodPrice
from evroam.shared.ids import TariffId
from evroam.shared.money import Money
from tests.builders import EPOCH, a_station, a_tariff
from tests.fakes import FixedClock, InMemoryStationRepository

SHANGHAI = "Asia/Shanghai"


def flat_price(total: str) -> PeriodPrice:
    return PeriodPrice(PeriodKind.FLAT, Decimal(total), Decimal(0))


def world() -> tuple[InMemoryStationRepository, FixedClock]:
    repo = InMemoryStationRepository()
    clock = FixedClock(EPOCH)
    catalogue = CatalogueService(repo, clock)
    catalogue.import_network(
        [], [a_tariff(prices=(flat_price("1.00"),), windows=())], [a_station()]
    )
    return repo, clock


def one_hour_of_20_kwh(tariff: ElementTariff, kwh: int = 20) -> Money:
    start = EPOCH.astimezone(ZoneInfo(SHANGHAI)).replace(hour=10)
    session = ChargeSession.flat(start, start + timedelta(hours=1), Decimal(kwh))
    return quote_charge(tariff, None, session, SHANGHAI).partner_total


class TestVersions:
    def test_a_changed_tariff_is_a_new_version_in_force_from_its_sync(self):
        repo, clock = world()
        catalogue = CatalogueService(repo, clock)
        clock.set(EPOCH + timedelta(days=1))
        changed = a_tariff(prices=(flat_price("1.50"),), windows=())
        catalogue.save_network_batch([changed], [])
        station = a_station()
        before = catalogue.priced_tariff(station, EPOCH + timedelta(hours=1))
        after = catalogue.priced_tariff(station, clock.now())
        assert one_hour_of_20_kwh(before.tariff) == Money.of("20.00")
        assert one_hour_of_20_kwh(after.tariff) == Money.of("30.00")
        assert after.valid_from == clock.now()

    def test_the_same_tariff_synced_again_is_no_new_version(self):
        repo, clock = world()
        catalogue = CatalogueService(repo, clock)
        generation = repo.tariff_generation()
        catalogue.save_network_batch(
            [a_tariff(prices=(flat_price("1.00"),), windows=())], []
        )
        assert repo.tariff_generation() == generation

    def test_an_ocpi_tariff_is_priced_as_it_is_not_as_its_view(self):
        repo, clock = world()
        catalogue = CatalogueService(repo, clock)
        dearer_fast = ElementTariff(
            TariffId("t-standard"),
            "CNY",
            (
                TariffElement(
                    (PriceComponent(Dimension.ENERGY, Decimal("2.00")),),
                    Restrictions(min_power_kw=Decimal(50)),
                ),
                TariffElement((PriceComponent(Dimension.ENERGY, Decimal("1.00")),)),
            ),
        )
        catalogue.save_network_batch([], [], priced=[dearer_fast])
        priced = catalogue.priced_tariff(a_station()).tariff
        assert one_hour_of_20_kwh(priced) == Money.of("20.00")  # 20 kW: below 50
        assert one_hour_of_20_kwh(priced, kwh=60) == Money.of("120.00")  # 60 kW


class TestEveryWorkerPricesTheSame:
    def test_another_worker_sees_a_sync_at_its_next_price(self):
        repo, clock = world()
        worker_a, worker_b = (
            CatalogueService(repo, clock),
            CatalogueService(repo, clock),
        )
        station = a_station()
        assert worker_b.get_station(station.id).price_now.total_per_kwh == Decimal(
            "1.00"
        )
        assert one_hour_of_20_kwh(worker_b.priced_tariff(station).tariff) == Money.of(
            "20.00"
        )
        worker_a.save_network_batch(
            [a_tariff(prices=(flat_price("1.50"),), windows=())], []
        )
        assert worker_b.get_station(station.id).price_now.total_per_kwh == Decimal(
            "1.50"
        )
        assert one_hour_of_20_kwh(worker_b.priced_tariff(station).tariff) == Money.of(
            "30.00"
        )

    def test_a_worker_keeps_at_most_its_cache_size_of_tariffs(self):
        repo, clock = world()
        small = CatalogueService(repo, clock, cache_size=2)
        tariffs = [replace(a_tariff(), id=TariffId(f"t-{i}")) for i in range(5)]
        small.save_network_batch(tariffs, [])
        for tariff in tariffs:
            small.priced_tariff(replace(a_station(), tariff_id=tariff.id))
        assert len(small._versions) == 2
