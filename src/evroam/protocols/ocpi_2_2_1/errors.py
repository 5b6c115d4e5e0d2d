"""OCPI 2.2.1 errors: one class per OCPI status code we raise or meet.

    EvroamError
    └── OcpiError                       status_code (OCPI), http_status
        ├── OcpiClientError             2000 generic client error
        │   ├── InvalidParametersError  2001 invalid or missing parameters
        │   ├── NotEnoughInformationError 2002
        │   ├── UnknownLocationError    2003
        │   └── UnknownTokenError       2004
        ├── OcpiServerError             3000 generic server error
        │   ├── ClientApiUnusableError  3001 unable to use the client's API
        │   ├── UnsupportedVersionError 3002
        │   └── NoMatchingEndpointsError 3003
        └── OcpiHttpError               an HTTP-level failure (no OCPI answer)
            ├── UnauthorizedError       HTTP 401: missing or unknown token
            └── MethodNotAllowedError   HTTP 405: credentials call out of turn

``error_for(status_code, message)`` builds the right class from an answer.
"""

from __future__ import annotations

from evroam.shared.errors import EvroamError


class OcpiError(EvroamError):
    """An OCPI exchange ended in something other than status 1000."""

    default_status_code = 2000
    default_http_status = 200

    def __init__(
        self,
        message: str = "",
        *,
        status_code: int | None = None,
        http_status: int | None = None,
    ) -> None:
        self.status_code = status_code or self.default_status_code
        self.http_status = http_status or self.default_http_status
        super().__init__(f"OCPI {self.status_code}: {message}")
        self.message = message


class OcpiClientError(OcpiError):
    default_status_code = 2000


class InvalidParametersError(OcpiClientError):
    default_status_code = 2001


class NotEnoughInformationError(OcpiClientError):
    default_status_code = 2002


class UnknownLocationError(OcpiClientError):
    default_status_code = 2003
    default_http_status = 404


class UnknownTokenError(OcpiClientError):
    default_status_code = 2004


class OcpiServerError(OcpiError):
    default_status_code = 3000
    default_http_status = 500


class ClientApiUnusableError(OcpiServerError):
    default_status_code = 3001
    default_http_status = 200


class UnsupportedVersionError(OcpiServerError):
    default_status_code = 3002
    default_http_status = 200


class NoMatchingEndpointsError(OcpiServerError):
    default_status_code = 3003
    default_http_status = 200


class OcpiHttpError(OcpiError):
    """The peer answered with an HTTP error or with something that is not OCPI."""

    default_status_code = 3000
    default_http_status = 502


class UnauthorizedError(OcpiHttpError):
    default_status_code = 2000
    default_http_status = 401


class MethodNotAllowedError(OcpiHttpError):
    default_status_code = 2000
    default_http_status = 405


_BY_CODE: dict[int, type[OcpiError]] = {
    cls.default_status_code: cls
    for cls in (
        InvalidParametersError,
        NotEnoughInformationError,
        UnknownLocationError,
        UnknownTokenError,
        ClientApiUnusableError,
        UnsupportedVersionError,
        NoMatchingEndpointsError,
    )
}


def error_for(
    status_code: int, message: str = "", http_status: int | None = None
) -> OcpiError:
    """The error class for an OCPI status code (family base for unknown codes)."""
    if http_status == 401:
        return UnauthorizedError(message, status_code=status_code)
    if http_status == 405:
        return MethodNotAllowedError(message, status_code=status_code)
    cls = _BY_CODE.get(status_code)
    if cls is None:
        cls = OcpiClientError if 2000 <= status_code < 3000 else OcpiServerError
    return cls(message, status_code=status_code, http_status=http_status)
