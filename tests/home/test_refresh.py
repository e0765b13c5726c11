"""App Home refreshes ride the outbox as small markers and are rendered once, at delivery."""

from __future__ import annotations

import json
import time
from pathlib import Path

from sqlalchemy import func, select

from bot.delivery.outbox import HOME_REFRESH_KEY
from bot.storage.db import Database
from models.delivery import OutboxKind, OutboxMessage
from tests.support.harness import MENTOR, TEACHER, Harness, running_app, seed_roster


def test_changes_before_delivery_cost_one_render_per_person(harness: Harness) -> None:
    h = harness
    h.report(TEACHER, description="第一个问题", category="pay", severity="p3")
    h.report(TEACHER, description="第二个问题", category="hours", severity="p3")
    h.settle()
    with h.db.session() as session:
        waiting = session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == OutboxKind.HOME, OutboxMessage.channel == f"home:{MENTOR}",
            OutboxMessage.message_key == HOME_REFRESH_KEY))
    assert waiting == 1  # the second report found the first refresh still waiting
    h.deliver()
    publishes = [c for c in h.fake.calls_to("views.publish") if c.args.get("user_id") == MENTOR]
    assert len(publishes) == 1
    shown = json.dumps(h.fake.home(MENTOR), ensure_ascii=False)
    assert "第一个问题" in shown and "第二个问题" in shown  # rendered at delivery: both reports are there


def test_opening_the_home_tab_goes_out_at_once_while_a_refresh_waits_for_its_spacing(
        db: Database, tmp_path: Path) -> None:
    """The mentor's home was rendered moments ago, so the refresh a new report asks for must wait (10 s here).
    The delivery worker runs as in production; a pass has that refresh in hand (it is still posting the
    report) when the mentor opens App Home. Their home is published at once, not after the spacing."""
    seed_roster(db, tmp_path)
    with running_app(db, coopbot_home_refresh_seconds=10) as h:
        h.runtime.worker.start()
        try:
            def published_for_mentor() -> int:
                return sum(1 for c in h.fake.calls_to("views.publish") if c.args.get("user_id") == MENTOR)

            h.report(TEACHER, description="第一个问题", category="pay", severity="p3")
            h.fake.wait_for("views.publish", where=lambda c: c.args.get("user_id") == MENTOR, timeout=10)
            rendered = published_for_mentor()  # the mentor's home was just rendered: the next refresh waits
            h.fake.delay("chat.postMessage", 2.0)  # the next pass is slow to post the report
            before = len(h.fake.calls_to("chat.postMessage"))
            h.report(TEACHER, description="第二个问题", category="hours", severity="p3")
            h.fake.wait_for("chat.postMessage", count=before + 1, timeout=10)  # the pass holds the refresh
            opened_at = time.monotonic()
            assert h.slack.event({"type": "app_home_opened", "user": MENTOR, "channel": "D" + MENTOR,
                                  "tab": "home"}).status == 200
            h.fake.wait_for("views.publish", count=rendered + 1, timeout=8,
                            where=lambda c: c.args.get("user_id") == MENTOR)
            assert time.monotonic() - opened_at < 6, "the opened home waited for the refresh's spacing"
            assert "第二个问题" in json.dumps(h.fake.home(MENTOR), ensure_ascii=False)
        finally:
            h.runtime.worker.stop()
