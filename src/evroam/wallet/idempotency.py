"""Request fingerprints and the JSON form of stored idempotent responses."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from evroam.wallet.ledger import Charge, Hold, HoldState, Refund, RefundSource
from evroam.wallet.ports import TopUp, TopUpState


def fingerprint(operation: str, request: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of the operation and its request."""
    body = json.dumps(
        {"op": operation, "request": request},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _required_time(value: Any) -> datetime:
    if not value:
        raise ValueError("a stored response lacks a required time")
    return datetime.fromisoformat(value)


def hold_to_json(hold: Hold) -> dict[str, Any]:
    charge = hold.charge
    return {
        "id": hold.id,
        "account_id": hold.account_id,
        "amount_fen": hold.amount_fen,
        "reference": hold.reference,
        "placed_at": _time(hold.placed_at),
        "state": hold.state.value,
        "resolved_at": _time(hold.resolved_at),
        "charge": None
        if charge is None
        else [charge.partner_operator, charge.partner_fen, charge.discount_fen],
        "from_hold_fen": hold.from_hold_fen,
        "from_wallet_fen": hold.from_wallet_fen,
        "receivable_fen": hold.receivable_fen,
        "refunded_fen": hold.refunded_fen,
    }


def hold_from_json(body: Mapping[str, Any]) -> Hold:
    charge = body["charge"]
    return Hold(
        id=body["id"],
        account_id=body["account_id"],
        amount_fen=body["amount_fen"],
        reference=body["reference"],
        placed_at=_required_time(body["placed_at"]),
        state=HoldState(body["state"]),
        resolved_at=_parse_time(body["resolved_at"]),
        charge=None if charge is None else Charge(charge[0], charge[1], charge[2]),
        from_hold_fen=body["from_hold_fen"],
        from_wallet_fen=body["from_wallet_fen"],
        receivable_fen=body["receivable_fen"],
        refunded_fen=body["refunded_fen"],
    )


def top_up_to_json(top_up: TopUp) -> dict[str, Any]:
    return {
        "intent_id": top_up.intent_id,
        "account_id": top_up.account_id,
        "amount_fen": top_up.amount_fen,
        "confirm_url": top_up.confirm_url,
        "state": top_up.state.value,
        "created_at": _time(top_up.created_at),
        "transfer_id": top_up.transfer_id,
    }


def top_up_from_json(body: Mapping[str, Any]) -> TopUp:
    return TopUp(
        intent_id=body["intent_id"],
        account_id=body["account_id"],
        amount_fen=body["amount_fen"],
        confirm_url=body["confirm_url"],
        state=TopUpState(body["state"]),
        created_at=_required_time(body["created_at"]),
        transfer_id=body["transfer_id"],
    )


def refund_to_json(refund: Refund) -> dict[str, Any]:
    return {
        "transfer_id": refund.transfer_id,
        "hold_id": refund.hold_id,
        "account_id": refund.account_id,
        "amount_fen": refund.amount_fen,
        "source": refund.source.value,
        "created_at": _time(refund.created_at),
    }


def refund_from_json(body: Mapping[str, Any]) -> Refund:
    return Refund(
        transfer_id=body["transfer_id"],
        hold_id=body["hold_id"],
        account_id=body["account_id"],
        amount_fen=body["amount_fen"],
        source=RefundSource(body["source"]),
        created_at=_required_time(body["created_at"]),
    )
