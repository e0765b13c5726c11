"""What a report and `/intern-issue` cost the database per request (issue #23, docs/decisions/0008): counted
on the engine while signed requests go through the app, so a change that adds a read or a transaction to the
busiest paths shows here rather than in a benchmark run later."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, select

from bot.delivery.outbox import DRAWN_BY
from bot.devtools.slack_requests import fill
from bot.problems.ids import ProblemActionId
from models.delivery import OutboxKind, OutboxMessage, OutboxStatus
from tests.support.harness import CHANNEL, MENTOR, TEACHER, Harness
from tests.support.round_trips import protocol_trace
from tests.support.slack import text_of

TRANSACTION = "-- a transaction begins"


@contextmanager
def statements(h: Harness) -> Iterator[list[str]]:
    """The SQL the app sends while the block runs (and its listeners finish), transaction control included."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        sent.append(" ".join(statement.split()))

    def begun(_conn: Any) -> None:
        sent.append(TRANSACTION)

    event.listen(h.db.engine, "before_cursor_execute", record)
    event.listen(h.db.engine, "begin", begun)
    try:
        yield sent
        h.settle()
    finally:
        event.remove(h.db.engine, "before_cursor_execute", record)
        event.remove(h.db.engine, "begin", begun)


def _reads(sent: list[str]) -> list[str]:
    return [s for s in sent if s.startswith("SELECT")]


def test_a_report_is_one_transaction_with_one_read_for_its_checks(harness: Harness) -> None:
    h = harness
    h.report(TEACHER, category="pay", severity="p3", description="第一次")  # warms what is learned once
    view = h.open_modal("/intern-issue", TEACHER)
    answers = {"intern_id": str(h.intern_id("S2024001")), "category": "pay", "severity": "p3",
               "description": "工资发放延迟", "occurred_on": date.today().isoformat()}
    with statements(h) as sent:
        reply = h.slack.view_submission(view, fill(view, answers), user_id=TEACHER)
    assert reply.status == 200 and reply.text == ""

    assert sent.count(TRANSACTION) == 1, sent  # one transaction: the checks read inside it
    reads = _reads(sent)
    assert len(reads) == 2, reads  # the checks' one read, and the App Home refreshes already waiting
    assert "FROM intern" in reads[0] and "membership" in reads[0]
    inserts = [s.split(" (")[0] for s in sent if s.startswith("INSERT")]
    assert inserts == ["INSERT INTO problem", "INSERT INTO problem_event", "INSERT INTO audit_entry",
                       "INSERT INTO outbox_message"], inserts

    # what the delivery process drew from the rows is the report as it was made
    h.deliver()
    post = h.channel_messages(CHANNEL)[-1]
    assert "工资发放延迟" in text_of(post) and f"<@{MENTOR}>" in text_of(post)
    assert len(h.dms_to(MENTOR)) == 2


def test_the_report_form_opens_after_one_read(harness: Harness) -> None:
    h = harness
    h.open_modal("/intern-issue", TEACHER)
    with statements(h) as sent:
        modal = h.open_modal("/intern-issue", TEACHER)
    assert len(_reads(sent)) == 1 and not [s for s in sent if s.startswith(("INSERT", "UPDATE", "DELETE"))], sent
    # drawn once per language, dated each time
    dates = [b["element"].get("initial_date") for b in modal["blocks"] if b.get("block_id") == "occurred_on"]
    assert dates and dates[0] is not None


def test_the_report_form_costs_postgresql_one_round_trip(harness: Harness) -> None:
    """`/intern-issue` on PostgreSQL: its one read in autocommit (no BEGIN, no COMMIT) on a pooled connection
    that is not pinged first: one round trip, where it was four."""
    h = harness
    if h.db.is_sqlite:
        pytest.skip("round trips to PostgreSQL")
    with protocol_trace(h.db.engine) as tracer:
        for _ in range(3):  # connections made and what they learn once
            h.open_modal("/intern-issue", TEACHER)
        h.settle()
        with tracer.measure() as exchanges:
            h.open_modal("/intern-issue", TEACHER)
            h.settle()
    assert exchanges.round_trips == 1, exchanges.messages
    assert not exchanges.sent("Query"), exchanges.messages


def test_a_report_costs_postgresql_eight_round_trips(harness: Harness) -> None:
    """A report on PostgreSQL: BEGIN with its lock timeout in one message, the checks' read, the problem's
    insert, the waiting refreshes' read, one insert per table of queued rows, COMMIT; no pre-ping (10 before)."""
    h = harness
    if h.db.is_sqlite:
        pytest.skip("round trips to PostgreSQL")
    answers = {"intern_id": str(h.intern_id("S2024001")), "category": "pay", "severity": "p3",
               "description": "工资发放延迟", "occurred_on": date.today().isoformat()}
    with protocol_trace(h.db.engine) as tracer:
        h.report(TEACHER, category="pay", severity="p3", description="第一次")
        view = h.open_modal("/intern-issue", TEACHER)
        h.settle()
        with tracer.measure() as exchanges:
            reply = h.slack.view_submission(view, fill(view, answers), user_id=TEACHER)
            h.settle()
    assert reply.status == 200 and reply.text == ""
    queries = [m.split("\t", 1)[1].strip() for m in exchanges.sent("Query")]
    assert queries[0].startswith('"BEGIN; SET LOCAL lock_timeout = ') and queries[1:] == ['"COMMIT"'], queries
    assert exchanges.round_trips == 8, exchanges.messages


def test_a_click_is_recorded_by_one_insert(harness: Harness) -> None:
    """An acknowledge click: the click's record (one insert, a repeat fails on its key) and the change."""
    h = harness
    h.report(TEACHER, category="pay", severity="p3", description="第一次")
    h.deliver()
    post = h.channel_messages(CHANNEL)[-1]
    with statements(h) as sent:
        h.click(MENTOR, ProblemActionId.ACKNOWLEDGE, post)
    record = [s for s in sent if "processed_request" in s]
    assert [s.split(" (")[0] for s in record] == ["INSERT INTO processed_request"], record  # no lookup first
    with h.db.session() as session:  # the change's messages wait as data, drawn by the delivery process
        waiting = session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING,
                                                              OutboxMessage.kind != OutboxKind.HOME)).all()
    assert len(waiting) == 3 and all(DRAWN_BY in m.payload and "blocks" not in m.payload for m in waiting), waiting
    h.deliver()
    assert f"Acknowledged by <@{MENTOR}>" in text_of(h.channel_messages(CHANNEL)[-1])
