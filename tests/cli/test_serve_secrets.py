"""`evroam serve` refuses public or empty secrets; `db upgrade --init` writes them."""

from __future__ import annotations

import json
import stat

from tests.cli.test_database_url import evroam, one_line_error


class TestServeRefuses:
    def test_a_publicly_known_token_key(self, tmp_path):
        env = {"EVROAM_TOKEN_KEY": "evroam-development-key-change-me"}
        line = one_line_error(evroam(tmp_path, "serve", "--port", "1", env=env))
        assert "token_key (a publicly known default)" in line
        assert "admin_token" not in line  # the test data directory has the rest

    def test_an_empty_secret_naming_each(self, tmp_path):
        env = {"EVROAM_DATA_DIR": str(tmp_path / "nothing-here")}
        line = one_line_error(evroam(tmp_path, "serve", "--port", "1", env=env))
        for name in ("admin_token", "token_key", "webhook_secret", "data_key"):
            assert f"{name} (empty)" in line
        assert "evroam db upgrade --init" in line


class TestDbUpgradeInit:
    def test_writes_private_random_secrets_once_and_keeps_them(self, tmp_path):
        env = {"EVROAM_DATA_DIR": str(tmp_path / "data")}
        first = evroam(tmp_path, "db", "upgrade", "--init", env=env)
        assert first.returncode == 0, first.stderr
        path = tmp_path / "data" / "secrets.json"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        values = json.loads(path.read_text())
        assert sorted(values) == [
            "admin_token",
            "data_key",
            "token_key",
            "webhook_secret",
        ]
        assert len(set(values.values())) == 4
        again = evroam(tmp_path, "db", "upgrade", "--init", env=env)
        assert again.returncode == 0, again.stderr
        assert json.loads(path.read_text()) == values
