"""The hub orders a CPO's statuses by the CPO's own last_updated, pulled or pushed."""

from datetime import timedelta

from evroam.catalogue.model import PileStatus
from evroam.protocols.ocpi_2_2_1.enums import Status
from evroam.protocols.ocpi_2_2_1.models import EvsePatch
from tests.adapters.ocpi.fakes import T0, a_location
from tests.adapters.ocpi.hub_harness import hub_and_cpo


async def patch_status(world, status, at):
    await world.cpo_client().patch_evse(
        "CN", "SWP", "LOC1", "E1", EvsePatch(status=status, last_updated=at)
    )


class TestStatusOrder:
    async def test_a_push_after_the_pulled_status_wins_though_older_than_the_pull(
        self, tmp_path
    ):
        """The pulled EVSE says AVAILABLE as of T0 (long before we fetched it);
        the CPO's PATCH of T0+5 min is newer news and must apply."""
        async with hub_and_cpo(tmp_path) as world:
            world.source.location_list = [a_location()]
            await world.onboard()
            assert world.station("LOC1").piles[0].status is PileStatus.AVAILABLE
            await patch_status(world, Status.CHARGING, T0 + timedelta(minutes=5))
            assert world.station("LOC1").piles[0].status is PileStatus.CHARGING

    async def test_a_push_older_than_the_status_held_is_ignored(self, tmp_path):
        async with hub_and_cpo(tmp_path) as world:
            world.source.location_list = [a_location()]
            await world.onboard()
            await patch_status(world, Status.CHARGING, T0 + timedelta(minutes=5))
            await patch_status(world, Status.OUTOFORDER, T0 + timedelta(minutes=1))
            assert world.station("LOC1").piles[0].status is PileStatus.CHARGING

    async def test_a_pull_after_a_push_keeps_the_newer_push(self, tmp_path):
        """Reconciliation reads the CPO's (stale) T0 view: the push of T0+5 min
        that the pull predates is kept."""
        async with hub_and_cpo(tmp_path) as world:
            world.source.location_list = [a_location()]
            await world.onboard()
            await patch_status(world, Status.CHARGING, T0 + timedelta(minutes=5))
            await world.services.partners.reconcile_status(world.partner().id)
            assert world.station("LOC1").piles[0].status is PileStatus.CHARGING
