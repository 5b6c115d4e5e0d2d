"""Time-of-use tariffs: which period, and so which unit prices, hold at a moment."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evroam.pricing.tariff import PeriodKind, PeriodPrice, Tariff, TouWindow
from evroam.shared.ids import TariffId
from tests.builders import a_tariff

SHANGHAI = "Asia/Shanghai"
SUMMER_SHARP = PeriodPrice(PeriodKind.SHARP, Decimal("1.3000"), Decimal("0.8000"))


def shanghai(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo(SHANGHAI))


def kind_at(tariff: Tariff, moment: datetime, zone: str = SHANGHAI) -> PeriodKind:
    return tariff.price_at(moment, zone).kind


def with_summer_sharp_peak() -> Tariff:
    standard = a_tariff()
    return a_tariff(
        prices=(*standard.prices, SUMMER_SHARP),
        windows=(
            TouWindow(time(11), time(13), PeriodKind.SHARP, frozenset({7, 8})),
            *standard.windows,
        ),
    )


class TestPeriodSelection:
    @pytest.mark.parametrize(
        ("hour", "minute", "expected"),
        [
            (22, 59, PeriodKind.FLAT),
            (23, 0, PeriodKind.VALLEY),
            (0, 0, PeriodKind.VALLEY),
            (6, 59, PeriodKind.VALLEY),
            (7, 0, PeriodKind.FLAT),
            (9, 59, PeriodKind.FLAT),
            (10, 0, PeriodKind.PEAK),
            (14, 59, PeriodKind.PEAK),
            (15, 0, PeriodKind.FLAT),
            (18, 0, PeriodKind.PEAK),
            (21, 0, PeriodKind.FLAT),
        ],
    )
    def test_valley_wraps_midnight_and_every_window_ends_exclusive(
        self, hour, minute, expected
    ):
        assert kind_at(a_tariff(), shanghai(11, 2, hour, minute)) is expected

    @given(st.datetimes(timezones=st.just(ZoneInfo(SHANGHAI))))
    def test_every_moment_falls_in_the_period_its_local_hour_names(self, moment):
        hour = moment.hour
        if hour >= 23 or hour < 7:
            expected = PeriodKind.VALLEY
        elif 10 <= hour < 15 or 18 <= hour < 21:
            expected = PeriodKind.PEAK
        else:
            expected = PeriodKind.FLAT

        assert kind_at(a_tariff(), moment) is expected

    def test_the_first_covering_window_decides(self):
        tariff = with_summer_sharp_peak()  # sharp 11-13 listed before peak 10-15

        assert kind_at(tariff, shanghai(7, 15, 12)) is PeriodKind.SHARP

    def test_a_window_whose_end_equals_its_start_covers_the_whole_day(self):
        window = TouWindow(time(8), time(8), PeriodKind.VALLEY)

        assert window.covers(shanghai(1, 1, 8))
        assert window.covers(shanghai(1, 1, 7, 59))


class TestMonthLimitedWindows:
    @pytest.mark.parametrize(
        ("month", "expected"),
        [
            (6, PeriodKind.PEAK),
            (7, PeriodKind.SHARP),
            (8, PeriodKind.SHARP),
            (9, PeriodKind.PEAK),
            (11, PeriodKind.PEAK),
        ],
    )
    def test_a_sharp_peak_applies_only_in_its_months(self, month, expected):
        assert kind_at(with_summer_sharp_peak(), shanghai(month, 15, 12)) is expected

    def test_the_month_is_the_station_s_local_month(self):
        standard = a_tariff()
        tariff = a_tariff(
            prices=(*standard.prices, SUMMER_SHARP),
            windows=(TouWindow(time(0), time(1), PeriodKind.SHARP, frozenset({8})),),
        )
        # 31 July 16:30 UTC is 1 August 00:30 in Shanghai.
        moment = datetime(2026, 7, 31, 16, 30, tzinfo=UTC)

        assert kind_at(tariff, moment) is PeriodKind.SHARP


class TestPriceAt:
    def test_evaluates_the_moment_in_the_station_s_time_zone(self):
        moment = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai

        assert kind_at(a_tariff(), moment, SHANGHAI) is PeriodKind.VALLEY
        assert kind_at(a_tariff(), moment, "Europe/London") is PeriodKind.FLAT

    def test_gives_both_unit_prices_and_their_total(self):
        price = a_tariff().price_at(shanghai(11, 2, 10), SHANGHAI)

        assert price.electricity_per_kwh == Decimal("1.0200")
        assert price.service_per_kwh == Decimal("0.8000")
        assert price.total_per_kwh == Decimal("1.8200")
        assert price.currency == "CNY"

    def test_rejects_a_naive_moment(self):
        with pytest.raises(ValueError, match="timezone-aware"):
            a_tariff().price_at(datetime(2026, 11, 2, 10), SHANGHAI)  # noqa: DTZ001


class TestTariffValidation:
    def test_rejects_a_window_whose_period_has_no_price(self):
        with pytest.raises(ValueError, match="no price for period"):
            a_tariff(windows=(TouWindow(time(11), time(13), PeriodKind.SHARP),))

    def test_rejects_a_default_period_that_has_no_price(self):
        with pytest.raises(ValueError, match="sharp"):
            a_tariff(default_kind=PeriodKind.SHARP)

    def test_names_the_tariff_and_every_missing_period(self):
        with pytest.raises(ValueError, match=r"t-bare .* peak, valley"):
            Tariff(
                TariffId("t-bare"),
                prices=(PeriodPrice(PeriodKind.FLAT, Decimal(1), Decimal(0)),),
                windows=a_tariff().windows,
            )

    def test_a_tariff_without_windows_is_flat_all_day(self):
        flat = PeriodPrice(PeriodKind.FLAT, Decimal("0.8"), Decimal("0.4"))
        tariff = Tariff(TariffId("t-flat"), prices=(flat,), windows=())

        assert kind_at(tariff, shanghai(11, 2, 23, 30)) is PeriodKind.FLAT
