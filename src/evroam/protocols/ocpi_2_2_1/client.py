"""OCPI 2.2.1 HTTP client: registration, paginated pulls, and receiver pushes.

The ``httpx.AsyncClient`` is injected (tests pass one over ``ASGITransport`` or
``MockTransport``). Every answer is unwrapped from the OCPI response envelope;
anything but status 1000 raises an ``OcpiError`` (see ``errors.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import urljoin

import httpx
from pydantic import BaseModel, ValidationError

from evroam.protocols.ocpi_2_2_1.datatypes import OcpiModel, format_datetime
from evroam.protocols.ocpi_2_2_1.enums import VERSION, InterfaceRole, ModuleId
from evroam.protocols.ocpi_2_2_1.errors import (
    ClientApiUnusableError,
    NoMatchingEndpointsError,
    OcpiError,
    OcpiHttpError,
    UnsupportedVersionError,
    error_for,
)
from evroam.protocols.ocpi_2_2_1.lenient import is_lenient_success
from evroam.protocols.ocpi_2_2_1.message_ids import log_exchange, outgoing_ids
from evroam.protocols.ocpi_2_2_1.models import (
    EVSE,
    Connector,
    Credentials,
    CredentialsRole,
    Endpoint,
    EvsePatch,
    Location,
    OcpiResponse,
    Tariff,
    Version,
    VersionDetails,
)
from evroam.protocols.ocpi_2_2_1.tokens import authorization_header

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Registration:
    """What a finished credentials handshake leaves us with."""

    token_c: str
    version_url: str
    endpoints: tuple[Endpoint, ...]
    roles: tuple[CredentialsRole, ...]

    @property
    def endpoint_urls(self) -> dict[str, str]:
        """Module id -> URL; the peer's SENDER interface wins when it has both."""
        urls: dict[str, str] = {}
        for ep in sorted(self.endpoints, key=lambda e: e.role is InterfaceRole.SENDER):
            urls[ep.identifier] = ep.url
        return urls


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a paginated GET, with the objects that failed to parse.

    Transport and format, GET: a client "should at least process the correct
    OCPI objects" of a list, so bad ones are kept aside rather than fatal.
    """

    items: tuple[T, ...]
    rejected: tuple[tuple[Any, str], ...]
    total_count: int | None
    limit: int | None
    next_url: str | None


class OcpiClient:
    """Talks to one peer. ``token`` is the credentials token we present."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        token: str | None = None,
        endpoints: Sequence[Endpoint] = (),
        encode_token: bool = True,
    ) -> None:
        self._http = http
        self.token = token
        self.endpoints = tuple(endpoints)
        self._encode = encode_token

    # --- versions and credentials --------------------------------------------

    async def fetch_endpoints(
        self, versions_url: str, token: str | None = None
    ) -> tuple[str, tuple[Endpoint, ...]]:
        """Version 2.2.1's details URL and endpoints, read from a versions URL."""
        token = token or self.token
        versions = await self._request("GET", versions_url, token=token)
        chosen = _pick_version(_parse_list(Version, versions))
        details = await self._request("GET", chosen.url, token=token)
        parsed = _parse(VersionDetails, details)
        return chosen.url, tuple(parsed.endpoints)

    async def register(
        self,
        versions_url: str,
        token_a: str,
        our_versions_url: str,
        our_token_b: str,
        our_role: CredentialsRole,
    ) -> Registration:
        """Credentials module, registration: TOKEN_A -> send B -> receive C.

        The caller must already accept ``our_token_b`` on its own versions
        endpoints: the peer calls them back while answering the POST.
        """
        version_url, endpoints = await self.fetch_endpoints(versions_url, token_a)
        credentials_url = _endpoint_url(endpoints, ModuleId.CREDENTIALS, None)
        if credentials_url is None:
            raise NoMatchingEndpointsError("peer has no credentials endpoint")
        ours = Credentials(token=our_token_b, url=our_versions_url, roles=[our_role])
        answer = await self._request(
            "POST", credentials_url, token=token_a, json=_dump(ours)
        )
        theirs = _parse(Credentials, answer)
        self.token = theirs.token
        self.endpoints = endpoints
        return Registration(theirs.token, version_url, endpoints, tuple(theirs.roles))

    async def unregister(self) -> None:
        await self._request("DELETE", self._url(ModuleId.CREDENTIALS, None))

    # --- pulling from a CPO's Sender interfaces -------------------------------

    async def iter_location_bodies(self, page_limit: int = 100) -> AsyncIterator[Any]:
        """Each page of the Locations as sent (an envelope, or the bare array
        some CPOs send), for ``lenient.read_locations``; follows ``Link``."""
        next_url: str | None = self._url(ModuleId.LOCATIONS, InterfaceRole.SENDER)
        params: dict[str, str | int] | None = {"offset": 0, "limit": page_limit}
        while next_url is not None:
            response = await self._send("GET", next_url, params)
            params = None  # the next link carries them
            yield _body(response)
            link = response.links.get("next")
            next_url = urljoin(str(response.url), link["url"]) if link else None

    async def iter_location_pages(
        self,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        page_limit: int = 100,
    ) -> AsyncIterator[Page[Location]]:
        url = self._url(ModuleId.LOCATIONS, InterfaceRole.SENDER)
        async for page in self._pages(Location, url, date_from, date_to, page_limit):
            yield page

    async def iter_locations(
        self,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        page_limit: int = 100,
    ) -> AsyncIterator[Location]:
        async for page in self.iter_location_pages(date_from, date_to, page_limit):
            for location in page.items:
                yield location

    async def iter_tariffs(
        self,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        page_limit: int = 100,
    ) -> AsyncIterator[Tariff]:
        url = self._url(ModuleId.TARIFFS, InterfaceRole.SENDER)
        async for page in self._pages(Tariff, url, date_from, date_to, page_limit):
            for tariff in page.items:
                yield tariff

    async def get_location(self, location_id: str) -> Location:
        url = self._url(ModuleId.LOCATIONS, InterfaceRole.SENDER)
        return _parse(Location, await self._request("GET", f"{url}/{location_id}"))

    # --- pushing to an eMSP's Receiver interface (the CPO simulator) ----------

    async def push_location(self, location: Location) -> None:
        """PUT the full Location to the receiver (replaces what it holds)."""
        await self._put(_object_url(self._receiver(), location), location)

    async def push_evse(self, location: Location, evse: EVSE) -> None:
        await self._put(f"{_object_url(self._receiver(), location)}/{evse.uid}", evse)

    async def push_connector(
        self, location: Location, evse_uid: str, connector: Connector
    ) -> None:
        base = _object_url(self._receiver(), location)
        await self._put(f"{base}/{evse_uid}/{connector.id}", connector)

    async def patch_evse(
        self,
        country_code: str,
        party_id: str,
        location_id: str,
        evse_uid: str,
        patch: EvsePatch,
    ) -> None:
        """PATCH an EVSE (typically its status); ``patch`` carries last_updated."""
        url = f"{self._receiver()}/{country_code}/{party_id}/{location_id}/{evse_uid}"
        body = patch.model_dump(mode="json", exclude_unset=True)
        await self._request("PATCH", url, json=body)

    # --- plumbing --------------------------------------------------------------

    def _receiver(self) -> str:
        return self._url(ModuleId.LOCATIONS, InterfaceRole.RECEIVER)

    def _url(self, module: str, role: InterfaceRole | None) -> str:
        url = _endpoint_url(self.endpoints, module, role)
        if url is None:
            raise NoMatchingEndpointsError(f"peer has no {module} endpoint")
        return url

    async def _put(self, url: str, obj: BaseModel) -> None:
        await self._request("PUT", url, json=_dump(obj))

    async def _pages(
        self,
        model: type[M],
        url: str,
        date_from: datetime | None,
        date_to: datetime | None,
        page_limit: int,
    ) -> AsyncIterator[Page[M]]:
        params: dict[str, str | int] = {"offset": 0, "limit": page_limit}
        if date_from is not None:
            params["date_from"] = format_datetime(date_from)
        if date_to is not None:
            params["date_to"] = format_datetime(date_to)
        next_url: str | None = url
        first = True
        while next_url is not None:
            response = await self._send("GET", next_url, params if first else None)
            first = False
            page = _page(model, response)
            yield page
            next_url = page.next_url

    async def _request(
        self,
        method: str,
        url: str,
        *,
        token: str | None = None,
        json: Any = None,
    ) -> Any:
        response = await self._send(method, url, None, token=token, json=json)
        return _unwrap(response)

    async def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, str | int] | None,
        *,
        token: str | None = None,
        json: Any = None,
    ) -> httpx.Response:
        token = token or self.token
        headers = request_headers(token, encode=self._encode)
        return await _exchange(self._http, method, url, params, json, headers)


async def ocpi_call(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    token: str | None,
    body: OcpiModel | None = None,
) -> Any:
    """One OCPI request (for modules ``OcpiClient`` does not cover); the answer's
    ``data``, or the matching ``OcpiError``."""
    json = body.model_dump(mode="json", exclude_none=True) if body else None
    response = await _exchange(http, method, url, None, json, request_headers(token))
    try:
        envelope = OcpiResponse[Any].model_validate_json(response.content)
    except ValidationError as exc:
        raise OcpiHttpError(
            f"HTTP {response.status_code}, not an OCPI response",
            http_status=response.status_code,
        ) from exc
    if envelope.status_code != 1000 or response.status_code >= 400:
        message = envelope.status_message or ""
        raise error_for(envelope.status_code, message, response.status_code)
    return envelope.data


async def ocpi_page(
    http: httpx.AsyncClient, url: str, token: str | None
) -> tuple[list[Any], str | None]:
    """One page of a paginated GET: its raw items and the next page's URL."""
    response = await _exchange(http, "GET", url, None, None, request_headers(token))
    data = _unwrap(response)
    if not isinstance(data, list):
        raise OcpiHttpError("paginated answer whose data is not a list")
    link = response.links.get("next")
    return data, urljoin(str(response.url), link["url"]) if link else None


def request_headers(token: str | None, *, encode: bool = True) -> dict[str, str]:
    """Authorization (when we have a token) and the unique message IDs."""
    headers = outgoing_ids()
    if token is not None:
        headers["Authorization"] = authorization_header(token, encode=encode)
    return headers


async def _exchange(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    params: Mapping[str, str | int] | None,
    json: Any,
    headers: dict[str, str],
) -> httpx.Response:
    try:
        response = await http.request(
            method, url, params=params, json=json, headers=headers
        )
    except httpx.HTTPError as exc:
        raise ClientApiUnusableError(f"{method} {url}: {exc}") from exc
    log_exchange("->", method, url, response.status_code, headers)
    return response


def _dump(obj: BaseModel) -> Any:
    return obj.model_dump(mode="json", exclude_none=True)


def _object_url(receiver: str, location: Location) -> str:
    return f"{receiver}/{location.country_code}/{location.party_id}/{location.id}"


def _endpoint_url(
    endpoints: Sequence[Endpoint], module: str, role: InterfaceRole | None
) -> str | None:
    matches = [e for e in endpoints if e.identifier == module]
    preferred = [e for e in matches if role is None or e.role is role]
    chosen = preferred or matches
    return chosen[0].url if chosen else None


def _pick_version(versions: Sequence[Version]) -> Version:
    for version in versions:
        if version.version == VERSION:
            return version
    raise UnsupportedVersionError(f"peer does not offer OCPI {VERSION}")


def _unwrap(response: httpx.Response) -> Any:
    """The ``data`` of an OCPI answer, or the matching ``OcpiError``."""
    try:
        envelope = OcpiResponse[Any].model_validate_json(response.content)
    except ValidationError as exc:
        message = f"HTTP {response.status_code}, not an OCPI response"
        if response.status_code in (401, 405):
            raise error_for(2000, message, response.status_code) from exc
        raise OcpiHttpError(message, http_status=response.status_code) from exc
    if envelope.status_code != 1000 or response.status_code >= 400:
        message = envelope.status_message or ""
        raise error_for(envelope.status_code, message, response.status_code)
    return envelope.data


def _body(response: httpx.Response) -> Any:
    """A page's JSON: a bare array as is, an envelope once it says 1000."""
    try:
        body = response.json()
    except ValueError as exc:
        raise OcpiHttpError(
            f"HTTP {response.status_code}, not JSON", http_status=response.status_code
        ) from exc
    if response.status_code < 400 and is_lenient_success(body):
        return body  # a bare array, or "status_code": "Success" (lenient.QUIRKS)
    _unwrap(response)  # raises the OCPI error of a refusal
    return body


def _page(model: type[M], response: httpx.Response) -> Page[M]:
    data = _unwrap(response)
    if not isinstance(data, list):
        raise OcpiHttpError("paginated answer whose data is not a list")
    items: list[M] = []
    rejected: list[tuple[Any, str]] = []
    for raw in data:
        try:
            items.append(model.model_validate(raw))
        except ValidationError as exc:
            rejected.append((raw, str(exc)))
    link = response.links.get("next")
    next_url = urljoin(str(response.url), link["url"]) if link else None
    return Page(
        tuple(items),
        tuple(rejected),
        _int_header(response, "X-Total-Count"),
        _int_header(response, "X-Limit"),
        next_url,
    )


def _int_header(response: httpx.Response, name: str) -> int | None:
    value = response.headers.get(name)
    return int(value) if value is not None and value.strip().isdigit() else None


def _parse(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise OcpiHttpError(f"invalid {model.__name__} from peer: {exc}") from exc


def _parse_list(model: type[M], data: Any) -> list[M]:
    if not isinstance(data, list):
        raise OcpiHttpError(f"expected a list of {model.__name__}")
    return [_parse(model, item) for item in data]


__all__ = [
    "OcpiClient",
    "OcpiError",
    "Page",
    "Registration",
    "ocpi_call",
    "ocpi_page",
    "request_headers",
]
