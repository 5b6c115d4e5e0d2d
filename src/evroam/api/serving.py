"""ASGI middleware marking everything the app runs as its work, for the loop guard."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from evroam.boundary import serving


class Serving:
    """The outermost middleware: requests, partner pushes and the lifespan (with
    the background tasks it starts) run inside ``boundary.serving()``, so with
    the loop guard on, blocking work they do on the loop's thread raises."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with serving():
            await self.app(scope, receive, send)


__all__ = ["Serving"]
