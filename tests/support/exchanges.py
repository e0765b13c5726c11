"""Driving the exchange workflow through signed requests (the exchange tests, and the App Home's)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from bot.devtools.slack_requests import Reply, fill
from bot.exchanges import jobs
from bot.exchanges.ids import ExchangeActionId
from models.exchange import Exchange
from tests.support.harness import COORD_SCHOOL, MENTOR, TEACHER, Harness, dm

START = date.today() + timedelta(days=10)
END = START + timedelta(days=90)


def request(h: Harness, user: str = TEACHER, **answers: Any) -> Reply:
    """Open /exchange as `user`, fill it (sensible defaults) and submit it."""
    view = h.open_modal("/exchange", user)
    defaults: dict[str, Any] = {
        "person": user, "direction": "school_to_enterprise", "host_unit": "华为 2012 实验室",
        "purpose": "production_practice", "start_date": START.isoformat(), "end_date": END.isoformat(),
        "expected_outcomes": "完成一个测试平台", "confidentiality": ["acknowledged"]}
    return h.slack.view_submission(view, fill(view, {**defaults, **answers}), user_id=user)


def decide(h: Harness, user: str, decision: str, comment: str | None = None) -> Reply:
    """Click Review in the user's DM and submit the review modal."""
    h.deliver()
    h.click(user, ExchangeActionId.REVIEW, dm(h, user, ExchangeActionId.REVIEW), channel="D" + user)
    modal = h.last_modal()
    answers = {"decision": decision, **({"comment": comment} if comment else {})}
    return h.slack.view_submission(modal, fill(modal, answers), user_id=user)


def ended(h: Harness, requester: str = TEACHER) -> None:
    """Requested (by `requester`, for the teacher), approved by both sides, started and ended: the assessors
    (the school coordinator and the mentor, who approved) are asked, and the service's clock is at the end."""
    assert request(h, requester, person=TEACHER).text == ""
    decide(h, COORD_SCHOOL, "approve")
    decide(h, MENTOR, "approve")
    jobs.activate_started(h.services, moment(START))
    assert jobs.request_assessments(h.services, moment(END)) == 1
    h.deliver()
    h.services.exchanges.clock = lambda: moment(END)


def assess(h: Harness, user: str, rating: str, comments: str | None = None) -> Reply:
    """Click Assess in the user's DM and submit the assessment."""
    h.click(user, ExchangeActionId.ASSESS, dm(h, user, ExchangeActionId.ASSESS), channel="D" + user)
    modal = h.last_modal()
    return h.slack.view_submission(modal, fill(modal, {"rating": rating, "comments": comments}), user_id=user)


def the_exchange(h: Harness) -> Exchange:
    with h.db.session() as session:
        [exchange] = session.scalars(select(Exchange)).all()
        session.expunge_all()
        return exchange


def moment(day: date) -> datetime:
    """Noon UTC on `day` (the same date in Shanghai)."""
    return datetime.combine(day, time(4, 0), tzinfo=UTC)


def at_once(calls: list[Callable[[], object]]) -> list[object]:
    """Run `calls` on their own threads, released together; each one's result or exception, in no order."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = []

    def run(call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results.append(call())
        except Exception as exc:  # the caller asserts on what came back
            results.append(exc)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results
