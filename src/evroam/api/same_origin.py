"""Cookie-authenticated writes must come from this site's own pages (ADR 0036).

The session cookie is ``SameSite=Strict``, so other sites' pages never send it,
and API bodies must be JSON (ADR 0017), which another origin can only send after
a CORS preflight we never grant. This is the third lock: a page of another
*origin* on the same *site* (another port of 127.0.0.1, another subdomain) does
get the cookie, so a browser request that names another origin in ``Origin``
(or says ``Sec-Fetch-Site`` other than same-origin) is refused before anything
runs. A client that sends neither header is not a browser page: curl, the CLI.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from evroam.shared.errors import EvroamError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CrossOriginRequestError(EvroamError):
    """A browser request from another origin tried to use the session cookie."""


def _netloc(url: str) -> str:
    return urlsplit(url).netloc.lower()


def require_same_origin(request: Request, public_url: str) -> None:
    """Refuse an unsafe request whose browser says it came from elsewhere.

    The origin must be the host the browser addressed (``Host``) or the hub's
    configured public URL; the scheme is not compared, so a hub behind a TLS
    proxy that speaks plain HTTP to it still matches its own pages.
    """
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin is not None:
        mine = {request.headers.get("host", "").lower(), _netloc(public_url)}
        if origin == "null" or _netloc(origin) not in mine:
            raise CrossOriginRequestError(
                f"a request from {origin} may not use this site's session"
            )
        return
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        raise CrossOriginRequestError(
            f"a {fetch_site} request may not use this site's session"
        )
