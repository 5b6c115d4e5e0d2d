"""Build the web app's generated files (``make web`` runs it; never at run time).

- every ``locale/<ll_CC>/LC_MESSAGES/messages.po`` → ``static/i18n/<ll-CC>.json``
  (Babel reads the catalogue; fuzzy and empty entries are left out);
- the pinned npm packages' files (``frontend/package-lock.json``) → ``static/vendor/``.

    python -m evroam.web.build [--node-modules frontend/node_modules]
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from babel.messages.pofile import read_po

WEB_DIR = Path(__file__).parent
LOCALE_DIR = WEB_DIR / "locale"
CATALOGUE_DIR = WEB_DIR / "static" / "i18n"
VENDOR_DIR = WEB_DIR / "static" / "vendor"

# npm package → files the page loads (ADR 0033: no hand-copied front-end code or data)
VENDOR_FILES: dict[str, tuple[str, ...]] = {
    "world-atlas": ("land-50m.json", "LICENSE"),
    "topojson-client": ("dist/topojson-client.min.js", "LICENSE"),
}


def compile_catalogue(po_file: Path) -> dict[str, str | list[str]]:
    """msgid → msgstr (a list of forms for plurals); untranslated and fuzzy dropped."""
    with po_file.open("rb") as source:
        catalogue = read_po(source)
    messages: dict[str, str | list[str]] = {}
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            forms = [str(s) for s in message.string or () if s]
            if forms:
                messages[str(message.id[0])] = forms
        elif message.string:
            messages[str(message.id)] = str(message.string)
    return messages


def compile_catalogues() -> list[Path]:
    CATALOGUE_DIR.mkdir(parents=True, exist_ok=True)
    written = []
    for po_file in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/messages.po")):
        tag = po_file.parent.parent.name.replace("_", "-")
        target = CATALOGUE_DIR / f"{tag}.json"
        body = {"locale": tag, "messages": compile_catalogue(po_file)}
        target.write_text(
            json.dumps(body, ensure_ascii=False, sort_keys=True), encoding="utf-8"
        )
        written.append(target)
    return written


def copy_vendor(node_modules: Path) -> list[Path]:
    written = []
    for package, files in VENDOR_FILES.items():
        for name in files:
            source = node_modules / package / name
            target = VENDOR_DIR / package / Path(name).name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            written.append(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-modules", type=Path)
    args = parser.parse_args()
    written = compile_catalogues()
    if args.node_modules:
        written += copy_vendor(args.node_modules)
    print(f"evroam.web.build: {len(written)} files")  # noqa: T201 - a build step's one line


if __name__ == "__main__":
    main()
