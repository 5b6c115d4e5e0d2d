"""A fake station API served by uvicorn on a free loopback port, in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from .fake_api import FakeNetwork, build_fake_app


@dataclass(frozen=True, slots=True)
class LiveSite:
    base_url: str
    network: FakeNetwork


@dataclass
class _Server:
    app: FastAPI

    def __post_init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="off",
            ws="none",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def __enter__(self) -> _Server:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the fake API did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


def serve(network: FakeNetwork, *, has_events: bool) -> Iterator[LiveSite]:
    with _Server(build_fake_app(network, has_events=has_events)) as server:
        yield LiveSite(server.base_url, network)
        network.is_closing = True  # ends open event streams so the server stops at once
