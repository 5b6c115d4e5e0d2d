"""The web app's message catalogues: complete, current, compiled as the page needs."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from evroam.web.build import LOCALE_DIR, WEB_DIR, compile_catalogue
from evroam.web.i18n import choose_locale, page_locale

KEYWORDS = {"t": None, "nt": (1, 2), "_": None}


def source_messages() -> set[str]:
    found = extract_from_dir(
        str(WEB_DIR),
        method_map=[("static/**.js", "javascript"), ("templates/**.html", "jinja2")],
        keywords=KEYWORDS,
    )
    return {m[2] if isinstance(m[2], str) else m[2][0] for m in found}


def catalogue_messages(path: Path) -> dict[str, object]:
    with path.open("rb") as source:
        return {
            (m.id if isinstance(m.id, str) else m.id[0]): m.string
            for m in read_po(source)
            if m.id
        }


class TestCatalogues:
    def test_every_string_of_the_page_is_in_the_chinese_catalogue(self):
        po = catalogue_messages(LOCALE_DIR / "zh_CN/LC_MESSAGES/messages.po")
        missing = source_messages() - set(po)
        assert not missing, f"run `make messages`, then translate: {sorted(missing)}"

    def test_the_extractor_misses_no_literal_string_of_the_scripts(self):
        # Babel's JavaScript lexer silently skips some calls (e.g. a t() after a
        # ternary inside an object literal): their text would never be translated.
        # A plain reading of every t("…") / nt("…") finds them.
        literal = re.compile(r'\b(?:t|nt)\(\s*"((?:[^"\\]|\\.)*)"')
        joined = re.compile(r'"\s*\+\s*\n\s*"')  # "a " +\n "b" is one string
        written = set()
        for script in (WEB_DIR / "static").glob("*.js"):
            code = joined.sub("", script.read_text(encoding="utf-8"))
            code = re.sub(r"^\s*//.*$", "", code, flags=re.MULTILINE)  # comments
            written |= {m.replace('\\"', '"') for m in literal.findall(code)}
        skipped = written - source_messages()
        assert not skipped, f"write these t() calls so Babel sees them: {skipped}"

    def test_every_chinese_message_is_translated(self):
        po = catalogue_messages(LOCALE_DIR / "zh_CN/LC_MESSAGES/messages.po")
        empty = [k for k, v in po.items() if not v or v == ("",) or v == ("", "")]
        assert empty == []

    def test_compiling_keeps_placeholders(self):
        compiled = compile_catalogue(LOCALE_DIR / "zh_CN/LC_MESSAGES/messages.po")
        for message, text in compiled.items():
            forms = text if isinstance(text, list) else [text]
            for placeholder in set(re.findall(r"\{\w+\}", message)):
                assert all(placeholder in form for form in forms), message


class TestChoosingALanguage:
    def test_the_browser_decides_unless_told(self):
        assert choose_locale(None, None, "zh-CN,zh;q=0.9,en;q=0.8") == "zh-CN"
        assert choose_locale(None, None, "en-GB,en;q=0.9,zh;q=0.5") == "en"
        assert choose_locale(None, None, "fr-FR, zh-TW;q=0.4") == "zh-CN"
        assert choose_locale(None, None, None) == "en"

    def test_an_explicit_choice_beats_the_cookie_and_the_browser(self):
        assert choose_locale("en", "zh-CN", "zh-CN") == "en"
        assert choose_locale(None, "en", "zh-CN") == "en"
        assert choose_locale("xx", None, "zh") == "zh-CN"

    def test_english_is_the_source_and_needs_no_catalogue(self):
        english = page_locale("en")
        assert english.gettext("Filters") == "Filters"
        assert english.ngettext("{count} pile", "{count} piles", 2) == "{count} piles"
