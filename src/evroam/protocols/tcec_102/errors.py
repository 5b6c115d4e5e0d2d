"""T/CEC protocol errors, each carrying the ``Ret`` code the standard assigns.

EvroamError
└── TcecError(ret, msg)            any T/CEC failure; ``ret`` goes on the wire
    ├── SignatureError       4001  Sig missing or wrong, unknown OperatorID
    ├── TokenError           4002  bearer token missing, unknown or expired
    ├── ParameterError       4003  bad TimeStamp/Seq, replay, bad business field
    │   └── UnsupportedTariffError  PolicyInfos our tariff model cannot hold
    ├── PayloadError         4004  envelope or Data not parseable, too large
    └── ServerError           500  the other side failed
"""

from collections.abc import Callable

from evroam.shared.errors import EvroamError

RET_OK = 0
RET_SIGNATURE = 4001
RET_TOKEN = 4002
RET_PARAMETER = 4003
RET_PAYLOAD = 4004
RET_SYSTEM = 500


class TcecError(EvroamError):
    """A T/CEC failure; ``ret`` is the standard's code, ``msg`` the text sent."""

    def __init__(self, ret: int, msg: str) -> None:
        super().__init__(f"T/CEC Ret {ret}: {msg}")
        self.ret = ret
        self.msg = msg


class SignatureError(TcecError):
    def __init__(self, msg: str = "签名错误") -> None:
        super().__init__(RET_SIGNATURE, msg)


class TokenError(TcecError):
    def __init__(self, msg: str = "Token错误") -> None:
        super().__init__(RET_TOKEN, msg)


class ParameterError(TcecError):
    def __init__(self, msg: str = "参数不合法") -> None:
        super().__init__(RET_PARAMETER, msg)


class UnsupportedTariffError(ParameterError):
    """PolicyInfos that do not fit four time-of-use periods."""


class PayloadError(TcecError):
    def __init__(self, msg: str = "POST参数不合法") -> None:
        super().__init__(RET_PAYLOAD, msg)


class ServerError(TcecError):
    def __init__(self, msg: str = "系统错误") -> None:
        super().__init__(RET_SYSTEM, msg)


def error_for(ret: int, msg: str) -> TcecError:
    """The typed error for a ``Ret`` received from a partner."""
    kinds: dict[int, Callable[[str], TcecError]] = {
        RET_SIGNATURE: SignatureError,
        RET_TOKEN: TokenError,
        RET_PARAMETER: ParameterError,
        RET_PAYLOAD: PayloadError,
        RET_SYSTEM: ServerError,
    }
    kind = kinds.get(ret)
    if kind is None:
        return TcecError(ret, msg)
    return kind(msg)
