"""T/CEC replay protection shared by every API worker, kept in Redis.

Seen (OperatorID, TimeStamp, Seq) keys live until their window closes. Keys
start with the hub's namespace, so two hubs sharing one Redis never take each
other's envelopes for replays.
"""

from __future__ import annotations

import math
import secrets
from datetime import datetime

import redis


class RedisReplayGuard:
    def __init__(self, url: str, namespace: str = "evroam") -> None:
        self._redis = redis.Redis.from_url(url)
        self._prefix = f"{namespace}:tcec-seen:"

    def first_time(
        self, key: tuple[str, str, str], keep_until: datetime, now: datetime
    ) -> bool:
        ttl_ms = max(1, math.ceil((keep_until - now).total_seconds() * 1000))
        name = self._prefix + "|".join(key)
        # SET NX: only the first worker to see the key succeeds. The value is
        # this call's own mark: redis-py resends a command whose answer was
        # lost, and finding our own mark means that resend, not a replay.
        mark = secrets.token_hex(8).encode()
        if self._redis.set(name, mark, nx=True, px=ttl_ms):
            return True
        return bool(self._redis.get(name) == mark)
