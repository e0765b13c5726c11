"""For the outbox and worker tests: a clock moved by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

from models.base import utcnow


class Clock:
    """A clock the test moves by hand, so backoff waits take no real time."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
