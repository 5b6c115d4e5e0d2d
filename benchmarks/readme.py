"""Render the README's generated parts from ``benchmarks/results/*.json``.

    python benchmarks/readme.py          # rewrite README.md (what `make readme` does)
    python benchmarks/readme.py --check  # exit 1 if README.md differs from the render

Two parts are generated, each between ``<!-- generated:NAME … -->`` and
``<!-- /generated:NAME -->``: ``make-test`` (the output of `make test`, with the
test and source-file counts, from ``make_test.json``) and ``figures`` (the figures
table, one or more rows per results file, in ``ORDER``). Nothing here measures.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
RESULTS = Path(__file__).parent / "results"
ORDER = (
    "geo_search",
    "generate_national",
    "map_reference",
    "status_ingest",
    "live_status",
    "partner_pull",
    "ledger",
    "quote",
    "settlement",
    "session_start",
    "start_retries",
    "interleavings",
    "crash_recovery",
    "recommend",
    "availability",
    "analytics",
    "demo_fresh_clone",
    "demo_dashboard",
    "trip",
    "live_bytes",
    "sse_clients",
    "trip_success",
    "migrate",
    "tokens",
    "token_authorize",
    "real_feeds",
)
MAKE_TEST_COMMAND = (
    "$ make test          # creates .venv, installs with test extras, "
    "lint + types + import contracts + suite"
)


def load(results: Path = RESULTS) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(results.glob("*.json"))}


def _when(record: dict[str, Any]) -> str:
    if record["status"] == "measured":
        return f"{record['date']}, {record['commit']}"
    return f"{record['date']} ({record['status']})"


def figures_table(records: dict[str, dict[str, Any]]) -> list[str]:
    missing = [name for name in ORDER if name not in records]
    unknown = [name for name in records if name not in (*ORDER, "make_test")]
    if missing or unknown:
        raise SystemExit(f"results: missing {missing}, not in ORDER {unknown}")
    lines = [
        "| what (issue's target) | measured | script | when |",
        "| --- | --- | --- | --- |",
    ]
    for name in ORDER:
        record = records[name]
        for r in record["rows"]:
            measured = r["measured"]
            if record["status"] == "pending":
                measured += f" — **pending**: {record['pending']}"
            lines.append(
                f"| {r['what']} | {measured} | {r['script']} | {_when(record)} |"
            )
    return lines


def make_test_block(record: dict[str, Any]) -> list[str]:
    return [
        "<!-- not-run: it is the whole suite, which runs this README; .ci/run runs make"
        " test -->",
        "```console",
        MAKE_TEST_COMMAND,
        *record["output"],
        "```",
        f"The output above is from {record['source']}, {_when(record)}.",
    ]


def _between(text: str, name: str, lines: list[str]) -> str:
    pattern = re.compile(
        rf"(<!-- generated:{name}\b[^\n]*-->\n).*?(<!-- /generated:{name} -->)",
        re.DOTALL,
    )
    if not pattern.search(text):
        raise SystemExit(f"README.md has no generated:{name} markers")
    body = "\n".join(lines) + "\n"
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text, count=1)


def render(text: str, records: dict[str, dict[str, Any]]) -> str:
    """``text`` (the README) with both generated parts rendered from ``records``."""
    text = _between(text, "make-test", make_test_block(records["make_test"]))
    return _between(text, "figures", figures_table(records))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    current = README.read_text()
    rendered = render(current, load())
    if args.check:
        if rendered != current:
            print("README.md differs from `make readme`; run it", file=sys.stderr)
            raise SystemExit(1)
        return
    README.write_text(rendered)
    print("README.md rendered from benchmarks/results/*.json")


if __name__ == "__main__":
    main()
