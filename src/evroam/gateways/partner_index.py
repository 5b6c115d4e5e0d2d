"""Partners as last read, for the lookups every partner push makes.

A push (T/CEC notification, OCPI PUT/PATCH) names its sender by OperatorID or
credentials token. Reading the partners table for each one (and decrypting
every partner's secrets) made lookups the costliest part of a push, on the
event loop. The index keeps the partners in memory: a lookup reads nothing
while the snapshot is younger than ``ttl_s``; a miss re-reads at once (at most
every ``min_reload_s``), so a partner another worker has just added (an OCPI CPO
answering our handshake there) is found; writes through this process
invalidate it. A change another worker makes to a known partner (new secrets)
shows here within ``ttl_s``.

On the event loop's thread the index never reads the table (ADR 0020): the app
calls ``keep_fresh`` off the loop before each partner request (re-reading when
the snapshot is older than ``min_reload_s`` or invalidated), and lookups on the
loop use the snapshot as it is. Elsewhere (worker threads, commands) a stale
snapshot or a miss is read again at once, as before.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Sequence

from evroam.partners.model import Partner
from evroam.partners.ports import PartnerRepository

DEFAULT_TTL_S = 1.0


class PartnerIndex:
    def __init__(
        self,
        partners: PartnerRepository,
        ttl_s: float = DEFAULT_TTL_S,
        min_reload_s: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._partners = partners
        self._ttl_s = ttl_s
        self._min_reload_s = min_reload_s
        self._clock = clock
        self._lock = threading.Lock()
        self._snapshot: tuple[Partner, ...] | None = None
        self._read_at = 0.0
        self._changes = 0  # invalidations: a read begun before one is stale
        self.reads = 0  # how often the table was read (tests, benchmarks)

    def partners(self) -> Sequence[Partner]:
        """Every partner, as read at most ``ttl_s`` ago (on the loop: as last
        read, ``keep_fresh`` reads off it)."""
        snapshot = self._snapshot
        if snapshot is not None and (_on_loop() or self._age() < self._ttl_s):
            return snapshot
        return self._read()

    def first(self, matches: Callable[[Partner], bool]) -> Partner | None:
        """The first partner ``matches`` takes; a miss re-reads the table once."""
        found = next((p for p in self.partners() if matches(p)), None)
        if found is None and self.refresh():
            found = next((p for p in self.partners() if matches(p)), None)
        return found

    def refresh(self) -> bool:
        """Re-read now unless just read (or on the loop's thread); True when it did."""
        if _on_loop() or self._age() < self._min_reload_s:
            return False
        self._read()
        return True

    def keep_fresh(self) -> None:
        """Before a partner request, off the loop: re-read a snapshot older than
        ``min_reload_s`` (a partner another worker has just added is found)."""
        if self._snapshot is None or self._age() >= self._min_reload_s:
            self._read()

    def invalidate(self) -> None:
        """This process changed a partner: the next lookup off the loop, or the
        next ``keep_fresh``, reads again."""
        with self._lock:
            self._read_at = float("-inf")
            self._changes += 1

    def _age(self) -> float:
        return self._clock() - self._read_at

    def _read(self) -> tuple[Partner, ...]:
        # Read outside the lock: lookups on the loop never wait for a read.
        with self._lock:
            started, changes = self._clock(), self._changes
        snapshot = tuple(self._partners.list())
        with self._lock:
            if changes == self._changes and started >= self._read_at:
                self._snapshot, self._read_at = snapshot, started
            elif self._snapshot is None:
                self._snapshot = snapshot  # stale at once: read again next time
            self.reads += 1
        return snapshot


def _on_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


__all__ = ["DEFAULT_TTL_S", "PartnerIndex"]
