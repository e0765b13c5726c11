"""Slack's retries and repeated events change state once (bot/serving/idempotency.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import handlers.channels
from models.delivery import ProcessedRequest
from tests.support.harness import CHANNEL, Harness


def test_a_retried_event_is_acknowledged_and_not_run_again(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    requeued: list[str] = []

    def requeue(_db: object, channel: str) -> int:
        requeued.append(channel)
        return 0

    monkeypatch.setattr(handlers.channels, "requeue_channel", requeue)
    joined = {"type": "member_joined_channel", "user": harness.fake.bot_user_id, "channel": CHANNEL}
    assert harness.slack.event(joined, event_id="Ev0JOIN1").status == 200
    harness.settle()
    for retry in (1, 2):  # Slack's redeliveries of the same event, and one without the retry header
        assert harness.slack.event(joined, event_id="Ev0JOIN1", retry_num=retry).status == 200
    assert harness.slack.event(joined, event_id="Ev0JOIN1").status == 200
    harness.settle()
    assert requeued == [CHANNEL]
    assert harness.slack.event(joined, event_id="Ev0JOIN2").status == 200  # a new event runs
    harness.settle()
    assert requeued == [CHANNEL, CHANNEL]
    with harness.db.session() as session:
        keys = session.scalars(select(ProcessedRequest.key).where(ProcessedRequest.key.like("event:%"))).all()
        assert sorted(keys) == ["event:Ev0JOIN1", "event:Ev0JOIN2"]


def test_app_home_opened_is_not_recorded(harness: Harness) -> None:
    opened = {"type": "app_home_opened", "user": "U0TEACHER", "tab": "home"}
    assert harness.slack.event(opened, event_id="Ev0HOME").status == 200
    harness.settle()
    with harness.db.session() as session:
        assert session.scalar(select(func.count()).select_from(ProcessedRequest)) == 0


def test_a_retried_button_click_acts_once_and_says_nothing_more(harness: Harness) -> None:
    """The same interaction delivered again (same trigger id) is acknowledged in silence: the person already
    has the first one's answer. A second click of the old button is a new interaction and is told why not."""
    from bot.problems.ids import ProblemActionId
    from models.audit import AuditEntry
    from tests.support.harness import MENTOR, TEACHER

    h = harness
    h.report(TEACHER, severity="p3", category="hours")
    h.deliver()
    [post] = h.channel_messages()
    [problem_id] = [e["value"] for b in post["blocks"] for e in b.get("elements") or []
                    if e.get("action_id") == ProblemActionId.ACKNOWLEDGE]
    click = {"user_id": MENTOR, "action_id": ProblemActionId.ACKNOWLEDGE, "value": problem_id,
             "channel_id": CHANNEL, "message_ts": post["ts"], "trigger_id": "1234567890.1234.retried"}
    for _ in range(3):  # the click, then Slack's deliveries of the same interaction again
        assert h.slack.block_action(**click).status == 200
        h.settle()
    h.deliver()
    assert h.ephemerals() == []
    assert len(h.fake.calls_to("chat.update")) == 1
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "problem.acknowledged")) == 1
    assert h.slack.block_action(**{**click, "trigger_id": "1234567890.1234.second"}).status == 200
    h.settle()
    assert any("already acknowledged" in text for text in h.ephemerals())
