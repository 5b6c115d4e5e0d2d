"""Where the hub's secrets come from: arguments, then environment, then the file."""

from __future__ import annotations

import json

import pytest

from evroam.config import Settings
from evroam.hub_secrets import (
    PUBLIC_VALUES,
    SecretsError,
    ensure_secrets,
    refused_secrets,
)


class TestSettings:
    def test_read_the_data_directorys_file(self, tmp_path):
        path = ensure_secrets(tmp_path)
        values = json.loads(path.read_text())
        settings = Settings(data_dir=tmp_path)
        assert settings.admin_token == values["admin_token"]
        assert settings.data_key == values["data_key"]

    def test_prefer_the_environment_to_the_file(self, tmp_path, monkeypatch):
        ensure_secrets(tmp_path)
        monkeypatch.setenv("EVROAM_ADMIN_TOKEN", "from-the-environment-0123456789")
        assert Settings(data_dir=tmp_path).admin_token.startswith("from-the-env")

    def test_have_no_secret_without_a_file(self, tmp_path):
        settings = Settings(data_dir=tmp_path / "none")
        assert (settings.admin_token, settings.token_key) == ("", "")
        with pytest.raises(SecretsError, match="admin_token \\(empty\\)"):
            settings.check_secrets()


class TestRefusedSecrets:
    @pytest.mark.parametrize("public", sorted(PUBLIC_VALUES))
    def test_every_previously_shipped_default_is_refused(self, public):
        values = dict.fromkeys(("token_key", "data_key"), "a-fine-random-value")
        values |= {"admin_token": public, "webhook_secret": "x" * 32}
        assert refused_secrets(values) == ["admin_token"]

    def test_a_broken_file_is_one_clear_error(self, tmp_path):
        (tmp_path / "secrets.json").write_text("{not json")
        with pytest.raises(SecretsError, match="cannot read"):
            Settings(data_dir=tmp_path)
