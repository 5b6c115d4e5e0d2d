"""A pile's reliability note comes with a code and its numbers (ADR 0045)."""

from __future__ import annotations

from evroam.api.schemas.stations import reliability_said
from evroam.recommend.reliability import PileTrack


def test_the_note_carries_the_score_and_each_count():
    track = PileTrack(faults=4, offline_share=0.06, failed_starts=1)

    said = reliability_said(track)

    assert said.code == "pile.reliability"
    assert said.text == track.describe()
    assert said.params == {
        "score": track.score, "faults": 4, "offline_percent": 6,
        "failed_starts": 1, "reports": 0, "days": 30,
    }  # fmt: skip
