"""Every ```console block of the README runs, as written, against a live demo hub.

One `evroam demo` (the real command, its three partner simulators serving the
stations of a small area, on free ports) serves every block; the blocks run in
order in one bash session, in the demo's directory, so `var/evroam.db` is the demo's
database. The only change made to a command is the hub's port (8000 in the README).
Outputs are compared as `tests/docs/normalise.py` documents.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.docs.normalise import matches, normalise
from tests.docs.readme import (
    LATER_TIMEOUT_S,
    NOT_RUN,
    README,
    Block,
    Command,
    Shell,
    console_blocks,
    shell_environment,
)
from tests.e2e.processes import Demo, running

# With the other real-process tests: one at a time, so none starves another of CPU.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

# Shanghai, Suzhou and Jiaxing: all three partners, 1,750 piles (README, ADR 0017).
README_AREA = "120.5,30.7,121.9,31.7"
README_HUB = "127.0.0.1:8000"
COLUMNS = 200  # the terminal width the README's tables were printed at (no wraps)

BLOCKS = console_blocks(README.read_text())
RUN = [block for block in BLOCKS if block.is_run]


@dataclass(frozen=True, slots=True)
class Ran:
    command: Command
    printed: str


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Ran]]:
    """Every runnable block, run once in README order (whatever order the tests
    run in), with what each command printed; and the demo's own output."""
    demo = Demo(Path(tmp_path_factory.mktemp("readme")), README_AREA)
    results: dict[str, list[Ran]] = {}
    with running(demo):
        demo.start()
        bash = Shell(
            demo.directory, shell_environment(Path(sys.executable).parent, COLUMNS)
        )
        try:
            for block in RUN:
                results[block.name] = [
                    Ran(command, run_until_shown(bash, demo, command))
                    for command in block.commands
                ]
        finally:
            bash.close()
            results["demo"] = [Ran(Command("evroam demo", ""), demo.output())]
    return results


def run_until_shown(bash: Shell, demo: Demo, command: Command) -> str:
    text = command.text.replace(README_HUB, f"127.0.0.1:{demo.port}")
    deadline = time.monotonic() + LATER_TIMEOUT_S
    while True:
        actual = bash.run(text)
        if matches(command.shown, actual) or not command.waits:
            return actual
        if time.monotonic() > deadline:
            return actual
        time.sleep(1)


@pytest.mark.parametrize("block", RUN, ids=[b.name for b in RUN])
def test_the_block_runs_as_written_and_shows_what_the_readme_shows(
    ran: dict[str, list[Ran]], block: Block
):
    for run in ran[block.name]:
        command, actual = run.command, run.printed
        assert matches(command.shown, actual), (
            f"{block.name}: $ {command.text}\n--- README shows\n{command.shown}\n"
            f"--- it printed\n{actual}\n--- normalised, README\n"
            f"{normalise(command.shown)}\n--- normalised, printed\n{normalise(actual)}"
            f"\n--- the demo's output\n{ran['demo'][0].printed[-3000:]}"
        )


def test_the_api_and_cli_walk_throughs_are_run():
    assert len(RUN) >= 3
    commands = [c.text for block in RUN for c in block.commands]
    assert any("curl" in c for c in commands)
    assert any(c.startswith("evroam ") for c in commands)


def test_every_block_that_is_not_run_says_why():
    lines = README.read_text().splitlines()
    for block in BLOCKS:
        if not block.is_run:
            marker = lines[block.line - 2].strip()
            assert marker.startswith(f"{NOT_RUN}:"), (block.name, marker)
            assert len(marker) > len(f"{NOT_RUN}: -->") + 10, (block.name, marker)
