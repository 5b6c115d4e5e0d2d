"""T/CEC replay protection shared by every API worker, kept in Redis.

Seen (OperatorID, TimeStamp, Seq) keys live until their window closes.
"""

from __future__ import annotations

import math
from datetime import datetime

import redis

_PREFIX = "evroam:tcec-seen:"


class RedisReplayGuard:
    def __init__(self, url: str) -> None:
        self._redis = redis.Redis.from_url(url)

    def first_time(
        self, key: tuple[str, str, str], keep_until: datetime, now: datetime
    ) -> bool:
        ttl_ms = max(1, math.ceil((keep_until - now).total_seconds() * 1000))
        # SET NX: only the first worker to see the key succeeds.
        return bool(self._redis.set(_PREFIX + "|".join(key), 1, nx=True, px=ttl_ms))
