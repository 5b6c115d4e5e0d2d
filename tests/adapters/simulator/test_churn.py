"""The status-change model: seeded, paced, and shaped by the hour of day."""

from datetime import datetime, timedelta

from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.simulator.churn import Churn, target_utilisation
from evroam.simulator.network import SimulatedNetwork
from evroam.simulator.site import PileState

from .conftest import EVENING, NIGHT


def run(network: SimulatedNetwork, start: datetime, minutes: int, **kwargs):
    churn = Churn(network, seed=7, **kwargs)
    now, changes = start, []
    for _ in range(minutes * 6):
        now += timedelta(seconds=10)
        changes += churn.step(now, 10)
    return churn, changes


class TestDeterminism:
    def test_the_same_seed_gives_the_same_changes(self, community_tcec):
        again = SimulatedNetwork.for_profile(
            OperatorProfile.COMMUNITY, Protocol.TCEC, 7
        )
        _, first = run(community_tcec, EVENING, 5)
        _, second = run(again, EVENING, 5)
        assert first == second
        assert community_tcec.pile_statuses() == again.pile_statuses()

    def test_another_seed_gives_other_changes(self, community_tcec):
        other = SimulatedNetwork.for_profile(
            OperatorProfile.COMMUNITY, Protocol.TCEC, 7
        )
        _, first = run(community_tcec, EVENING, 2)
        churn = Churn(other, seed=8)
        second = churn.step(EVENING + timedelta(seconds=10), 10)
        assert first[: len(second)] != second


class TestPace:
    def test_the_default_rate_is_one_change_per_pile_every_ten_minutes(
        self, community_tcec
    ):
        churn = Churn(community_tcec, seed=7)
        assert churn.changes_per_s == community_tcec.pile_count / 600

    def test_the_configured_rate_is_honoured_within_twenty_percent(
        self, community_tcec
    ):
        _, changes = run(community_tcec, EVENING, 10, changes_per_s=7.5)
        expected = 7.5 * 600
        assert abs(len(changes) - expected) <= 0.2 * expected

    def test_fractions_of_a_change_carry_over_between_steps(self, community_tcec):
        churn = Churn(community_tcec, seed=7, changes_per_s=1)
        counts = [
            len(churn.step(EVENING + timedelta(seconds=n * 0.25), 0.25))
            for n in range(1, 9)
        ]
        assert sum(counts) == 2

    def test_every_change_is_applied_to_the_network(self, community_tcec):
        _, changes = run(community_tcec, EVENING, 1)
        last = {c.pile: c for c in changes}
        for pile, change in last.items():
            assert community_tcec.status(pile) is change.status
            assert community_tcec.status_at(pile) == change.at


class TestDailyShape:
    def test_the_target_is_lowest_at_night_and_highest_in_the_evening_peak(self):
        assert target_utilisation(NIGHT) == 0.10
        assert target_utilisation(EVENING) == 0.55

    def test_the_evening_peak_is_busier_than_four_in_the_morning(self):
        night = SimulatedNetwork.for_profile(
            OperatorProfile.COMMUNITY, Protocol.TCEC, 7
        )
        evening = SimulatedNetwork.for_profile(
            OperatorProfile.COMMUNITY, Protocol.TCEC, 7
        )
        run(night, NIGHT, 30)
        run(evening, EVENING, 30)
        assert night.utilisation() < 0.2
        assert evening.utilisation() > 0.45

    def test_some_piles_fault_and_come_back(self, community_tcec):
        _, changes = run(community_tcec, EVENING, 60)
        down = {c.pile for c in changes if c.status is PileState.FAULTED}
        repaired = {
            c.pile
            for c in changes
            if c.pile in down and c.status is PileState.AVAILABLE
        }
        assert down
        assert repaired


class TestBatterySwaps:
    def test_swaps_take_batteries_from_stock_and_recharging_puts_them_back(self):
        network = SimulatedNetwork.for_profile(OperatorProfile.SWAP, Protocol.OCPI, 7)
        _, changes = run(network, EVENING, 2)
        swaps = [c for c in changes if c.swap is not None]
        assert swaps
        assert all(network.piles[c.pile].is_swap_bay for c in swaps)
        assert all(0 <= c.swap.batteries_in_stock <= 13 for c in swaps)
        assert all(
            c.status
            is (
                PileState.OCCUPIED
                if c.swap.batteries_in_stock == 0 or c.swap.queue_length
                else PileState.AVAILABLE
            )
            for c in swaps
        )
