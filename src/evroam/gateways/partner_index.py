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
"""

from __future__ import annotations

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
        self.reads = 0  # how often the table was read (tests, benchmarks)

    def partners(self) -> Sequence[Partner]:
        """Every partner, as read at most ``ttl_s`` ago."""
        with self._lock:
            if self._snapshot is None or self._age() >= self._ttl_s:
                self._read()
            assert self._snapshot is not None
            return self._snapshot

    def first(self, matches: Callable[[Partner], bool]) -> Partner | None:
        """The first partner ``matches`` takes; a miss re-reads the table once."""
        found = next((p for p in self.partners() if matches(p)), None)
        if found is None and self.refresh():
            found = next((p for p in self.partners() if matches(p)), None)
        return found

    def refresh(self) -> bool:
        """Re-read now unless just read; True when it did."""
        with self._lock:
            if self._snapshot is not None and self._age() < self._min_reload_s:
                return False
            self._read()
            return True

    def invalidate(self) -> None:
        with self._lock:
            self._snapshot = None

    def _age(self) -> float:
        return self._clock() - self._read_at

    def _read(self) -> None:
        self._snapshot = tuple(self._partners.list())
        self._read_at = self._clock()
        self.reads += 1


__all__ = ["DEFAULT_TTL_S", "PartnerIndex"]
