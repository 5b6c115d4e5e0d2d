"""Building a simulator from a profile: demo credentials, summary, the loop, the CLI."""

import asyncio

import pytest
import typer
from typer.testing import CliRunner

from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.cli import simulate
from evroam.shared.geo import BoundingBox
from evroam.simulator.credentials import (
    TcecPartnerCredentials,
    default_ocpi_token_a,
    default_tcec_credentials,
)
from evroam.simulator.network import SimulatedNetwork
from evroam.simulator.partner import PartnerProtocol, build_partner_simulator
from evroam.simulator.runner import SimulationSettings


class TestDemoCredentials:
    @pytest.mark.parametrize("profile", list(OperatorProfile))
    def test_are_the_same_every_time_and_have_the_lengths_t_cec_needs(self, profile):
        creds = default_tcec_credentials(profile)
        assert creds == default_tcec_credentials(profile)
        assert len(creds.partner_operator_id) == len(creds.hub_operator_id) == 9
        assert creds.hub_operator_id == "MA0EVROAM"
        assert len({creds.operator_secret, creds.data_secret, creds.sig_secret}) == 3

    def test_differ_between_profiles(self):
        swap, fast = (default_tcec_credentials(p) for p in ("swap", "fast"))
        assert swap.operator_secret != fast.operator_secret
        assert default_ocpi_token_a("swap") != default_ocpi_token_a("fast")

    def test_are_never_printed(self):
        creds = default_tcec_credentials(OperatorProfile.SWAP)
        assert creds.sig_secret not in repr(creds)

    def test_a_secret_of_the_wrong_length_is_refused(self):
        with pytest.raises(ValueError, match="16 characters"):
            TcecPartnerCredentials("MA0SWPWAY", "MA0EVROAM", "short", *["x" * 16] * 3)

    def test_the_cli_puts_given_values_in_place_of_the_demo_ones(self):
        creds = simulate.tcec_credentials(
            OperatorProfile.FAST, operator_id="MA0OTHER1", sig_secret="s" * 16
        )
        demo = default_tcec_credentials(OperatorProfile.FAST)
        assert creds.partner_operator_id == "MA0OTHER1"
        assert creds.sig_secret == "s" * 16
        assert creds.data_secret == demo.data_secret


class TestBuild:
    def test_an_ocpi_simulator_says_where_to_register_and_with_which_token(self):
        built = build_partner_simulator(
            OperatorProfile.COMMUNITY,
            PartnerProtocol.OCPI,
            public_url="http://127.0.0.1:9003",
            hub_url="http://127.0.0.1:8000",
            settings=SimulationSettings(),
        )
        assert "http://127.0.0.1:9003/ocpi/cpo/versions" in built.summary
        assert default_ocpi_token_a(OperatorProfile.COMMUNITY) in built.summary
        assert "6,000 piles" in built.summary

    def test_a_tcec_simulator_names_its_operator_id_and_the_hub(self):
        built = build_partner_simulator(
            OperatorProfile.COMMUNITY,
            PartnerProtocol.TCEC,
            public_url="http://127.0.0.1:9003",
            hub_url="http://127.0.0.1:8000",
            settings=SimulationSettings(),
        )
        assert "MA0NEIGHB" in built.summary
        assert "http://127.0.0.1:8000/evcs/v1" in built.summary

    async def test_the_app_lifespan_runs_the_churn_loop(self):
        built = build_partner_simulator(
            OperatorProfile.COMMUNITY,
            PartnerProtocol.OCPI,
            public_url="http://127.0.0.1:9003",
            hub_url="http://127.0.0.1:8000",
            settings=SimulationSettings(changes_per_s=1000, tick_s=0.02),
        )
        runner = built.app.state.runner
        async with built.app.router.lifespan_context(built.app):
            for _ in range(100):
                await asyncio.sleep(0.02)
                if runner.changes_made:
                    break
        assert runner.changes_made > 0
        assert runner.counters.skipped == runner.changes_made  # nobody registered


class TestCommand:
    def test_has_help_naming_profiles_and_protocols(self):
        app = typer.Typer()
        app.command("simulate-partner")(simulate.simulate_partner)
        app.command("other")(lambda: None)
        result = CliRunner().invoke(app, ["simulate-partner", "--help"])
        assert result.exit_code == 0
        assert "swap" in result.output
        assert "tcec" in result.output


class TestASmallerNetwork:
    def test_a_box_keeps_only_its_stations_with_the_same_ids_and_prices(self):
        whole = SimulatedNetwork.for_profile(OperatorProfile.FAST, Protocol.OCPI, 7)
        shanghai = BoundingBox(121.2, 31.0, 121.8, 31.5)
        part = SimulatedNetwork.for_profile(
            OperatorProfile.FAST, Protocol.OCPI, 7, shanghai
        )
        inside = [s for s in whole.stations() if shanghai.contains(s.lat, s.lon)]
        assert 0 < part.station_count == len(inside) < whole.station_count
        assert list(part.stations()) == inside
