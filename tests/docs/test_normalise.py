"""The README test's own rules: what it lets vary and what it still catches."""

from __future__ import annotations

from tests.docs.normalise import matches
from tests.docs.readme import console_blocks

SHOWN = (
    '{"id":"N6PA2OSQAESU2M6NDX","status":"charging",…,"kwh":"0.5",\n'
    ' "created_at":"2026-12-07T17:44:07.487746Z","period":"valley"}'
)


class TestWhatMayVary:
    def test_ids_times_figures_periods_and_line_wraps(self):
        actual = (
            '{"id":"ELOWDC90J3DMVP1ATO","status":"charging","operator":"swapway",'
            '"kwh":"12.25","created_at":"2027-01-02T03:04:05Z","period":"peak"}'
        )
        assert matches(SHOWN, actual)

    def test_a_table_at_another_width_with_other_counts(self):
        shown = "┏━━━━┳━━┓\n┃ a  ┃ b┃\n│ 3/3 │ 18:03:24 │"
        actual = "┏━━━━━━━━┳━━━━┓\n┃ a      ┃ b  ┃\n│ 12/30  │ 09:00:01 │"
        assert matches(shown, actual)

    def test_the_hub_port_and_tokens(self):
        shown = '{"url":"http://127.0.0.1:8000/x","token":"evr_GzmcMKIf…"}'
        actual = '{"url":"http://127.0.0.1:41234/x","token":"evr_0Tv-W_z"}'
        assert matches(shown, actual)


class TestWhatIsStillCaught:
    def test_another_session_status(self):
        actual = SHOWN.replace("charging", "requested").replace("…,", "")
        assert not matches(SHOWN, actual)

    def test_a_renamed_field(self):
        actual = SHOWN.replace('"kwh"', '"energy_kwh"').replace("…,", "")
        assert not matches(SHOWN, actual)

    def test_another_error(self):
        shown = '{"title":"Unsupported media type","status":415}'
        assert not matches(shown, '{"title":"Invalid request","status":422}')
        assert not matches(shown, "curl: (7) Failed to connect")


class TestReadingTheReadme:
    def test_commands_continue_over_backslashes_and_not_run_blocks_are_marked(self):
        text = "\n".join(
            [
                "<!-- not-run: serves until Ctrl-C -->",
                "```console",
                "$ make demo",
                "ready",
                "```",
                "```console",
                "$ curl -s -X POST $H/x \\",
                "    -d '{}'",
                "{}",
                "$ curl -s $H/y      # 15 s later, via T/CEC",
                '{"status":"charging"}',
                "```",
            ]
        )
        first, second = console_blocks(text)
        assert (first.line, first.is_run) == (2, False)
        assert second.is_run
        post, later = second.commands
        assert post.text == "curl -s -X POST $H/x \\\n    -d '{}'"
        assert (post.shown, post.waits) == ("{}", False)
        assert later.waits
