from pathlib import Path

import typer
from typer.testing import CliRunner

from evroam.cli.settle import settle

runner = CliRunner()


def settle_app() -> typer.Typer:
    app = typer.Typer()
    app.command("settle")(settle)
    app.command("noop")(lambda: None)  # keeps "settle" a subcommand
    return app


class TestSettleCommand:
    def test_a_bad_period_is_one_clear_line_and_exit_code_2(self, tmp_path: Path):
        db = tmp_path / "untouched.db"
        result = runner.invoke(
            settle_app(),
            [
                "settle",
                "--partner",
                "swapway",
                "--period",
                "2026-13",
                "--db",
                f"sqlite:///{db}",
            ],
        )

        assert result.exit_code == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1
        assert "period" in lines[0]
        assert "2026-13" in lines[0]
        assert not db.exists()
