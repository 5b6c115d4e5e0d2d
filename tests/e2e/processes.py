"""Real processes for end-to-end tests: the hub, partner simulators, SSE clients."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from evroam.bootstrap import prepare_database
from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.cli.demo import DemoPartner, partner_request
from evroam.config import Settings
from evroam.storage.database import DatabaseAccess
from tests.hub_keys import ADMIN

# How long a process may take to answer before we call it failed to start: generous,
# because a loaded 2-core machine builds a simulated network slowly (not a speed test).
START_TIMEOUT_S = 120.0
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_port_block(count: int) -> int:
    """The first of ``count`` consecutive loopback ports that are free now,
    below the ephemeral range, so no outgoing connection takes one meanwhile."""
    low, _ = (int(n) for n in EPHEMERAL_RANGE.read_text().split())
    rng = random.Random()
    for _ in range(200):
        first = rng.randrange(10_000, low - count)
        with contextlib.ExitStack() as held:
            try:
                for port in range(first, first + count):
                    sock = held.enter_context(socket.socket())
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return first
    raise RuntimeError(f"no {count} consecutive free ports")


def wait_until_answering(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code < 500:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answered at {url}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _evroam(
    args: list[str], env: dict[str, str], log: Path | None = None
) -> subprocess.Popen[bytes]:
    with contextlib.ExitStack() as files:
        stderr = files.enter_context(log.open("ab")) if log else subprocess.DEVNULL
        return subprocess.Popen(
            [sys.executable, "-m", "evroam", *args],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


@dataclass
class Hub:
    """``evroam serve`` as a subprocess on a free loopback port."""

    db: Path
    env: dict[str, str] = field(default_factory=dict)
    workers: int = 1
    bus_url: str | None = None
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        """Where the hub's stderr (its log) goes."""
        return self.db.with_suffix(".log")

    def start(self) -> Hub:
        prepare_database(
            Settings(database_url=f"sqlite:///{self.db}"), DatabaseAccess.UPGRADE
        )
        args = ["serve", "--db", f"sqlite:///{self.db}", "--port", str(self.port)]
        args += ["--workers", str(self.workers)]
        if self.bus_url:
            args += ["--bus", self.bus_url]
        env = {
            "EVROAM_PUBLIC_URL": self.url,
            "EVROAM_PAYMENT_PROVIDER": "sandbox",
            **self.env,
        }
        self.proc = _evroam(args, env, self.log)
        wait_until_answering(f"{self.url}/api/v1/health", self.proc)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)

    def partner_health(self, partner_id: str) -> dict[str, Any]:
        with self.client() as http:
            items = http.get("/api/v1/admin/partners", headers=ADMIN).json()["items"]
        return next(item for item in items if item["id"] == partner_id)

    def onboard(self, partner: DemoPartner, **extra: Any) -> dict[str, Any]:
        with httpx.Client(base_url=self.url, timeout=120, headers=ADMIN) as http:
            reply = http.post(
                "/api/v1/admin/partners", json={**partner_request(partner), **extra}
            )
        assert reply.status_code == 201, reply.text
        body: dict[str, Any] = reply.json()
        return body


DEMO_READY = "Ctrl-C stops everything."


@dataclass
class Demo:
    """``evroam demo`` as a subprocess working in ``directory`` (its ``var/`` is
    there), the three simulators serving only the stations inside ``bbox``."""

    directory: Path
    bbox: str
    port: int = field(default_factory=lambda: free_port_block(1))
    first_partner_port: int = field(default_factory=lambda: free_port_block(3))
    start_timeout_s: float = 180.0
    proc: subprocess.Popen[bytes] | None = None
    runs: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.directory / f"demo-{self.runs}.log"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def start(self, *extra: str) -> str:
        """Run ``evroam demo`` and wait until it serves; returns what it printed."""
        self.runs += 1
        args = ["demo", "--port", str(self.port), "--bbox", self.bbox]
        args += ["--first-partner-port", str(self.first_partner_port), *extra]
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "evroam", *args],
                cwd=self.directory,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "COLUMNS": "200"},
                start_new_session=True,  # its own process group, as in a terminal
            )
        deadline = time.monotonic() + self.start_timeout_s
        while DEMO_READY not in self.output():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"evroam demo did not start:\n{self.output()}")
            time.sleep(0.2)
        return self.output()

    def stop(self) -> None:
        """Ctrl-C to its process group, as a terminal sends it (then SIGKILL to
        the group if it has not stopped within 30 s)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # a simulator left behind

    def client(self, **headers: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, headers=headers)


@dataclass
class Simulator:
    """``evroam simulate-partner`` as a subprocess; its control API under /sim."""

    partner: DemoPartner
    hub_url: str
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return self.partner.base

    def start(self) -> Simulator:
        p = self.partner
        args = ["simulate-partner", "--profile", p.profile.value]
        args += ["--protocol", p.protocol.value, "--port", str(p.port)]
        self.proc = _evroam([*args, "--hub-url", self.hub_url], {})
        wait_until_answering(f"{self.url}/sim/state", self.proc)
        return self

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        reply = httpx.request(method, f"{self.url}/sim{path}", timeout=30, **kwargs)
        reply.raise_for_status()
        return reply.json()

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = self._call("GET", "/state")
        return state

    def piles(self) -> dict[str, str]:
        piles: dict[str, str] = self._call("GET", "/piles")
        return piles

    def pause(self) -> None:
        self._call("POST", "/pause")

    def resume(self) -> None:
        self._call("POST", "/resume")

    def force(self, pile_name: str, status: str) -> dict[str, Any]:
        reply: dict[str, Any] = self._call(
            "POST", f"/piles/{pile_name}/status", json={"status": status}
        )
        return reply


def community_tcec(port: int) -> DemoPartner:
    return DemoPartner(
        "neighbourly",
        "Neighbourly Charge",
        OperatorProfile.COMMUNITY,
        Protocol.TCEC,
        port,
    )


def fast_ocpi(port: int) -> DemoPartner:
    return DemoPartner(
        "rapidgrid", "Rapid Grid", OperatorProfile.FAST, Protocol.OCPI, port
    )


_TCEC_NAME = re.compile(r"^(?P<station>.+?)(?P<pile>E\d+)$")


def hub_ids(partner: DemoPartner, pile_name: str) -> tuple[str, str]:
    """The hub's (station id, pile id) of a simulator pile (docs/simulators.md)."""
    if partner.protocol is Protocol.OCPI:
        station, evse = pile_name.split("/")
        station_id = f"{partner.id}-{station}"
        return station_id, f"{station_id}-{evse}"
    match = _TCEC_NAME.match(pile_name)
    assert match is not None, pile_name
    station_id = f"{partner.id}-{match['station']}"
    return station_id, f"{station_id}-{pile_name}"


def pick_pile(piles: dict[str, str], status: str, skip: int = 0) -> str:
    """A pile whose status is not ``status``, so forcing it is a real change."""
    names = [name for name, now in sorted(piles.items()) if now != status]
    return names[skip]


# --- Server-Sent Events --------------------------------------------------------


@dataclass
class SseClient:
    """One open ``GET /api/v1/events``; parsed ``pile_status`` events pile up."""

    events: list[dict[str, Any]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    client_port: int | None = None

    def find(self, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
        return next((e for e in self.events if match(e)), None)

    async def wait_for(
        self, match: Callable[[dict[str, Any]], bool], timeout_s: float
    ) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout_s
        while (found := self.find(match)) is None:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), left)
        return found


async def _read_events(
    response: httpx.Response, client: SseClient, connected: asyncio.Event
) -> None:
    kind = None
    async for line in response.aiter_lines():
        if line.startswith(": connected"):
            connected.set()
        elif line.startswith("event: "):
            kind = line.removeprefix("event: ")
        elif line.startswith("data: ") and kind == "pile_status":
            client.events.append(json.loads(line.removeprefix("data: ")))
            client.arrived.set()


@contextlib.asynccontextmanager
async def sse(hub_url: str) -> AsyncIterator[SseClient]:
    """Yields once the hub said ``: connected``; closes the stream afterwards."""
    client = SseClient()
    connected = asyncio.Event()
    async with (
        httpx.AsyncClient(base_url=hub_url, timeout=None) as http,
        http.stream("GET", "/api/v1/events") as response,
    ):
        assert response.status_code == 200
        stream = response.extensions.get("network_stream")
        if stream is not None:
            client.client_port = stream.get_extra_info("client_addr")[1]
        reader = asyncio.create_task(_read_events(response, client, connected))
        try:
            await asyncio.wait_for(connected.wait(), 10)
            yield client
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                await reader


# --- which worker process holds a connection (Linux /proc) ----------------------


def _server_sockets(port: int) -> dict[int, int]:
    """Socket inode of each established connection to ``port``, by client port."""
    out: dict[int, int] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                cols = line.split()
                local, remote, state, inode = cols[1], cols[2], cols[3], cols[9]
                if state == "01" and int(local.split(":")[1], 16) == port:
                    out[int(remote.split(":")[1], 16)] = int(inode)
    return out


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(stat.parent.name))
    return kids


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                link = os.readlink(fd)
                if link.startswith("socket:["):
                    inodes.add(int(link[8:-1]))
    return inodes


def worker_of_connections(hub: Hub, client_ports: list[int]) -> dict[int, int]:
    """Which worker pid serves each client connection (by the client's port)."""
    assert hub.proc is not None
    sockets = _server_sockets(hub.port)
    owners = {pid: _socket_inodes(pid) for pid in _children(hub.proc.pid)}
    found = {}
    for port in client_ports:
        inode = sockets.get(port)
        for pid, inodes in owners.items():
            if inode in inodes:
                found[port] = pid
    return found


def wait(predicate: Callable[[], bool], timeout_s: float, every_s: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every_s)
    return predicate()


@contextlib.contextmanager
def running(*things: Hub | Simulator | Demo) -> Iterator[None]:
    """Stops every started process, whatever happened."""
    try:
        yield
    finally:
        for thing in reversed(things):
            thing.stop()
