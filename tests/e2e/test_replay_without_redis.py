"""`evroam serve --workers 2` without Redis: one T/CEC envelope is accepted once,
whichever worker gets it (the replay guard lives in the database, ADR 0029)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.test_tcec_replay import query_token_envelope, register_partner

from .processes import Hub, running, worker_of_connections

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

MAX_SENDS = 30


async def send_on_new_connection(
    hub: Hub, envelope: dict[str, str]
) -> tuple[dict[str, Any], int | None]:
    """The reply envelope and the pid of the worker that answered it."""
    async with httpx.AsyncClient(base_url=hub.url, timeout=10) as http:
        reply = await http.post("/evcs/v1/query_token", json=envelope)
        port = reply.extensions["network_stream"].get_extra_info("client_addr")[1]
        worker = worker_of_connections(hub, [port]).get(port)
    answer: dict[str, Any] = reply.json()
    return answer, worker


async def test_one_envelope_sent_to_two_workers_again_and_again_is_accepted_once(
    tmp_path: Path,
):
    db = tmp_path / "hub.db"
    hub = Hub(db, workers=2)
    with running(hub):
        hub.start()
        register_partner(db)  # a T/CEC partner, added while the hub serves
        envelope = query_token_envelope("0001")
        rets: list[int] = []
        workers: set[int | None] = set()
        while len(rets) < 10 or (len(workers) < 2 and len(rets) < MAX_SENDS):
            reply, worker = await send_on_new_connection(hub, envelope)
            rets.append(reply["Ret"])
            workers.add(worker)
    assert len(workers - {None}) == 2, "every send reached one worker"
    assert sorted(rets) == [0] + [4003] * (len(rets) - 1)
