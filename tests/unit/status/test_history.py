"""Importing a past timeline into the status history: clean edges, no repeats."""

from __future__ import annotations

import itertools
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from evroam.catalogue.model import PileStatus
from evroam.shared.ids import PileId
from evroam.status.history import IMPORT_GAP, StatusAt, imported_changes, is_busy
from tests.builders import EPOCH

PILE = PileId("rapidgrid-S1-E1")
steps = st.lists(
    st.tuples(st.integers(0, 10_000), st.sampled_from(list(PileStatus))), max_size=30
)


@given(steps, st.integers(0, 12_000), st.one_of(st.none(), st.integers(0, 12_000)))
def test_rows_chain_from_a_first_sight_to_an_end(raw, end_min, first_min):
    timeline = [StatusAt(EPOCH + timedelta(minutes=m), s) for m, s in raw]
    ends_at = EPOCH + timedelta(minutes=end_min)
    first = None if first_min is None else EPOCH + timedelta(minutes=first_min)
    rows = imported_changes(PILE, timeline, ends_at, first)
    if not rows:
        return
    assert rows[0].previous is None
    assert rows[-1].status is None
    for before, after in itertools.pairwise(rows):
        assert after.previous == before.status
        assert after.status != after.previous
        assert before.changed_at <= after.changed_at
    limit = ends_at if first is None else min(ends_at, first - IMPORT_GAP)
    assert rows[-1].changed_at == limit
    assert all(r.changed_at < limit for r in rows[:-1])


def test_busy_time_summed_from_the_rows_equals_the_timeline():
    hour = timedelta(hours=1)
    timeline = [
        StatusAt(EPOCH, PileStatus.AVAILABLE),
        StatusAt(EPOCH + hour, PileStatus.CHARGING),
        StatusAt(EPOCH + 2 * hour, PileStatus.OCCUPIED),
        StatusAt(EPOCH + 3 * hour, PileStatus.AVAILABLE),
        StatusAt(EPOCH + 5 * hour, PileStatus.RESERVED),
    ]
    rows = imported_changes(PILE, timeline, EPOCH + 6 * hour, None)
    end = EPOCH + 10 * hour
    busy_s = sum(
        (int(is_busy(r.status)) - int(is_busy(r.previous)))
        * (end - r.changed_at).total_seconds()
        for r in rows
    )
    assert busy_s == 3 * 3600  # 1 h-3 h charging/occupied, 5 h-6 h reserved
