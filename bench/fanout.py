"""Fan-out benchmark: 200 weekly digests through the outbox, against a fake Slack enforcing Slack's limits.

The fake answers 429 (with Retry-After) past ~1 message/s per channel and a method-wide budget for
chat.postMessage (300/min, bursts of 50). The delivery worker paces itself to the same budget, so the run
should take close to the limit's minimum, (digests − burst) / rate, with few 429s and every digest
delivered exactly once.

    python bench/fanout.py [--databases sqlite,postgresql] [--replicas N]

With `--replicas N`, N delivery workers drain the same outbox at once, each with its own rate budget as
separate replicas have: together they may call Slack up to N times the budget, and the run shows how many
429s that costs and whether any conversation's first message waits for them (`first_message_*`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
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
from models.base import utcnow
from models.delivery import OutboxMessage, OutboxStatus

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
TOKEN = "xoxb-fanout"
BURST = 50


def run(name: str, url: str, replicas: int = 1) -> dict[str, Any]:
    upgrade(url)
    generate(url, scale=1.0)
    db = Database(url)
    posted = DigestService(db, default_timezone="UTC", clock=lambda: NOW).post_weekly(NOW)
    with FakeSlack(bot_token=TOKEN) as fake:
        fake.rate_limits = RateLimits(methods={"chat.postMessage": (CHAT_POST_MESSAGE, BURST)}, per_channel=(1.0, 3))
        workers = [DeliveryWorker(db, WebClient(token=TOKEN, base_url=fake.url, retry_handlers=[], timeout=10))
                   for _ in range(replicas)]
        done = threading.Event()
        drain_started = utcnow()
        started = time.perf_counter()

        def drain(worker: DeliveryWorker) -> None:
            while not done.is_set() and time.perf_counter() - started < 600:
                worker.deliver_due()
                time.sleep(0.05)

        threads = [threading.Thread(target=drain, args=(worker,)) for worker in workers]
        for thread in threads:
            thread.start()
        while time.perf_counter() - started < 600:
            with db.session() as session:
                left = session.scalar(select(func.count()).select_from(OutboxMessage)
                                      .where(OutboxMessage.status != OutboxStatus.SENT))
            if not left:
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        done.set()
        for thread in threads:
            thread.join()
        per_channel = Counter(str(c.args.get("channel")) for c in fake.calls_to("chat.postMessage"))
        delivered = sum(1 for channel in per_channel if fake.messages(channel))
        doubled = sum(1 for channel in per_channel if len(fake.messages(channel)) > 1)
        limited = fake.rate_limits.limited
        # When each conversation's first message was delivered, from the start of the drain (the outbox
        # records it); a message Slack answered 429 went out later and was tried more than once.
        with db.session() as session:
            rows = session.execute(select(OutboxMessage.channel, func.min(OutboxMessage.delivered_at))
                                   .group_by(OutboxMessage.channel)).all()
            retried = session.scalar(select(func.count()).select_from(OutboxMessage)
                                     .where(OutboxMessage.attempts > 1)) or 0
        firsts = sorted((at - drain_started).total_seconds() for _, at in rows if at is not None)
    db.dispose()
    return {"database": name, "replicas": replicas, "digests": posted, "seconds": round(elapsed, 1),
            "limit_minimum_seconds": round(max(0, posted - BURST) / CHAT_POST_MESSAGE, 1),
            "delivered": delivered, "doubled": doubled, "undelivered": int(left or 0), "429s": limited,
            "post_calls": sum(per_channel.values()), "messages_tried_again": int(retried),
            "first_message_p50_seconds": round(statistics.median(firsts), 1) if firsts else None,
            "first_message_max_seconds": round(firsts[-1], 1) if firsts else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--replicas", type=int, default=1, help="delivery workers draining at once")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "fanout.json"))
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.databases.split(","):
            url = f"sqlite:///{tmp}/fanout.db" if name == "sqlite" else pg_url()
            result = run(name, url, args.replicas)
            results.append(result)
            print(json.dumps(result), flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
