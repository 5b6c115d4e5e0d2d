"""Retried starts: do drivers who retry with the same Idempotency-Key get the same answer?

Starts the demo topology (three simulators and the hub as processes) with the
simulators flipping pile statuses (``--changes-per-s``, pushed to the hub), opens
``--drivers`` drivers, and has each start a charge at a free pile with one key:
``--concurrent`` POSTs at once, then ``--sequential`` more after
``--pause-s`` each (by then the partner has marked the pile charging, and churn
flips others busy), then one POST with the same key and another body (which
must be a 409 naming the key). Counts the retries whose answer is the first
answer (the same session, or the same refusal when the pile was busy before the
first POST stored anything).

    python benchmarks/start_retries.py --drivers 50

Issue 10 measured before the fix: 124 of 150 sequential and 150 of 150
concurrent retries answered 409 "pile … is charging".
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
from partner_pull import admin_headers
from result_file import row, save_result
from session_start import free_piles, open_driver, topology

from evroam.cli.demo import partner_request


@dataclass
class Tally:
    retries: int = 0
    same: int = 0
    key_conflicts_named: int = 0
    probes: int = 0
    answers: Counter[str] = field(default_factory=Counter)


def answer_of(reply: httpx.Response) -> str:
    if reply.status_code in (200, 201):
        return f"session {reply.json()['id']}"
    return f"{reply.status_code} {reply.json().get('detail', '')}"


async def one_driver(
    http: httpx.AsyncClient, tally: Tally, token: str, pile: str, n: int, args
) -> None:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"retry-{n:04d}"}
    path = "/api/v1/charging-sessions"

    async def post(body: dict[str, str]) -> httpx.Response:
        for attempt in range(3):  # a dropped connection is retried, as a client would
            try:
                return await http.post(path, json=body, headers=headers)
            except httpx.TransportError:
                if attempt == 2:
                    raise
                await asyncio.sleep(0.2)
        raise AssertionError("unreachable")

    body = {"pile_id": pile}
    first = await asyncio.gather(*(post(body) for _ in range(args.concurrent)))
    answers = [answer_of(r) for r in first]
    for _ in range(args.sequential):
        await asyncio.sleep(args.pause_s)
        answers.append(answer_of(await post(body)))
    sessions = [a for a in answers if a.startswith("session")]
    canonical = sessions[0] if sessions else answers[0]
    tally.retries += len(answers) - 1
    tally.same += sum(a == canonical for a in answers) - 1
    for a in answers:
        tally.answers[a.split(" ")[0] if a.startswith("session") else a[:40]] += 1
    other = await post({"pile_id": pile, "target_kwh": "5"})
    tally.probes += 1
    if other.status_code == 409 and f"retry-{n:04d}" in other.json().get("detail", ""):
        tally.key_conflicts_named += 1


async def run_all(hub_url: str, piles: list[tuple[str, str]], args) -> Tally:
    tally = Tally()
    limits = httpx.Limits(max_connections=args.drivers * args.concurrent + 8)
    async with httpx.AsyncClient(base_url=hub_url, timeout=60, limits=limits) as http:
        tokens = [await open_driver(http, n) for n in range(len(piles))]
        await asyncio.gather(
            *(
                one_driver(http, tally, token, pile, n, args)
                for n, (token, (_, pile)) in enumerate(zip(tokens, piles, strict=True))
            )
        )
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drivers", type=int, default=50)
    parser.add_argument("--concurrent", type=int, default=3)
    parser.add_argument("--sequential", type=int, default=3)
    parser.add_argument("--pause-s", type=float, default=0.5)
    parser.add_argument("--changes-per-s", type=float, default=20.0)
    args = parser.parse_args()
    with topology(60.0, 30.0, args.changes_per_s) as topo:
        with httpx.Client(
            base_url=topo.hub_url, headers=admin_headers(), timeout=600
        ) as http:
            for p in topo.partners:
                reply = http.post("/api/v1/admin/partners", json=partner_request(p))
                assert reply.status_code == 201, reply.text
        share = -(-args.drivers // len(topo.partners))
        piles = [pile for p in topo.partners for pile in free_piles(p, share)]
        piles = piles[: args.drivers]
        t0 = time.perf_counter()
        tally = asyncio.run(run_all(topo.hub_url, piles, args))
        wall = time.perf_counter() - t0
    share_same = 100 * tally.same / max(tally.retries, 1)
    print(
        f"\n{len(piles)} drivers, {args.concurrent} concurrent + {args.sequential} "
        f"sequential POSTs each, piles churning at {args.changes_per_s}/s per "
        f"partner, {wall:.1f} s wall\n"
    )
    print("| retries | same answer | % | same key, other body: 409 naming the key |")
    print("|---:|---:|---:|---:|")
    print(
        f"| {tally.retries} | {tally.same} | {share_same:.1f} % "
        f"| {tally.key_conflicts_named} of {tally.probes} |"
    )
    print("\nanswers:", dict(tally.answers.most_common()))
    measured = (
        f"{share_same:.1f} % of {tally.retries} retries got the first answer "
        f"({len(piles)} drivers, {args.concurrent} at once + {args.sequential} "
        f"later, piles churning); other body, same key: 409 naming the key "
        f"{tally.key_conflicts_named} of {tally.probes}"
    )
    save_result(
        "start_retries",
        [
            row(
                "retried starts, same Idempotency-Key, piles flipping busy "
                "(100 % same answer)",
                measured,
                "`start_retries.py`",
            )
        ],
        {
            "retries": tally.retries,
            "same": tally.same,
            "answers": dict(tally.answers),
            "key_conflicts_named": tally.key_conflicts_named,
            "probes": tally.probes,
            "wall_s": wall,
        },
    )


if __name__ == "__main__":
    main()
