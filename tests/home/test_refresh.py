"""App Home refreshes ride the outbox as small markers and are rendered once, at delivery."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.delivery.outbox import HOME_REFRESH_KEY
from models.delivery import OutboxKind, OutboxMessage
from tests.support.harness import MENTOR, TEACHER, Harness


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
