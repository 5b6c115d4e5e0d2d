"""``evroam demo``: three partner simulators, the hub, real handshakes, live map."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
import uvicorn
from rich.console import Console

from evroam.bootstrap import prepare_database
from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.cli.options import DEFAULT_DB, BboxOption, DbOption
from evroam.config import Settings
from evroam.hub_secrets import ensure_secrets, secrets_path
from evroam.shared.errors import EvroamError
from evroam.shared.geo import BoundingBox
from evroam.simulator.credentials import (
    default_ocpi_token_a,
    default_tcec_credentials,
)
from evroam.storage.database import DatabaseAccess, shown, sqlite_file


class DemoError(EvroamError):
    """The demo could not start (a simulator did not come up)."""


console = Console()


@dataclass(frozen=True, slots=True)
class DemoPartner:
    """One simulated partner of the reference scenario (names are fictional)."""

    id: str
    name: str
    profile: OperatorProfile
    protocol: Protocol
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        if self.protocol is Protocol.OCPI:
            return f"{self.base}/ocpi/cpo/versions"
        return f"{self.base}/evcs/v1"


def require_free_port(host: str, port: int) -> None:
    """Fail with one clear line before starting anything on a taken port.

    The probe binds as the servers will (SO_REUSEADDR, as uvicorn does): a port
    whose last connections linger in TIME_WAIT after a Ctrl-C is free to them,
    while one that something listens on is refused.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise DemoError(
                f"port {port} on {host} is in use ({exc.strerror}); stop what uses it "
                "or pass --port / --first-partner-port"
            ) from exc


def keep_or_reset(url: str, *, fresh: bool) -> str:
    """Keep the demo database (default) or empty it (``--fresh``); says which.

    Called only once every port is known to be free, so a restart that cannot
    start never loses a driver's account, wallet, sessions or receipts.
    """
    path = sqlite_file(url)
    if path is None:
        if fresh:
            return f"--fresh empties only a SQLite file; keeping {shown(url)}"
        return f"keeping {shown(url)} (a server database is never emptied here)"
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists()
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"--fresh: emptied {path}, starting over" if existed else f"new {path}"
    if existed:
        return f"keeping {path} and its accounts (evroam demo --fresh starts over)"
    return f"new {path}"


def bbox_text(area: BoundingBox) -> str:
    return f"{area.min_lon},{area.min_lat},{area.max_lon},{area.max_lat}"


def demo_partners(first_port: int) -> tuple[DemoPartner, ...]:
    return (
        DemoPartner(
            "swapway", "SwapWay Energy", OperatorProfile.SWAP, Protocol.TCEC, first_port
        ),
        DemoPartner(
            "rapidgrid",
            "Rapid Grid",
            OperatorProfile.FAST,
            Protocol.OCPI,
            first_port + 1,
        ),
        DemoPartner(
            "neighbourly",
            "Neighbourly Charge",
            OperatorProfile.COMMUNITY,
            Protocol.TCEC,
            first_port + 2,
        ),
    )


def partner_request(p: DemoPartner) -> dict[str, Any]:
    """The admin API body that onboards one simulated partner."""
    if p.protocol is Protocol.OCPI:
        credentials = {"token_a": default_ocpi_token_a(p.profile)}
    else:
        c = default_tcec_credentials(p.profile)
        credentials = {
            "operator_id": c.partner_operator_id,
            "operator_secret": c.operator_secret,
            "data_secret": c.data_secret,
            "data_secret_iv": c.data_secret_iv,
            "sig_secret": c.sig_secret,
            "spelling": c.spelling.value,
        }
    return {
        "id": p.id,
        "name": p.name,
        "protocol": p.protocol.value,
        "profile": p.profile.value,
        "url": p.url,
        "credentials": credentials,
    }


def simulator_command(
    p: DemoPartner, hub_url: str, seed: int, *extra: str
) -> list[str]:
    """The command line that runs one partner's simulator (extra options last)."""
    return [
        sys.executable, "-m", "evroam", "simulate-partner",
        "--profile", p.profile.value, "--protocol", p.protocol.value,
        "--port", str(p.port), "--hub-url", hub_url, "--seed", str(seed), *extra,
    ]  # fmt: skip


@contextlib.contextmanager
def simulators(
    partners: tuple[DemoPartner, ...], hub_url: str, seed: int, *extra: str
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Each simulator is its own process, speaking its protocol on its port."""
    procs = [
        subprocess.Popen(
            simulator_command(p, hub_url, seed, *extra),
            stdout=subprocess.DEVNULL,
        )
        for p in partners
    ]
    try:
        yield procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


async def wait_until_up(
    partners: tuple[DemoPartner, ...],
    procs: Sequence[subprocess.Popen[bytes]] = (),
    timeout_s: float = 120,
) -> None:
    """Until every simulator answers; one whose process ended fails at once."""
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(timeout=2) as http:
        for i, p in enumerate(partners):
            while True:
                try:
                    if (await http.get(f"{p.base}/sim/state")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if i < len(procs) and procs[i].poll() is not None:
                    raise DemoError(f"simulator {p.id} ended before serving :{p.port}")
                if time.monotonic() > deadline:
                    raise DemoError(f"simulator {p.id} did not start on :{p.port}")
                await asyncio.sleep(0.3)


async def onboard(
    hub_url: str, admin_token: str, partners: tuple[DemoPartner, ...]
) -> None:
    """Onboard through the hub's admin API: the hub runs the real handshakes.

    A partner the database already holds is onboarded again (new handshake,
    full pull); its stations keep their ids (ADR 0017)."""
    headers = {"Authorization": f"Bearer {admin_token}"}
    # No read timeout: the hub bounds each partner call itself and answers 502
    # when a partner stops answering; a full pull on a slow machine takes minutes.
    timeout = httpx.Timeout(10, read=None)
    async with httpx.AsyncClient(
        base_url=hub_url, timeout=timeout, headers=headers
    ) as http:
        for p in partners:
            started = time.perf_counter()
            try:
                reply = await http.post(
                    "/api/v1/admin/partners", json=partner_request(p)
                )
            except httpx.HTTPError as exc:
                raise DemoError(
                    f"onboarding {p.id}: the hub did not answer ({exc!r})"
                ) from exc
            if reply.status_code != 201:
                raise DemoError(f"onboarding {p.id} failed: {reply.text}")
            body = reply.json()
            console.print(
                f"  [green]✓[/] {p.name} ({p.protocol.value.upper()} on :{p.port}): "
                f"{body['stations']:,} stations, {body['piles']:,} piles pulled in "
                f"{time.perf_counter() - started:.1f} s"
            )


DEMO_BACKFILL_DAYS = 7
DEMO_DRIVERS = 200


@dataclass(frozen=True, slots=True)
class BackfillPlan:
    """What the demo fills in once the map is up (ADR 0025); 0 days: nothing."""

    days: int = DEMO_BACKFILL_DAYS
    drivers: int = DEMO_DRIVERS
    seed: int = 7


def backfill_command(db: str, plan: BackfillPlan) -> list[str]:
    return [
        sys.executable, "-m", "evroam", "simulate-usage",
        "--backfill", str(plan.days), "--drivers", str(plan.drivers),
        "--seed", str(plan.seed), "--db", db,
    ]  # fmt: skip


async def backfill(db: str, plan: BackfillPlan) -> None:
    """Run the backfill in a process of its own (the hub keeps serving) and
    say when it is done; stopping the demo stops it."""
    console.print(
        f"filling the last {plan.days} days in the background: every pile's status "
        f"history and {plan.drivers} drivers' charges (evroam simulate-usage "
        f"--backfill {plan.days})…"
    )
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        *backfill_command(db, plan),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        out, _ = await proc.communicate()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    if proc.returncode == 0:
        console.print(
            f"[green]✓[/] {out.decode().strip()}; the dashboard shows them "
            f"({time.perf_counter() - started:.0f} s)",
            soft_wrap=True,
        )
    else:
        console.print(f"[red]✗[/] the backfill failed (exit {proc.returncode})")


async def run_hub(
    settings: Settings,
    partners: tuple[DemoPartner, ...],
    host: str,
    port: int,
    procs: Sequence[subprocess.Popen[bytes]] = (),
    plan: BackfillPlan = BackfillPlan(),
) -> None:
    for key, value in settings_environment(settings).items():
        os.environ[key] = value
    config = uvicorn.Config(
        "evroam.api.asgi:app_from_environment",
        factory=True,
        host=host,
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    filling: asyncio.Task[None] | None = None
    try:
        while not server.started:
            if serving.done():
                return
            await asyncio.sleep(0.05)
        console.print("waiting for the partner simulators…")
        await wait_until_up(partners, procs)
        console.print("onboarding partners through their protocols:")
        await onboard(settings.public_url, settings.admin_token, partners)
        console.print(ready_lines(settings, f"http://{host}:{port}"))
        filling = (
            asyncio.create_task(backfill(settings.database_url, plan))
            if plan.days
            else None
        )
        await serving
    finally:
        if filling is not None and not filling.done():
            filling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await filling
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await serving


def settings_environment(settings: Settings) -> dict[str, str]:
    """The EVROAM_* variables that make app_from_environment build ``settings``."""
    return {
        f"EVROAM_{name.upper()}": str(value)
        for name, value in settings.model_dump().items()
        if value is not None
    }


def ready_lines(settings: Settings, hub: str) -> str:
    """Where to look once the demo is up, and the admin token the dashboard asks."""
    return (
        f"\n[bold]map[/]       {hub}/\n[bold]API[/]       {hub}/docs\n"
        f"[bold]dashboard[/] {hub}/admin/dashboard\n"
        f"[bold]admin token[/] {settings.admin_token} "
        f"(in {secrets_path(settings.data_dir)})\n"
        f"[bold]feeds[/]     evroam partners list{db_option(settings.database_url)}\n"
        "Ctrl-C stops everything."
    )


def demo_settings(db: str, hub_url: str) -> Settings:
    """The hub's settings: its secrets (made on first run) and the sandbox payment
    provider, which only the demo turns on."""
    ensure_secrets(Settings().data_dir)
    return Settings(database_url=db, public_url=hub_url, payment_provider="sandbox")


def db_option(url: str) -> str:
    """What the commands the demo suggests need to find its database."""
    return "" if url == DEFAULT_DB else f" --db {shown(url)}"


def stop_on_interrupt() -> None:
    """Make SIGINT stop the demo even when it was started with SIGINT ignored
    (a background job of a script: ``make demo &``), where Python would not turn
    it into KeyboardInterrupt; the simulators and the backfill inherit it."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def demo(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Hub port.")] = 8000,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    first_partner_port: Annotated[
        int,
        typer.Option(min=1024, max=65000, help="Simulators use this and the next 2."),
    ] = 9101,
    seed: Annotated[int, typer.Option(help="Scenario seed.")] = 7,
    db: DbOption = DEFAULT_DB,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh", help="Empty the demo database first (default: keep it)."
        ),
    ] = False,
    bbox: BboxOption = None,
    backfill_days: Annotated[
        int,
        typer.Option(
            min=0,
            max=90,
            help="Once the map is up, fill this many past days (0: none).",
        ),
    ] = DEMO_BACKFILL_DAYS,
    drivers: Annotated[
        int, typer.Option(min=0, max=5000, help="Simulated drivers of those days.")
    ] = DEMO_DRIVERS,
) -> None:
    """Start 3 partner simulators (T/CEC, OCPI, T/CEC), onboard them, serve the map,
    then fill the last days in the background (status history and charges).

    A second run keeps every account, wallet, session and receipt and onboards
    the partners again into the same database; --fresh starts over."""
    hub_url = f"http://{host}:{port}"
    stop_on_interrupt()
    settings = demo_settings(db, hub_url)
    partners = demo_partners(first_partner_port)
    for taken in (port, *(p.port for p in partners)):
        require_free_port(host, taken)
    kept = keep_or_reset(db, fresh=fresh)
    prepare_database(settings, DatabaseAccess.UPGRADE)
    console.print(f"[bold]evroam demo[/]: hub at {hub_url}, database {shown(db)}")
    console.print(kept, soft_wrap=True)
    extra = ("--bbox", bbox_text(bbox)) if bbox else ()
    with (
        simulators(partners, hub_url, seed, *extra) as procs,
        contextlib.suppress(KeyboardInterrupt),
    ):
        plan = BackfillPlan(backfill_days, drivers, seed)
        asyncio.run(run_hub(settings, partners, host, port, procs, plan))
    console.print("stopped.")
