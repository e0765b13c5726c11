"""Fan-out benchmark: 200 weekly digests through the outbox, against a fake Slack enforcing Slack's limits.

The fake answers 429 (with Retry-After) past ~1 message/s per channel and a method-wide budget for
chat.postMessage (300/min, bursts of 50). The delivery worker paces itself to the same budget, so the run
should take close to the limit's minimum, (digests − burst) / rate, with few 429s and every digest
delivered exactly once.

    python bench/fanout.py [--databases sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from slack_sdk import WebClient
from sqlalchemy import func, select

from bench.dataset import generate
from bench.scale import pg_url
from bot.delivery.pacing import CHAT_POST_MESSAGE
from bot.delivery.worker import DeliveryWorker
from bot.devtools.fake_limits import RateLimits
from bot.devtools.fake_slack import FakeSlack
from bot.digests.service import DigestService
from bot.storage.db import Database
from bot.storage.migrate import upgrade
from models.delivery import OutboxMessage, OutboxStatus

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
TOKEN = "xoxb-fanout"
BURST = 50


def run(name: str, url: str) -> dict[str, Any]:
    upgrade(url)
    generate(url, scale=1.0)
    db = Database(url)
    posted = DigestService(db, default_timezone="UTC", clock=lambda: NOW).post_weekly(NOW)
    with FakeSlack(bot_token=TOKEN) as fake:
        fake.rate_limits = RateLimits(methods={"chat.postMessage": (CHAT_POST_MESSAGE, BURST)}, per_channel=(1.0, 3))
        worker = DeliveryWorker(db, WebClient(token=TOKEN, base_url=fake.url, retry_handlers=[], timeout=10))
        started = time.perf_counter()
        while True:
            worker.deliver_due()
            with db.session() as session:
                left = session.scalar(select(func.count()).select_from(OutboxMessage)
                                      .where(OutboxMessage.status != OutboxStatus.SENT))
            if not left or time.perf_counter() - started > 600:
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        per_channel = Counter(str(c.args.get("channel")) for c in fake.calls_to("chat.postMessage"))
        delivered = sum(1 for channel in per_channel if fake.messages(channel))
        doubled = sum(1 for channel in per_channel if len(fake.messages(channel)) > 1)
        limited = fake.rate_limits.limited
    db.dispose()
    return {"database": name, "digests": posted, "seconds": round(elapsed, 1),
            "limit_minimum_seconds": round(max(0, posted - BURST) / CHAT_POST_MESSAGE, 1),
            "delivered": delivered, "doubled": doubled, "undelivered": int(left or 0), "429s": limited,
            "post_calls": sum(per_channel.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "fanout.json"))
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.databases.split(","):
            url = f"sqlite:///{tmp}/fanout.db" if name == "sqlite" else pg_url()
            result = run(name, url)
            results.append(result)
            print(json.dumps(result), flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
