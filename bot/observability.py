"""Logs an operator can search, and metrics Prometheus can scrape.

- Logs are JSON lines (`COOPBOT_LOG_FORMAT=json`, the default for `serve`) or plain text, and carry the
  request id of the Slack request they belong to, also in the listener threads that finish work after
  the ack (the listener pool copies the request's context).
- Nothing here ever formats a request body, a header or a token; SQL parameters are hidden at the engine.
"""

from __future__ import annotations

import json
import logging
import sys
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

request_id: ContextVar[str] = ContextVar("request_id", default="-")

ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id (and the exception, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """Writes to whatever `sys.stderr` is now, not the stream that existed when logging was set up
    (a test runner or a daemon may swap it; writing to the old, closed one loses the line)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure_logging(fmt: str = "text", level: int = logging.INFO) -> None:
    handler = _CurrentStderrHandler()
    handler.addFilter(_RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("alembic", "apscheduler.scheduler", "slack_bolt.App"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


OutboxStats = Callable[[], dict[str, float]]


class _OutboxCollector(Collector):
    """Outbox depth and age, read from the database at scrape time (so every replica reports the truth)."""

    def __init__(self, stats: OutboxStats) -> None:
        self.stats = stats

    def collect(self) -> Iterator[Metric]:
        try:
            values = self.stats()
        except Exception:  # a scrape must not fail because the database blinked
            return
        for name, help_text in (("pending", "messages waiting to be delivered"),
                                ("parked", "messages waiting for a person to fix something (e.g. invite the bot)"),
                                ("failed", "messages that will not be delivered"),
                                ("oldest_pending_seconds", "age of the oldest undelivered message")):
            yield GaugeMetricFamily(f"coopbot_outbox_{name}", help_text, value=values.get(name, 0.0))


class Metrics:
    """The process's metrics, in a registry of its own (several apps may live in one test process)."""

    def __init__(self, outbox_stats: OutboxStats | None = None) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("coopbot_slack_requests", "Slack requests received, by kind",
                                ["kind"], registry=self.registry)
        self.responses = Counter("coopbot_http_responses", "HTTP responses, by path and status",
                                 ["path", "status"], registry=self.registry)
        self.ack_seconds = Histogram("coopbot_slack_ack_seconds", "time to answer a Slack request (the ack)",
                                     buckets=ACK_BUCKETS, registry=self.registry)
        self.slack_api_errors = Counter("coopbot_slack_api_errors", "failed Web API calls, by method and error",
                                        ["method", "error"], registry=self.registry)
        self.deliveries = Counter("coopbot_outbox_deliveries", "delivery attempts, by outcome",
                                  ["outcome"], registry=self.registry)
        self.job_runs = Counter("coopbot_job_runs", "scheduled job runs, by job and outcome",
                                ["job", "outcome"], registry=self.registry)
        if outbox_stats is not None:
            self.registry.register(_OutboxCollector(outbox_stats))

    def render(self) -> bytes:
        return generate_latest(self.registry)
