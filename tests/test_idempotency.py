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
