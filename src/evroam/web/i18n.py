"""Which language a page is in, and its compiled message catalogue.

The catalogues are Babel ``.po`` files under ``locale/``; ``make web`` compiles each
into ``static/i18n/<tag>.json`` (``evroam.web.build``), which the page embeds and the
templates translate with. English is the source language: its catalogue is empty.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

LOCALES: tuple[str, ...] = ("zh-CN", "en")
DEFAULT_LOCALE = "en"
LOCALE_COOKIE = "evroam_lang"
CATALOGUE_DIR = Path(__file__).parent / "static" / "i18n"


@dataclass(frozen=True, slots=True)
class PageLocale:
    """A language tag and its messages (msgid → msgstr; plurals as lists)."""

    tag: str
    messages: dict[str, str | list[str]] = field(default_factory=dict)

    def gettext(self, message: str) -> str:
        found = self.messages.get(message)
        return found if isinstance(found, str) and found else message

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        found = self.messages.get(singular)
        if isinstance(found, list) and found:
            return found[0] if len(found) == 1 or count == 1 else found[1]
        return singular if count == 1 else plural

    def as_json(self) -> str:
        """The catalogue as JSON, safe inside ``<script type=application/json>``."""
        text = json.dumps({"locale": self.tag, "messages": self.messages})
        return text.replace("</", "<\\/")


def _tag_of(text: str) -> str | None:
    """``zh``, ``zh-cn``, ``zh-Hans-CN``, ``zh_CN`` → ``zh-CN``; ``en-GB`` → ``en``."""
    base = text.strip().replace("_", "-").split("-")[0].lower()
    return {"zh": "zh-CN", "en": "en"}.get(base)


def choose_locale(
    asked: str | None, cookie: str | None, accept_language: str | None
) -> str:
    """``?lang=`` first, then the cookie the switcher set, then the browser's list."""
    for explicit in (asked, cookie):
        if explicit and (tag := _tag_of(explicit)):
            return tag
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        name, _, params = part.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if (tag := _tag_of(name)) and quality > 0:
            ranked.append((-quality, index, tag))
    return min(ranked)[2] if ranked else DEFAULT_LOCALE


@cache
def page_locale(tag: str) -> PageLocale:
    """The compiled catalogue of ``tag`` (English, the source, when not built)."""
    path = CATALOGUE_DIR / f"{tag}.json"
    if tag == DEFAULT_LOCALE or not path.exists():
        return PageLocale(tag)
    body = json.loads(path.read_text(encoding="utf-8"))
    return PageLocale(tag, dict(body["messages"]))
