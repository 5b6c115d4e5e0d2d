"""Partner traffic (``/ocpi/``, ``/evcs/``) goes straight to the protocol app.

A CPO's real-time authorization or a status push otherwise walked every route
of the driver API and the map before reaching the partner routes, included
last: route matching was the largest share of such a request's CPU. The
dispatch is one prefix test; the partner app holds only the protocol routers
(each renders its own errors in its protocol's format) and the same problem
handlers, so a path under a partner prefix that no route serves is answered as
before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

PARTNER_PREFIXES = ("/ocpi/", "/evcs/")


class PartnerDispatch:
    """ASGI middleware: HTTP requests under ``prefixes`` go to ``partner_app``,
    after ``before`` (the hub: the partner index made fresh off the loop)."""

    def __init__(
        self,
        app: ASGIApp,
        partner_app: ASGIApp,
        prefixes: Sequence[str] = PARTNER_PREFIXES,
        before: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.app = app
        self._partner_app = partner_app
        self._prefixes = tuple(prefixes)
        self._before = before

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self._prefixes):
            if self._before is not None:
                await self._before()
            await self._partner_app(scope, receive, send)
        else:
            await self.app(scope, receive, send)
