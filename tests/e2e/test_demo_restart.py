"""`evroam demo`, Ctrl-C, `evroam demo` again: at once, and nothing is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from .processes import Demo, running

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

# Central Shanghai: a few dozen stations of two partners, so each start is quick.
SMALL_AREA = "121.40,31.18,121.52,31.28"


def open_account_with(demo: Demo, amount: str) -> dict[str, str]:
    with demo.client() as http:
        account = http.post("/api/v1/accounts", json={"name": "Li Wei"}).json()
        auth = {"Authorization": f"Bearer {account['token']}"}
        intent = http.post(
            "/api/v1/wallet/top-ups",
            json={"amount": amount},
            headers={**auth, "Idempotency-Key": "restart-top-up"},
        ).json()
        paid = http.post(intent["confirm_url"], headers=auth)
        assert paid.json()["status"] == "credited", paid.text
    return auth


def wallet_of(demo: Demo, auth: dict[str, str]) -> tuple[int, str | None]:
    with demo.client() as http:
        reply = http.get("/api/v1/wallet", headers=auth)
    return reply.status_code, reply.json().get("available")


def operators_with_piles(demo: Demo) -> dict[str, int]:
    with demo.client() as http:
        items = http.get("/api/v1/operators").json()["items"]
    return {o["id"]: o["piles"] for o in items if o["piles"]}


def test_a_restart_keeps_the_driver_and_fresh_starts_over(tmp_path: Path):
    demo = Demo(tmp_path, SMALL_AREA)
    with running(demo):
        first = demo.start()
        assert "new var/evroam.db" in first
        auth = open_account_with(demo, "200.00")
        networks = operators_with_piles(demo)
        assert len(networks) >= 2, networks
        demo.stop()

        # At once, on the same ports, whose last connections sit in TIME_WAIT.
        second = demo.start()
        assert "keeping var/evroam.db" in second
        assert "in use" not in second
        assert wallet_of(demo, auth) == (200, "200.00")
        # Partners were onboarded again into the same database: same stations.
        assert operators_with_piles(demo) == networks
        demo.stop()

        third = demo.start("--fresh")
        assert "--fresh: emptied var/evroam.db" in third
        assert wallet_of(demo, auth) == (401, None)
        assert operators_with_piles(demo) == networks
