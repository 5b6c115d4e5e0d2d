"""One database for every command: a bad, missing or empty one is one line, exit 2."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def evroam(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The console entry point run from ``cwd`` (where var/ is looked for), with
    the test secrets (EVROAM_DATA_DIR) and no other EVROAM_* variable."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("EVROAM_") or k == "EVROAM_DATA_DIR"
    }
    return subprocess.run(
        [sys.executable, "-m", "evroam", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={**clean, **(env or {})},
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


NEAR = ("stations", "near", "31.23", "121.47")


class TestMissingDatabase:
    def test_a_read_command_names_the_default_url_and_the_command_that_fills_it(
        self, tmp_path
    ):
        line = one_line_error(evroam(tmp_path, *NEAR))
        assert "sqlite:///var/evroam.db" in line
        assert "evroam demo" in line

    def test_a_read_command_creates_no_database(self, tmp_path):
        evroam(tmp_path, "partners", "list")
        assert not (tmp_path / "var").exists()

    def test_the_environment_names_the_database_of_every_command(self, tmp_path):
        url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
        line = one_line_error(
            evroam(tmp_path, "partners", "list", env={"EVROAM_DATABASE_URL": url})
        )
        assert url in line
        assert f"--db {url}" in line

    def test_serve_refuses_a_missing_database_before_listening(self, tmp_path):
        line = one_line_error(evroam(tmp_path, "serve", "--port", "1"))
        assert "no evroam database at sqlite:///var/evroam.db" in line


class TestEmptyDatabase:
    def test_a_file_without_evroam_tables_is_refused(self, tmp_path):
        path = tmp_path / "other.db"
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE notes (body TEXT)")
        line = one_line_error(
            evroam(
                tmp_path,
                *("settle", "--partner", "swapway", "--period", "2026-01"),
                *("--db", f"sqlite:///{path}"),
            )
        )
        assert "no evroam database" in line

    def test_a_station_search_in_a_database_without_stations_is_refused(self, tmp_path):
        url = f"sqlite:///{tmp_path / 'bare.db'}"
        made = evroam(tmp_path, "partners", "list", "--db", url)  # refused: missing
        assert made.returncode == 2
        from evroam.bootstrap import prepare_database
        from evroam.config import Settings
        from evroam.storage.database import DatabaseAccess

        prepare_database(Settings(database_url=url), DatabaseAccess.UPGRADE)
        line = one_line_error(evroam(tmp_path, *NEAR, "--db", url))
        assert f"no stations in {url}" in line
        assert "evroam generate" in line


class TestBadUrls:
    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("mysql://root@localhost/evroam", "unsupported database mysql://"),
            ("var/evroam.db", "is not a database URL"),
            ("postgresql://evroam:hunter2@127.0.0.1:1/evroam", "cannot reach"),
        ],
        ids=["unknown scheme", "no scheme", "server down"],
    )
    def test_is_one_line_and_exit_2(self, tmp_path, url, expected):
        line = one_line_error(evroam(tmp_path, *NEAR, "--db", url))
        assert expected in line
        assert "hunter2" not in line


class TestSchemaVersion:
    def baseline(self, tmp_path: Path) -> str:
        target = tmp_path / "old.db"
        fixture = Path(__file__).parents[1] / "fixtures" / "baseline"
        shutil.copy(fixture / "baseline.sqlite", target)
        return f"sqlite:///{target}"

    def test_serve_refuses_a_database_made_before_migrations(self, tmp_path):
        url = self.baseline(tmp_path)
        line = one_line_error(evroam(tmp_path, "serve", "--db", url, "--port", "1"))
        assert f"run evroam db upgrade --db {url}" in line

    def test_db_upgrade_stamps_it_and_commands_then_read_it(self, tmp_path):
        url = self.baseline(tmp_path)
        upgraded = evroam(tmp_path, "db", "upgrade", "--db", url)
        assert upgraded.returncode == 0, upgraded.stderr
        assert "stamped at the baseline" in upgraded.stdout
        listed = evroam(tmp_path, "partners", "list", "--db", url, "--json")
        assert listed.returncode == 0, listed.stderr
        assert json.loads(listed.stdout) == []


class TestDemo:
    @pytest.mark.parametrize("url", ["mysql://root@localhost/evroam", "var/demo.db"])
    def test_honours_the_environments_database_and_refuses_a_bad_one(
        self, tmp_path, url
    ):
        ports = ("--port", "18765", "--first-partner-port", "18766")
        env = {"EVROAM_DATABASE_URL": url}
        line = one_line_error(evroam(tmp_path, "demo", *ports, env=env))
        assert url in line
        assert not (tmp_path / "var").exists()
