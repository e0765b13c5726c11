"""Send signed Slack requests at a fixed concurrency and measure ack latency."""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import count

from slack_sdk.signature import SignatureVerifier

SLACK_DEADLINE = 3.0


@dataclass
class Result:
    latencies: list[float]
    errors: int
    elapsed: float

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    @property
    def late(self) -> int:
        """Requests Slack would have given up on (no answer within 3 s)."""
        return sum(1 for x in self.latencies if x > SLACK_DEADLINE) + self.errors

    def row(self) -> dict[str, float]:
        return {"rps": round(self.rps, 1), "p50_ms": round(self.pct(50) * 1000, 1),
                "p99_ms": round(self.pct(99) * 1000, 1), "late_or_failed": self.late,
                "mean_ms": round(statistics.fmean(self.latencies) * 1000, 1) if self.latencies else 0.0}


_ids = count(1)


def sign(secret: str, body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature or ""}


def command_body(user: str) -> tuple[bytes, str]:
    n = next(_ids)
    body = urllib.parse.urlencode({
        "token": "x", "team_id": "T0001", "team_domain": "demo", "channel_id": "C0PARTNER", "channel_name": "coop",
        "user_id": user, "user_name": "bench", "command": "/intern-issue", "text": "", "api_app_id": "A0",
        "is_enterprise_install": "false", "response_url": "http://127.0.0.1:9/response", "trigger_id": f"1.{n}.x",
    }).encode()
    return body, "application/x-www-form-urlencoded"


def submission_body(user: str, intern_id: int) -> tuple[bytes, str]:
    n = next(_ids)

    def select(value: str) -> dict[str, object]:
        return {"value": {"type": "static_select", "selected_option": {"value": value,
                                                                       "text": {"type": "plain_text", "text": value}}}}

    values = {
        "intern_id": {"problem_intern_select": {"type": "external_select", "selected_option": {
            "value": str(intern_id), "text": {"type": "plain_text", "text": "x"}}}},
        "category": select("pay"), "severity": select("p3"),
        "description": {"value": {"type": "plain_text_input", "value": f"基准测试 {n}：工资发放延迟"}},
        "occurred_on": {"value": {"type": "datepicker", "selected_date": date.today().isoformat()}},
        "actions_taken": {"value": {"type": "plain_text_input", "value": None}},
    }
    payload = {"type": "view_submission", "team": {"id": "T0001", "domain": "demo"},
               "user": {"id": user, "username": "bench", "name": "bench", "team_id": "T0001"},
               "api_app_id": "A0", "token": "x", "trigger_id": f"2.{n}.x",
               "view": {"id": f"VBENCH{n:08d}", "type": "modal", "callback_id": "problem_report", "hash": "h",
                        "private_metadata": "", "blocks": [], "state": {"values": values}},
               "response_urls": []}
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"


def run(host: str, port: int, secret: str, make_body: Callable[[], tuple[bytes, str]], *, concurrency: int,
        total: int, timeout: float = 30.0) -> Result:
    """`total` requests from `concurrency` threads, each on its own keep-alive connection."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    remaining = count(total, -1)

    def worker() -> None:
        nonlocal errors
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        while next(remaining) > 0:
            body, content_type = make_body()
            headers = {"Content-Type": content_type, **sign(secret, body)}
            started = time.perf_counter()
            try:
                connection.request("POST", "/slack/events", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=timeout)
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(latencies, errors, time.perf_counter() - started)
