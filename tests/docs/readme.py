"""The README's ```console blocks as commands and shown output, and a shell to run them.

A block runs unless the line before its opening fence is an HTML comment that
starts with ``<!-- not-run``. In a block, a line starting with ``$ `` is a command
(continued on the next lines while a line ends in a backslash); the lines up to
the next command are its shown output. A command whose trailing comment says
``later`` waits for something (a partner's reply): the test runs it again until its
output matches, for at most ``LATER_TIMEOUT_S``.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).parents[2] / "README.md"
NOT_RUN = "<!-- not-run"
LATER = re.compile(r"#.*\blater\b")
LATER_TIMEOUT_S = 90.0


@dataclass(frozen=True, slots=True)
class Command:
    text: str  # without the "$ "; continuation lines kept, with their backslashes
    shown: str  # the output the README shows

    @property
    def waits(self) -> bool:
        return bool(LATER.search(self.text.splitlines()[-1]))


@dataclass(frozen=True, slots=True)
class Block:
    line: int  # 1-based line of the opening fence in README.md
    is_run: bool
    commands: tuple[Command, ...]

    @property
    def name(self) -> str:
        return f"README.md:{self.line}"


def console_blocks(text: str) -> list[Block]:
    """Every ```console block of ``text``, in order."""
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```console":
            i += 1
            continue
        end = lines.index("```", i + 1)
        is_run = not (i > 0 and lines[i - 1].strip().startswith(NOT_RUN))
        blocks.append(Block(i + 1, is_run, tuple(commands(lines[i + 1 : end]))))
        i = end + 1
    return blocks


def commands(body: list[str]) -> Iterator[Command]:
    i = 0
    while i < len(body):
        if not body[i].startswith("$ "):
            raise ValueError(f"output before any command: {body[i]!r}")
        text = [body[i][2:]]
        while text[-1].endswith("\\") and i + 1 < len(body):
            i += 1
            text.append(body[i])
        i += 1
        shown = []
        while i < len(body) and not body[i].startswith("$ "):
            shown.append(body[i])
            i += 1
        yield Command("\n".join(text), "\n".join(shown))


class Shell:
    """One bash process: variables and functions defined by one command stay
    for the next, as in the terminal of someone following the README."""

    def __init__(self, cwd: Path, env: Mapping[str, str]) -> None:
        self._proc = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self._lines.put(line)

    def run(self, command: str, timeout_s: float = 60.0) -> str:
        """Run ``command``; its stdout and stderr together."""
        assert self._proc.stdin is not None
        done = f"__readme_done_{uuid.uuid4().hex}__"
        self._proc.stdin.write(f"{command}\nprintf '\\n%s\\n' {done}\n")
        self._proc.stdin.flush()
        deadline = time.monotonic() + timeout_s
        out: list[str] = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{command!r} ran over {timeout_s} s: {out}")
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                continue
            if line.rstrip("\n") == done:
                return "".join(out).removesuffix("\n")
            out.append(line)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self._proc.stdin is not None:
                self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=10)
        if self._proc.stdout is not None:
            self._proc.stdout.close()


def shell_environment(bin_dir: Path, columns: int) -> dict[str, str]:
    """The caller's environment with ``evroam`` on PATH and a fixed terminal width."""
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "COLUMNS": str(columns),
        "LC_ALL": "C.UTF-8",
    }
