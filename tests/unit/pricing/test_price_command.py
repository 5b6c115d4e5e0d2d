"""``evroam price``: files in, a priced charge out; bad input named in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from evroam.cli.price import price
from evroam.shared.errors import InvalidInputError

SPEC = Path(__file__).parents[3] / "tests/fixtures/ocpi-2.2.1-examples"
TOU = {
    "currency": "CNY",
    "default": "flat",
    "prices": [["valley", "0.3100", "0.4000"], ["flat", "0.6500", "0.6000"]],
    "windows": [["23:00", "07:00", "valley"]],
    "parking": {"free_minutes": 60, "fee_per_hour": "5.00", "daily_cap": "30.00"},
}
ACROSS_23 = {
    "start": "2026-11-02T22:00:00+08:00",
    "end": "2026-11-03T00:00:00+08:00",
    "kwh": "20",
    "parking_minutes": 95,
}


def app() -> typer.Typer:
    command = typer.Typer()
    command.command()(price)
    command.command("help")(lambda: None)  # keeps "price" a named subcommand
    return command


def write(tmp_path: Path, name: str, body: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(body))
    return str(path)


def run(*args: str) -> Result:
    return CliRunner().invoke(app(), ["price", *args])


class TestPriceCommand:
    def test_prints_lines_and_totals_as_json(self, tmp_path):
        result = run(
            "--tariff", write(tmp_path, "t.json", TOU),
            "--session", write(tmp_path, "s.json", ACROSS_23),
            "--json",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        body = json.loads(result.output)
        assert [line["period"] for line in body["lines"]] == [
            "flat", "flat", "valley", "valley", "2026-11-03",
        ]  # fmt: skip
        assert body["partner_total"] == "23.35"

    def test_bills_the_idle_fee_of_a_tariff_that_has_one(self, tmp_path):
        idle = {"grace_minutes": 15, "per_minute": "0.50", "cap": "30.00"}
        result = run(
            "--tariff", write(tmp_path, "t.json", {**TOU, "idle": idle}),
            "--session", write(tmp_path, "s.json", ACROSS_23),
            "--json",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        body = json.loads(result.output)
        # 95 minutes at the bay: 80 billed at 0.50 = 40.00, capped at 30.00
        assert body["lines"][-1]["kind"] == "idle"
        assert body["lines"][-1]["amount"] == "30.00"
        assert body["partner_total"] == "53.35"

    def test_an_idle_fee_without_a_price_is_refused(self, tmp_path):
        result = run(
            "--tariff", write(tmp_path, "t.json", {**TOU, "idle": {"cap": "5"}}),
            "--session", write(tmp_path, "s.json", ACROSS_23),
        )  # fmt: skip
        assert isinstance(result.exception, InvalidInputError)
        assert result.exception.field == "--tariff"

    def test_prices_an_ocpi_cdr_with_its_tariff(self, tmp_path):
        cdr = json.loads((SPEC / "cdr_example.json").read_text())
        result = run(
            "--tariff", write(tmp_path, "t.json", cdr["tariffs"][0]),
            "--session", str(SPEC / "cdr_example.json"),
            "--time-zone", "Europe/Brussels",
            "--json",
        )  # fmt: skip
        body = json.loads(result.output)
        assert (body["total_excl_vat"], body["total_incl_vat"]) == ("4.00", "4.40")

    def test_prints_a_table_by_default(self, tmp_path):
        result = run(
            "--tariff", write(tmp_path, "t.json", TOU),
            "--session", write(tmp_path, "s.json", ACROSS_23),
        )  # fmt: skip
        assert "driver pays" in result.output

    @pytest.mark.parametrize(
        ("session", "field"),
        [
            ({**ACROSS_23, "start": "2026-11-02T22:00:00"}, "start"),
            ({**ACROSS_23, "kwh": "lots"}, "--session"),
            ({"start": ACROSS_23["start"]}, "--session"),
        ],
    )
    def test_bad_input_is_refused_naming_the_field(self, tmp_path, session, field):
        result = run(
            "--tariff", write(tmp_path, "t.json", TOU),
            "--session", write(tmp_path, "s.json", session),
        )  # fmt: skip
        assert isinstance(result.exception, InvalidInputError)
        assert result.exception.field == field

    def test_an_unknown_time_zone_is_refused(self, tmp_path):
        result = run(
            "--tariff", write(tmp_path, "t.json", TOU),
            "--session", write(tmp_path, "s.json", ACROSS_23),
            "--time-zone", "Mars/Olympus",
        )  # fmt: skip
        assert isinstance(result.exception, InvalidInputError)


class TestTheIssuesStepSizeSession:
    """Issue 10: d2's example #1 as an independent engine publishes its CDR
    (periods of 0.0834 h TIME at 16:55Z and 17:00Z, 0.0334 h PARKING_TIME at
    17:02Z, UTC): the parking is billed and the total is d2's 0.55."""

    def test_bills_parking_in_whole_steps_and_totals_0_55(self, tmp_path):
        def period(at: str, kind: str, hours: str) -> dict[str, object]:
            return {
                "start_date_time": f"2022-01-13T{at}:00Z",
                "dimensions": [{"type": kind, "volume": hours}],
            }

        session = {
            "start_date_time": "2022-01-13T16:55:00Z",
            "charging_periods": [
                period("16:55", "TIME", "0.0834"),
                period("17:00", "TIME", "0.0834"),
                period("17:02", "PARKING_TIME", "0.0334"),
            ],
        }
        result = run(
            "--tariff", str(SPEC / "tariff_14_step_size.json"),
            "--session", write(tmp_path, "s.json", session),
            "--time-zone", "UTC",
            "--json",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        body = json.loads(result.output)
        assert body["total_excl_vat"] == "0.55"
        assert [e["dimension"] for e in body["elements"]] == [
            "TIME",
            "TIME",
            "PARKING_TIME",
        ]
