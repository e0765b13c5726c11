"""Slack's rate limits, as the fake Slack can enforce them (off unless a test or benchmark turns them on).

Token buckets like Slack's: one per method (workspace-wide) and, for posting methods, one per channel. A
call over a limit is answered 429 with a Retry-After, which is what the delivery worker must cope with.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

PER_CHANNEL_METHODS = frozenset({"chat.postMessage", "chat.update", "chat.postEphemeral"})


@dataclass
class _Bucket:
    rate: float
    capacity: float
    tokens: float
    at: float

    def take(self, now: float) -> float:
        """0 if a token was taken; else seconds until one is there."""
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class RateLimits:
    """`methods`: method → (per second, burst); `per_channel`: (per second, burst) for posting methods."""

    methods: dict[str, tuple[float, float]]
    per_channel: tuple[float, float] | None = None
    limited: int = 0  # 429s answered
    _buckets: dict[tuple[str, str], _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, method: str, args: dict[str, Any]) -> int | None:
        """None when the call may go through; else the Retry-After (seconds) to answer with."""
        now = time.monotonic()
        with self._lock:
            waits = []
            if method in self.methods:
                waits.append(self._bucket(method, "", self.methods[method], now).take(now))
            channel = str(args.get("channel") or "")
            if self.per_channel and method in PER_CHANNEL_METHODS and channel:
                waits.append(self._bucket("channel", channel, self.per_channel, now).take(now))
            wait = max(waits, default=0.0)
            if wait <= 0:
                return None
            self.limited += 1
            return max(1, math.ceil(wait))

    def _bucket(self, kind: str, key: str, limit: tuple[float, float], now: float) -> _Bucket:
        bucket = self._buckets.get((kind, key))
        if bucket is None:
            rate, burst = limit
            bucket = self._buckets[(kind, key)] = _Bucket(rate, burst, burst, now)
        return bucket
