"""A sentence for people with its code and parameters (ADR 0045)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from evroam.shared.message import Message, MessageParam

__all__ = ["MessagePublic", "message_public"]


class MessagePublic(BaseModel):
    code: str = Field(examples=["trip.slower_chargers"])
    params: dict[str, MessageParam] = Field(
        description="the values the sentence names, by name"
    )
    text: str = Field(description="the sentence in English")


def message_public(message: Message) -> MessagePublic:
    return MessagePublic(
        code=message.code, params=dict(message.params), text=message.text
    )
