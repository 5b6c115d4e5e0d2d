"""Several ASGI apps on one in-process "network", told apart by host name."""

from __future__ import annotations

import httpx
from fastapi import FastAPI


class HostRouter(httpx.AsyncBaseTransport):
    """Each request goes to the app serving its host; unknown hosts refuse
    (``httpx.ConnectError``, as a closed port would)."""

    def __init__(self) -> None:
        self.apps: dict[str, httpx.ASGITransport] = {}
        # Every request and its answer, in order (tests read the headers).
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    def mount(self, host: str, app: FastAPI) -> None:
        self.apps[host] = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        app = self.apps.get(request.url.host)
        if app is None:
            raise httpx.ConnectError(f"connection refused: {request.url.host}")
        response = await app.handle_async_request(request)
        self.exchanges.append((request, response))
        return response
