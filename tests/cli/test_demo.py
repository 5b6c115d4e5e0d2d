"""`evroam demo` before it starts anything: the port probe and keep-or-reset."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evroam.cli.demo import DemoError, keep_or_reset, require_free_port
from evroam.cli.main import app

runner = CliRunner()
TIME_WAIT = "06"  # the state column of /proc/net/tcp


def sockets_in_time_wait(port: int) -> int:
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if int(local.split(":")[1], 16) == port and state == TIME_WAIT:
            count += 1
    return count


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield sock
    sock.close()


def leave_in_time_wait(listener: socket.socket) -> int:
    """A server that closed its connection first, then stopped (as after Ctrl-C)."""
    port = int(listener.getsockname()[1])
    client = socket.create_connection(("127.0.0.1", port))
    served, _ = listener.accept()
    served.close()  # the server closes first: its end goes to TIME_WAIT
    client.recv(1)
    client.close()
    listener.close()
    deadline = time.monotonic() + 5
    while not sockets_in_time_wait(port) and time.monotonic() < deadline:
        time.sleep(0.01)
    return port


class TestThePortProbe:
    def test_a_port_whose_last_connection_is_in_time_wait_is_free(self, listener):
        port = leave_in_time_wait(listener)
        assert sockets_in_time_wait(port) >= 1
        # A probe without SO_REUSEADDR (as before) calls such a port taken …
        with socket.socket() as naive, pytest.raises(OSError, match="in use"):
            naive.bind(("127.0.0.1", port))
        # … while the servers could bind it: the demo says nothing.
        require_free_port("127.0.0.1", port)

    def test_a_port_something_listens_on_is_taken(self, listener):
        port = int(listener.getsockname()[1])
        with pytest.raises(DemoError, match=f"port {port} on 127.0.0.1 is in use"):
            require_free_port("127.0.0.1", port)


class TestKeepOrReset:
    def test_an_existing_database_is_kept_by_default(self, tmp_path):
        db = tmp_path / "var" / "demo.db"
        db.parent.mkdir()
        db.write_bytes(b"accounts")
        said = keep_or_reset(f"sqlite:///{db}", fresh=False)
        assert db.read_bytes() == b"accounts"
        assert said == (
            f"keeping {db} and its accounts (evroam demo --fresh starts over)"
        )

    def test_fresh_empties_it_and_says_so_in_one_line(self, tmp_path):
        db = tmp_path / "demo.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").write_bytes(b"old")
        said = keep_or_reset(f"sqlite:///{db}", fresh=True)
        assert not any(tmp_path.iterdir())
        assert said == f"--fresh: emptied {db}, starting over"

    def test_a_first_run_makes_the_directory(self, tmp_path):
        db = tmp_path / "var" / "demo.db"
        assert keep_or_reset(f"sqlite:///{db}", fresh=True) == f"new {db}"
        assert db.parent.is_dir()

    def test_a_taken_port_stops_even_fresh_before_the_database_is_touched(
        self, tmp_path, listener, monkeypatch
    ):
        monkeypatch.chdir(tmp_path)
        db = tmp_path / "var" / "evroam.db"
        db.parent.mkdir()
        db.write_bytes(b"a driver's wallet")
        port = int(listener.getsockname()[1])
        result = runner.invoke(app, ["demo", "--fresh", "--port", str(port)])
        assert result.exit_code != 0
        assert isinstance(result.exception, DemoError)
        assert "in use" in str(result.exception)
        assert db.read_bytes() == b"a driver's wallet"


class TestInterruptWhenStartedInTheBackground:
    """`make demo &` from a script starts it with SIGINT ignored (CI's smoke test
    did, and Ctrl-C then left the demo running until it was killed)."""

    PROGRAM = (
        "import time, sys\n"
        "from evroam.cli.demo import stop_on_interrupt\n"
        "stop_on_interrupt()\n"
        "try:\n"
        "    print('ready', flush=True)\n"
        "    time.sleep(120)\n"
        "except KeyboardInterrupt:\n"
        "    print('stopped', flush=True)\n"
        "    sys.exit(0)\n"
        "sys.exit(3)\n"
    )

    def run_with_sigint_ignored(self, program: str) -> tuple[int, str]:
        import signal
        import subprocess
        import sys

        proc = subprocess.Popen(
            [sys.executable, "-c", program],
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        return proc.returncode, out

    def test_sigint_stops_the_demo_even_if_it_started_ignoring_it(self) -> None:
        code, out = self.run_with_sigint_ignored(self.PROGRAM)
        assert (code, out.strip()) == (0, "stopped")

    def test_without_it_the_interrupt_would_be_lost(self) -> None:
        program = self.PROGRAM.replace("stop_on_interrupt()\n", "").replace(
            "time.sleep(120)", "time.sleep(3)"
        )
        code, _ = self.run_with_sigint_ignored(program)
        assert code == 3
