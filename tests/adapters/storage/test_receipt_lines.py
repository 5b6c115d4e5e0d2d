"""A receipt's lines keep their code and parameters in storage (ADR 0045); a
receipt stored before them reads back with its English lines only."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from evroam.charging.model import Receipt, ReceiptLine
from evroam.shared.ids import AccountId, OperatorId, SessionId, StationId
from evroam.shared.message import Message
from evroam.shared.money import Money
from evroam.storage.session_repository import _receipt, _receipt_json

AT = datetime(2026, 11, 26, 4, tzinfo=UTC)
IDLE = Message.of(
    "bill.line", "idle, after charging, 25 min x ¥0.5000 (after 15 free minutes)",
    period="after charging", quantity="25", unit="min", unit_price="0.5000",
    currency="CNY", note="bill.note.free_minutes", free_minutes=15,
)  # fmt: skip


def a_receipt(*lines: ReceiptLine) -> Receipt:
    total = sum((line.amount for line in lines), Money.zero())
    return Receipt(
        id="rct_s1", session_id=SessionId("s1"), account_id=AccountId("a1"),
        operator_id=OperatorId("rapidgrid"), station_id=StationId("rapidgrid-S1"),
        started_at=AT, ended_at=AT, kwh=Decimal("10.000"), lines=lines,
        partner_total=total, discount_total=Money.zero(), driver_total=total,
        issued_at=AT,
    )  # fmt: skip


def test_a_line_reads_back_with_its_code_and_parameters():
    receipt = a_receipt(ReceiptLine("idle", IDLE.text, Money.of("12.50"), IDLE))

    (line,) = _receipt(_receipt_json(receipt)).lines

    assert line == receipt.lines[0]
    assert line.said is not None
    assert line.said.params_dict()["free_minutes"] == 15


def test_a_receipt_stored_before_codes_reads_back_with_its_english_lines():
    body = json.loads(_receipt_json(a_receipt()))
    body["lines"] = [["electricity", "electricity, flat, 10 kWh", 650]]

    (line,) = _receipt(json.dumps(body)).lines

    assert line == ReceiptLine(
        "electricity", "electricity, flat, 10 kWh", Money.of("6.50")
    )
