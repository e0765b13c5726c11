"""Drain benchmark: a burst of problem reports through `coopbot serve`, then how long their deliveries take.

300 signed report submissions at concurrency 16 against `coopbot serve --workers 2 --threads 8`, the fake
Slack (in this process) enforcing Slack's limits as the app paces itself to them (one message a second per
conversation after a short burst; each method's tier). Measured: the acks (p50/p99 while deliveries run), the
time from the first request until the outbox is empty, and the least time Slack's pacing allows for the calls
that were made — for each conversation (its messages past the burst, one a second) and for each method (its
calls past the burst, at its rate) — with every report posted once and nothing twice.

    python bench/drain.py [--databases sqlite,postgresql] [--reports 300] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, select

from bench import loadgen
from bench.request_path import (
    BIN,
    ROOT,
    SECRET,
    TOKEN,
    free_port,
    machine,
    pg_bench_url,
    prepare_coopbot_db,
    started,
)
from bot.delivery.calls import METHODS
from bot.delivery.pacing import CHANNEL_BURST, CHANNEL_RATE, METHOD_LIMITS
from bot.devtools.fake_limits import PER_CHANNEL_METHODS, RateLimits
from bot.devtools.fake_slack import FakeSlack
from models.delivery import OutboxKind, OutboxMessage, OutboxStatus


def least_seconds(calls: list[tuple[str, str]]) -> float:
    """The least time Slack's pacing allows for these (method, channel) calls: the busiest conversation's
    messages past its burst at one a second, or the busiest method's calls past its burst at its rate."""
    per_channel = Counter(channel for method, channel in calls if method in PER_CHANNEL_METHODS and channel)
    per_method = Counter(method for method, _ in calls)
    bounds = [max(0.0, n - CHANNEL_BURST) / CHANNEL_RATE for n in per_channel.values()]
    bounds += [max(0.0, n - METHOD_LIMITS[m][1]) / METHOD_LIMITS[m][0] for m, n in per_method.items()
               if m in METHOD_LIMITS]
    return max(bounds, default=0.0)


def run(database: str, work: Path, reports: int, concurrency: int) -> dict[str, Any]:
    url = f"sqlite:///{work / 'drain.db'}" if database == "sqlite" else pg_bench_url()
    with FakeSlack(bot_token=TOKEN) as fake:
        env = {"PATH": str(BIN), "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
               "SLACK_API_URL": fake.url, "PYTHONPATH": str(ROOT), "DATABASE_URL": url}
        intern_id = prepare_coopbot_db(url, env, work)
        fake.rate_limits = RateLimits(methods=dict(METHOD_LIMITS), per_channel=(CHANNEL_RATE, CHANNEL_BURST))
        port = free_port()
        serve = [str(BIN / "coopbot"), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler",
                 "--workers", "2", "--threads", "8"]
        engine = create_engine(url)
        with started(serve, env, f"http://127.0.0.1:{port}/healthz"):
            begun = time.perf_counter()
            acks = loadgen.run("127.0.0.1", port, SECRET, lambda: loadgen.submission_body("U0TEACHER", intern_id),
                               concurrency=concurrency, total=reports)
            left = -1
            while time.perf_counter() - begun < 1800:
                with engine.connect() as conn:
                    left = conn.scalar(select(func.count()).select_from(OutboxMessage)
                                       .where(OutboxMessage.status != OutboxStatus.SENT)) or 0
                if not left:
                    break
                time.sleep(0.1)
            drained = time.perf_counter() - begun
            with engine.connect() as conn:  # what was delivered, as (method, conversation)
                made = [(METHODS[OutboxKind(kind)][0][0], channel) for kind, channel in conn.execute(
                    select(OutboxMessage.kind, OutboxMessage.channel).where(OutboxMessage.status == OutboxStatus.SENT))]
        engine.dispose()
        posts = fake.messages("C0PARTNER")
        texts = Counter(json.dumps(m.get("blocks"), ensure_ascii=False) for m in posts if not m.get("thread_ts"))
        least = least_seconds(made)
    return {"database": database, "reports": reports, "concurrency": concurrency, **acks.row(),
            "drain_seconds": round(drained, 1), "least_seconds": round(least, 1),
            "drain_vs_least": round(drained / least, 2) if least else None, "undelivered": left,
            "channel_posts": sum(texts.values()), "doubled": sum(n - 1 for n in texts.values() if n > 1),
            "429s": fake.rate_limits.limited, "delivered": dict(Counter(m for m, _ in made)),
            "conversations": len({channel for _, channel in made})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "drain.json"))
    args = parser.parse_args()
    rows = []
    for database in args.databases.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            row = run(database, Path(tmp), args.reports, args.concurrency)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": machine(), "rows": rows}, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
