"""How the README's shown output is compared with a real run's output.

Both texts pass through the same patterns (``PATTERNS``), in this order, before they
are compared:

- colours: ANSI escape sequences are removed;
- the hub's port: ``127.0.0.1:<digits>`` becomes ``127.0.0.1:<port>``;
- cursors: the value of ``"next_cursor"`` becomes ``<cursor>``;
- tokens: ``evr_`` and the URL-safe characters after it become ``evr_<token>``;
- ids: ``acc_``, ``pi_``, ``rct_``, ``hold_`` and what follows become ``acc_<id>`` ...;
- session ids: 12 to 40 upper-case letters and digits, with both, become ``<session>``;
- times: ISO 8601 date-times and ``H:MM:SS`` clock times become ``<time>``;
- durations: a number then ``ms``, ``s`` or ``min`` becomes ``<duration>``;
- tariff periods: ``sharp``, ``peak``, ``flat``, ``valley`` become ``<period>``;
- map status: ``"status":"free|busy|offline|unknown"`` becomes ``<map-status>``;
- counts, money, coordinates: every other run of digits (``1,750``, ``0.3210``)
  becomes ``<n>``;
- table rules: runs of box-drawing lines become one;
- layout: all whitespace (line wraps, column padding, centred titles) is removed.

Then an ellipsis ``…`` in the README's output stands for any text (the README elides
what is long), and the rest must match exactly: field names and their order, words,
session states (``requested``, ``charging``, ``stopping``), error titles and details,
station names and addresses. So the live figures of a demo (prices at the hour of the
run, busy piles, energy charged in the seconds it ran) may differ from those shown,
while a renamed field, another status or another error fails the test.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"

PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\x1b\[[0-9;]*[A-Za-z]", ""),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:<port>"),
        (r'"next_cursor":"[^"]*"', '"next_cursor":"<cursor>"'),
        (r"\bevr_[A-Za-z0-9_-]+", "evr_<token>"),
        (r"\b(acc|pi|rct|hold)_[A-Za-z0-9]+", r"\1_<id>"),
        (r"\b(?=[0-9A-Z]*\d)(?=[0-9A-Z]*[A-Z])[0-9A-Z]{12,40}\b", "<session>"),
        (
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?",
            "<time>",
        ),
        (r"\b\d{1,2}:\d{2}:\d{2}\b", "<time>"),
        (r"\b\d+(\.\d+)?\s?(ms|s|min)\b", "<duration>"),
        (r"\b(sharp|peak|flat|valley)\b", "<period>"),
        (r'"status":"(free|busy|offline|unknown)"', '"status":"<map-status>"'),
        (r"\d+(?:[.,]\d+)*", "<n>"),
        (r"[─━═]+", "─"),
        (r"\s+", ""),
    )
)


def normalise(text: str) -> str:
    """``text`` with every varying part replaced as the module docstring says."""
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def matches(shown: str, actual: str) -> bool:
    """Does a real run's ``actual`` output match what the README ``shown``?"""
    parts = [re.escape(normalise(part)) for part in shown.split(ELLIPSIS)]
    return re.fullmatch(".*?".join(parts), normalise(actual), re.DOTALL) is not None
