"""Generated time-of-use tariffs look like Chinese public charging prices."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from evroam.pricing.tariff import PeriodKind
from evroam.scenario.profiles import NEIGHBOURLY, RAPIDGRID, SWAPWAY
from evroam.scenario.tariffs import build_tariff, build_tariffs

SHANGHAI = ZoneInfo("Asia/Shanghai")


class TestGeneratedTariffs:
    def test_builds_dozens_to_hundreds_with_operator_province_ids(self, reference):
        assert 30 <= len(reference.tariffs) <= 500
        ids = [t.id for t in reference.tariffs]
        assert len(set(ids)) == len(ids)
        assert all(re.fullmatch(r"[a-z]+-[a-z]{2}-\d", i) for i in ids)
        assert "swapway-gd-1" in ids

    def test_prices_every_period_any_window_uses(self, reference):
        for tariff in reference.tariffs:
            priced = {p.kind for p in tariff.prices}
            assert {w.kind for w in tariff.windows} | {tariff.default_kind} <= priced

    def test_has_a_valley_that_wraps_midnight(self, reference):
        for tariff in reference.tariffs:
            (valley,) = [w for w in tariff.windows if w.kind is PeriodKind.VALLEY]
            assert valley.end <= valley.start
            assert valley.start >= time(22)
            local_3am = datetime(2024, 3, 5, 3, 0, tzinfo=UTC)
            assert tariff.kind_at(local_3am) is PeriodKind.VALLEY

    def test_orders_periods_by_price_sharp_above_peak_above_flat_above_valley(
        self, reference
    ):
        order = [PeriodKind.SHARP, PeriodKind.PEAK, PeriodKind.FLAT, PeriodKind.VALLEY]
        for tariff in reference.tariffs:
            kinds = [k for k in order if any(p.kind is k for p in tariff.prices)]
            prices = [tariff.price_for(k).electricity_per_kwh for k in kinds]
            assert prices == sorted(prices, reverse=True)

    def test_keeps_fees_in_the_usual_ranges(self, reference):
        for tariff in reference.tariffs:
            for price in tariff.prices:
                assert Decimal("0.20") <= price.electricity_per_kwh <= Decimal("1.40")
                assert Decimal("0.40") <= price.service_per_kwh <= Decimal("0.80")
                assert price.electricity_per_kwh == price.electricity_per_kwh.quantize(
                    Decimal("0.0001")
                )

    def test_adds_a_sharp_peak_only_in_summer_or_winter_months(self, reference):
        sharp = [
            w
            for t in reference.tariffs
            for w in t.windows
            if w.kind is PeriodKind.SHARP
        ]
        assert sharp
        assert {frozenset({7, 8}), frozenset({12, 1})} >= {w.months for w in sharp}
        with_sharp = next(
            t
            for t in reference.tariffs
            if any(w.kind is PeriodKind.SHARP for w in t.windows)
        )
        summer = next(w for w in with_sharp.windows if w.kind is PeriodKind.SHARP)
        in_july = datetime(2024, 7, 10, summer.start.hour, 30, tzinfo=SHANGHAI)
        in_april = datetime(2024, 4, 10, summer.start.hour, 30, tzinfo=SHANGHAI)
        assert with_sharp.kind_at(in_july) is PeriodKind.SHARP
        assert with_sharp.kind_at(in_april) is not PeriodKind.SHARP


PROVINCES = frozenset({"bj", "sh", "gd", "zj", "js", "sc", "hb", "sd"})


def share_with_idle_fee(tariffs) -> float:
    return sum(t.idle is not None for t in tariffs) / len(tariffs)


class TestGeneratedIdleFees:
    def test_most_dc_fast_some_swap_network_and_no_community_tariffs_have_one(
        self, reference
    ):
        by_operator = {
            op: [t for t in reference.tariffs if t.id.startswith(f"{op}-")]
            for op in ("rapidgrid", "swapway", "neighbourly")
        }
        assert share_with_idle_fee(by_operator["rapidgrid"]) > 0.6
        assert 0.1 < share_with_idle_fee(by_operator["swapway"]) < 0.6
        assert share_with_idle_fee(by_operator["neighbourly"]) == 0

    def test_keep_to_the_dc_fast_networks_terms(self, reference):
        fees = [
            t.idle
            for t in reference.tariffs
            if t.id.startswith("rapidgrid-") and t.idle is not None
        ]
        step = Decimal("0.10")
        for fee in fees:
            assert fee.grace_minutes in (15, 30)
            assert Decimal("0.30") <= fee.per_minute <= Decimal("1.00")
            assert fee.per_minute % step == 0
            assert fee.cap in (Decimal(30), Decimal(50), None)
        assert len({(f.grace_minutes, f.per_minute, f.cap) for f in fees}) > 5

    def test_are_the_same_for_a_seed_and_differ_for_another(self):
        def fees(seed: int) -> list:
            return [t.idle for t in build_tariffs(seed, RAPIDGRID, PROVINCES)]

        assert fees(7) == fees(7)
        assert fees(7) != fees(8)

    def test_leave_every_price_drawn_before_them_as_it_was(self):
        for profile in (RAPIDGRID, SWAPWAY, NEIGHBOURLY):
            without = replace(profile, idle_fee=None)
            for province in sorted(PROVINCES):
                tariff = build_tariff(7, profile, province, 1)
                assert replace(tariff, idle=None) == build_tariff(
                    7, without, province, 1
                )
