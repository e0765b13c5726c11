"""Pacing calls to Slack so the outbox stays under its rate limits instead of provoking 429 storms.

Slack limits each Web API method per app per workspace by tier (Tier 2: 20+/min, Tier 3: 50+/min,
Tier 4: 100+/min) and `chat.postMessage` specially: about one message per second per channel, short
bursts allowed, under a workspace-wide limit (https://docs.slack.dev/apis/web-api/rate-limits).

Two kinds of token bucket, held in the worker (so per process; several replicas each have their own):
- one per method, refilled at its tier's rate;
- one per conversation for the methods that put something in it, refilled at one per second.
A 429 pauses the whole method for its Retry-After, whatever channel it came from.

Time comes from the worker's clock (a datetime), so tests move it by hand instead of sleeping.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

TIER_2, TIER_3, TIER_4 = 20 / 60, 50 / 60, 100 / 60  # requests per second, the tiers' lower bounds

# Per-method budgets: (rate per second, burst). chat.postMessage is Slack's "special" tier: one message a
# second per channel (the per-channel pacing below) under a workspace-wide limit of several hundred a minute;
# 300/min keeps a 200-partnership digest run to about half a minute and leaves Slack's 429s for the rest.
CHAT_POST_MESSAGE = 5.0
METHOD_LIMITS: dict[str, tuple[float, float]] = {
    "chat.postMessage": (CHAT_POST_MESSAGE, 50),
    "chat.update": (TIER_3, 50),
    "chat.postEphemeral": (TIER_4, 100),
    "views.publish": (TIER_4, 100),
    "conversations.open": (TIER_3, 50),
    "conversations.history": (TIER_3, 10),
    "conversations.replies": (TIER_3, 10),
    "files.getUploadURLExternal": (TIER_4, 100),
    "files.completeUploadExternal": (TIER_4, 100),
}
CHANNEL_RATE = 1.0  # messages per second per conversation
CHANNEL_BURST = 10.0  # short bursts (a report, its DMs' thread replies) go out at once


@dataclass
class _Bucket:
    rate: float
    capacity: float
    tokens: float
    at: float  # clock time (seconds) of `tokens`

    def level(self, now: float) -> float:
        return min(self.capacity, self.tokens + max(0.0, now - self.at) * self.rate)

    def wait(self, now: float) -> float:
        """Seconds until one token is available (0 when one is)."""
        missing = 1.0 - self.level(now)
        return 0.0 if missing <= 0 else missing / self.rate

    def take(self, now: float) -> None:
        """Take one token; may go below zero (a debt the next callers wait out)."""
        self.tokens = self.level(now) - 1.0
        self.at = now


class RateLimiter:
    """Decides how long a call must wait. Thread-safe; one per delivery worker."""

    def __init__(self, clock: Callable[[], datetime], *, method_limits: dict[str, tuple[float, float]] | None = None,
                 channel_rate: float = CHANNEL_RATE, channel_burst: float = CHANNEL_BURST) -> None:
        self.clock = clock
        self.method_limits = METHOD_LIMITS if method_limits is None else method_limits
        self.channel_rate = channel_rate
        self.channel_burst = channel_burst
        self._lock = threading.Lock()
        self._methods: dict[str, _Bucket] = {}
        self._channels: dict[str, _Bucket] = {}
        self._paused_until: dict[str, float] = {}

    def _now(self) -> float:
        return self.clock().timestamp()

    def _method(self, method: str, now: float) -> _Bucket | None:
        limit = self.method_limits.get(method)
        if limit is None:
            return None
        bucket = self._methods.get(method)
        if bucket is None:
            bucket = self._methods[method] = _Bucket(limit[0], limit[1], limit[1], now)
        return bucket

    def _channel(self, channel: str, now: float) -> _Bucket:
        bucket = self._channels.get(channel)
        if bucket is None:
            if len(self._channels) > 10_000:  # forget idle conversations; a full bucket is the default anyway
                self._channels = {k: b for k, b in self._channels.items() if b.level(now) < b.capacity}
            bucket = self._channels[channel] = _Bucket(self.channel_rate, self.channel_burst, self.channel_burst, now)
        return bucket

    def wait(self, methods: tuple[str, ...], channel: str | None) -> float:
        """Seconds to wait before calls of `methods` (paced in `channel`, if given) may go out."""
        with self._lock:
            now = self._now()
            waits = [self._paused_until.get(m, now) - now for m in methods]
            waits += [b.wait(now) for m in methods if (b := self._method(m, now)) is not None]
            if channel is not None:
                waits.append(self._channel(channel, now).wait(now))
            return max([0.0, *waits])

    def paused(self, methods: tuple[str, ...]) -> float:
        """Seconds left of a pause Slack asked for (a 429's Retry-After) on any of `methods` (0: none)."""
        with self._lock:
            now = self._now()
            return max([0.0, *(self._paused_until.get(m, now) - now for m in methods)])

    def channel_wait(self, channel: str) -> float:
        """Seconds until `channel` may take one more message, whatever the method (0 when it may now)."""
        with self._lock:
            now = self._now()
            bucket = self._channels.get(channel)
            return 0.0 if bucket is None else bucket.wait(now)

    def take(self, methods: tuple[str, ...], channel: str | None) -> None:
        """Spend the tokens for one delivery (after waiting what `wait` said)."""
        with self._lock:
            now = self._now()
            for method in methods:
                if (bucket := self._method(method, now)) is not None:
                    bucket.take(now)
            if channel is not None:
                self._channel(channel, now).take(now)

    def pause(self, method: str, seconds: float) -> None:
        """Slack answered 429 for `method`: no call of it goes out for `seconds`."""
        with self._lock:
            until = self._now() + seconds
            self._paused_until[method] = max(until, self._paused_until.get(method, until))


__all__ = ["CHANNEL_BURST", "CHANNEL_RATE", "METHOD_LIMITS", "RateLimiter"]
