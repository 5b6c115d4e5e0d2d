from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evroam.settlement.model import Period
from evroam.shared.errors import InvalidInputError


class TestPeriod:
    def test_a_month_starts_at_local_midnight_which_is_utc_16_00_the_day_before(self):
        october = Period.parse("2026-10")

        assert october.starts_at == datetime(2026, 9, 30, 16, 0, tzinfo=UTC)
        assert october.ends_at == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)

    def test_a_charge_ending_at_23_30_local_on_the_last_day_belongs_to_the_month(self):
        ended = datetime(2026, 10, 31, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai

        assert Period.parse("2026-10").contains(ended)
        assert not Period.parse("2026-11").contains(ended)

    def test_december_runs_into_the_next_year(self):
        assert Period.parse("2026-12").ends_at == datetime(2026, 12, 31, 16, tzinfo=UTC)

    def test_prints_as_it_was_written(self):
        assert str(Period.parse("2026-03")) == "2026-03"

    @pytest.mark.parametrize("text", ["2026-13", "2026-1", "Oct 2026", "", "2026-00"])
    def test_rejects_what_is_not_a_month_naming_the_period(self, text):
        with pytest.raises(InvalidInputError) as raised:
            Period.parse(text)

        assert raised.value.field == "period"

    @given(st.integers(2000, 2200), st.integers(1, 12))
    def test_consecutive_months_tile_time_without_gap_or_overlap(self, year, month):
        this = Period(year, month)
        following = Period(year + month // 12, month % 12 + 1)

        assert this.ends_at == following.starts_at
        assert this.starts_at < this.ends_at
