"""A sentence for people with a stable code and its parameters (ADR 0045).

The hub says things to drivers (a trip's notes, why no trip exists, a receipt's
lines) in English for API clients and logs, and with a ``code`` and ``params`` so
that a client (the web app, a car brand's app) says them in its own language:
the code names the sentence, the parameters fill it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Message", "MessageParam"]

MessageParam = str | int | float
"""A value a sentence names: a place, a count, kilometres, a percentage."""


@dataclass(frozen=True, slots=True)
class Message:
    """``code`` is dotted and stable (``trip.slower_chargers``); ``text`` is the
    English sentence; ``params`` the values the sentence names, by name."""

    code: str
    text: str
    params: tuple[tuple[str, MessageParam], ...] = ()

    @classmethod
    def of(cls, code: str, text: str, **params: MessageParam) -> Message:
        return cls(code, text, tuple(params.items()))

    def params_dict(self) -> Mapping[str, MessageParam]:
        return dict(self.params)

    def __str__(self) -> str:
        return self.text
