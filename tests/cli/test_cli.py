"""The evroam command line: help everywhere, JSON output, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evroam.bootstrap import build_services
from evroam.catalogue.model import Operator, OperatorProfile, Protocol
from evroam.cli.demo import demo_settings, ready_lines
from evroam.cli.main import app
from evroam.config import Settings
from evroam.hub_secrets import ensure_secrets
from evroam.partners.model import Partner
from evroam.shared.ids import OperatorId
from evroam.storage.database import DatabaseAccess
from tests.api.conftest import seed

runner = CliRunner()


def run_evroam(*args: str) -> subprocess.CompletedProcess[str]:
    """The real console entry point, as a user would call it."""
    return subprocess.run(
        [sys.executable, "-m", "evroam", *args],
        capture_output=True,
        text=True,
        check=False,
    )


COMMANDS = [
    ["demo"],
    ["serve"],
    ["generate"],
    ["stations"],
    ["stations", "near"],
    ["partners"],
    ["partners", "add"],
    ["partners", "list"],
    ["partners", "sync"],
    ["partners", "import-locations"],
    ["simulate-partner"],
    ["price"],
    ["settle"],
    ["recommend"],
    ["trip"],
    ["simulate-usage"],
    ["db"],
    ["db", "upgrade"],
    ["vehicles"],
    ["vehicles", "import"],
]


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    services = build_services(Settings(database_url=url), access=DatabaseAccess.UPGRADE)
    seed(services)
    services.close()
    return url


class TestHelp:
    @pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
    def test_every_command_has_help(self, command):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0
        assert "Usage" in result.output

    def test_every_command_is_documented_in_the_readme(self):
        readme = (Path(__file__).parents[2] / "README.md").read_text()
        for command in COMMANDS:
            assert f"evroam {' '.join(command)}" in readme


class TestStationsNear:
    def test_prints_the_nearest_stations_as_json(self, db):
        result = runner.invoke(
            app,
            [
                "stations",
                "near",
                "31.2304",
                "121.4737",
                "--radius-km",
                "2",
                "--db",
                db,
                "--json",
            ],
        )
        assert result.exit_code == 0, result.output
        rows = json.loads(result.output)
        assert rows[0]["id"] == "rapidgrid-S000"
        assert rows[0]["price_now"]["currency"] == "CNY"
        assert [r["distance_m"] for r in rows] == sorted(r["distance_m"] for r in rows)

    def test_filters_by_operator(self, db):
        result = runner.invoke(
            app,
            [
                "stations",
                "near",
                "31.2304",
                "121.4737",
                "--radius-km",
                "50",
                "--operator",
                "swapway",
                "--db",
                db,
                "--json",
            ],
        )
        rows = json.loads(result.output)
        assert [r["id"] for r in rows] == ["swapway-W001", "swapway-I001"]
        # the seed's I001 has an idle fee: 0.50/min after 15 min, capped at 30
        assert [r["idle_fee"] for r in rows] == [
            None,
            {"grace_minutes": 15, "per_minute": "0.5000", "cap": "30.00"},
        ]

    def test_the_table_shows_an_idle_fee(self, db):
        result = runner.invoke(
            app,
            ["stations", "near", "31.40", "121.60", "--radius-km", "1", "--db", db],
            env={"COLUMNS": "250"},  # one line per row
        )
        assert result.exit_code == 0, result.output
        assert "idle ¥0.50/min after 15 min, cap ¥30.00" in result.output

    def test_prints_a_table_for_people(self, db):
        result = runner.invoke(
            app, ["stations", "near", "31.2304", "121.4737", "--db", db, "--limit", "3"]
        )
        assert result.exit_code == 0
        assert "3 stations, nearest first" in result.output
        assert result.output.count("rapidgrid") == 3
        assert "¥5.00/h" in result.output


class TestErrors:
    def test_a_latitude_out_of_range_is_one_clear_line_and_exit_2(self, db):
        result = run_evroam("stations", "near", "91", "121", "--db", db)
        assert result.returncode == 2
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("evroam: error:")
        assert "lat" in line

    def test_an_unknown_connector_is_rejected(self, db):
        result = runner.invoke(
            app, ["stations", "near", "31", "121", "--connector", "warp", "--db", db]
        )
        assert result.exit_code == 2
        assert "warp" in result.output


class TestPartners:
    def test_list_shows_no_partners_on_a_fresh_database(self, db):
        result = runner.invoke(app, ["partners", "list", "--db", db, "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == []

    def test_adding_a_tcec_partner_without_secrets_names_the_missing_one(self, db):
        result = run_evroam(
            "partners",
            "add",
            "--name",
            "swapway",
            "--protocol",
            "tcec",
            "--url",
            "http://127.0.0.1:9/evcs/v1",
            "--profile",
            "swap",
            "--db",
            db,
        )
        assert result.returncode == 2
        [line] = result.stderr.strip().splitlines()[-1:]
        assert "operator-id" in line
        listed = runner.invoke(app, ["partners", "list", "--db", db, "--json"])
        assert json.loads(listed.output) == []  # nothing was saved

    def test_an_unreachable_partner_is_one_clear_line(self, db):
        result = run_evroam(
            "partners",
            "add",
            "--name",
            "rapidgrid",
            "--protocol",
            "ocpi",
            "--url",
            "http://127.0.0.1:9/ocpi/versions",
            "--profile",
            "fast",
            "--token-a",
            "abc",
            "--db",
            db,
        )
        assert result.returncode == 2
        assert "evroam: error:" in result.stderr
        assert "Traceback" not in result.stderr


class TestDemo:
    def test_a_taken_port_is_refused_before_anything_starts(self):
        import socket

        from evroam.cli.demo import DemoError, require_free_port

        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
            held.bind(("127.0.0.1", 0))
            held.listen()
            port = held.getsockname()[1]
            with pytest.raises(DemoError, match=f"port {port}"):
                require_free_port("127.0.0.1", port)

    def test_says_where_the_dashboard_is_and_its_admin_token(self, tmp_path):
        ensure_secrets(tmp_path)
        settings = Settings(data_dir=tmp_path)
        shown = ready_lines(settings, "http://127.0.0.1:8000")
        assert "http://127.0.0.1:8000/admin/dashboard" in shown
        assert settings.admin_token in shown

    def test_is_the_one_command_that_turns_on_the_sandbox_payments(self):
        settings = demo_settings("sqlite:///var/evroam.db", "http://127.0.0.1:8000")
        assert settings.payment_provider == "sandbox"
        assert Settings().payment_provider is None


class TestVehiclesImport:
    def test_check_says_the_shipped_catalogue_is_up_to_date_and_credits_the_data(
        self,
    ):
        result = runner.invoke(app, ["vehicles", "import", "--check"])
        assert result.exit_code == 0, result.output
        assert "is up to date" in result.output
        assert "Open EV Data (https://github.com/KilowattApp/open-ev-data)" in (
            result.output.replace("\n", " ")
        )

    def test_writes_the_catalogue_module_where_told(self, tmp_path: Path):
        target = tmp_path / "imported.py"
        result = runner.invoke(
            app, ["vehicles", "import", "--output", str(target), "--json"]
        )
        assert result.exit_code == 0, result.output
        assert "IMPORTED: tuple[VehicleModel, ...]" in target.read_text()
        assert '"credit"' in result.output

    def test_check_fails_when_the_module_differs(self, tmp_path: Path):
        target = tmp_path / "imported.py"
        target.write_text("stale\n")
        result = runner.invoke(
            app, ["vehicles", "import", "--check", "--output", str(target)]
        )
        assert result.exit_code == 1
        assert target.read_text() == "stale\n"


FEEDS = Path(__file__).parents[1] / "fixtures" / "ocpi-real"


@pytest.fixture
def partner_db(db: str) -> str:
    """The seeded hub with an OCPI partner ``feedcpo`` (no stations yet)."""
    services = build_services(Settings(database_url=db), access=DatabaseAccess.READ)
    partner = Partner(
        OperatorId("feedcpo"),
        "Feed CPO",
        Protocol.OCPI,
        OperatorProfile.FAST,
        "http://cpo.test/ocpi/versions",
        {},
        country_code="PT",
        party_id="EVI",
    )
    services.partner_records.save(partner)
    services.catalogue.register_operator(
        Operator(partner.id, partner.name, partner.profile, partner.protocol)
    )
    services.close()
    return db


def stations_of(db: str, operator: str) -> list[str]:
    services = build_services(Settings(database_url=db), access=DatabaseAccess.READ)
    try:
        return services.stations.external_station_ids(OperatorId(operator))
    finally:
        services.close()


class TestImportLocations:
    def test_a_feed_is_imported_whole_and_exits_0(self, partner_db):
        feed = FEEDS / "ocpi_2_2_locations-evio.json"
        result = runner.invoke(
            app,
            [
                "partners",
                "import-locations",
                str(feed),
                "--partner",
                "feedcpo",
                "--db",
                partner_db,
            ],
        )
        assert result.exit_code == 0, result.output
        assert "feedcpo: 21 locations imported, 0 refused" in result.output
        assert len(stations_of(partner_db, "feedcpo")) == 21

    def test_refused_locations_are_listed_with_their_reasons_and_exit_3(
        self, partner_db
    ):
        feed = FEEDS / "ocpi_2_2_1_locations-sitronics.json"
        result = runner.invoke(
            app,
            [
                "partners",
                "import-locations",
                str(feed),
                "--partner",
                "feedcpo",
                "--db",
                partner_db,
                "--json",
            ],
        )
        assert result.exit_code == 3, result.output
        report = json.loads(result.output)
        assert report["imported"] == 62
        assert len(report["refused"]) == 3
        assert all(r["id"] and r["reason"] for r in report["refused"])
        assert len(stations_of(partner_db, "feedcpo")) == 62

    @pytest.mark.parametrize(
        ("content", "partner", "message"),
        [
            ("{not json", "feedcpo", "is not JSON"),
            (
                '{"status_code": 1000, "data": {"no": "locations"}}',
                "feedcpo",
                "not a Locations feed",
            ),
            ("[]", "nosuchpartner", "no partner named 'nosuchpartner'"),
        ],
    )
    def test_bad_input_is_a_clear_error_with_exit_1_and_no_change(
        self, partner_db, tmp_path, content, partner, message
    ):
        path = tmp_path / "feed.json"
        path.write_text(content)
        result = runner.invoke(
            app,
            [
                "partners",
                "import-locations",
                str(path),
                "--partner",
                partner,
                "--db",
                partner_db,
            ],
        )
        assert result.exit_code == 1, result.output
        assert message in result.output
        assert stations_of(partner_db, "feedcpo") == []

    def test_a_missing_file_is_a_clear_error(self, partner_db, tmp_path):
        result = runner.invoke(
            app,
            [
                "partners",
                "import-locations",
                str(tmp_path / "none.json"),
                "--partner",
                "feedcpo",
                "--db",
                partner_db,
            ],
        )
        assert result.exit_code == 1
        assert "cannot read" in result.output
