"""Staff exchanges end to end: request, two-sided approval, activation, assessment, letter, export."""

from __future__ import annotations

import csv
import io
from functools import partial

from pypdf import PdfReader
from sqlalchemy import select

from bot.devtools.slack_requests import fill
from bot.exchanges import jobs
from bot.exchanges.export import HEADER, iter_exchange_rows
from bot.exchanges.ids import ExchangeActionId
from bot.exports.writers import write_csv
from models.audit import AuditEntry
from models.exchange import DecisionKind, Exchange, ExchangeStatus, Rating
from tests.support.exchanges import END, START, at_once, decide, moment, request, the_exchange
from tests.support.harness import CHANNEL, COORD_ENTERPRISE, COORD_SCHOOL, MENTOR, TEACHER, Harness, dm
from tests.support.slack import buttons, text_of


def test_request_approval_assessment_and_letter(harness: Harness) -> None:
    h = harness
    reply = request(h)
    assert reply.status == 200 and reply.text == ""
    h.deliver()
    [summary] = h.channel_messages(CHANNEL)
    assert "Staff exchange: 王芳 (College → Enterprise)" in text_of(summary)
    assert "Awaiting approval" in text_of(summary) and buttons(summary) == [ExchangeActionId.REVIEW]
    # the sending side's coordinator and the host side's approvers are asked; the requester is not
    for user in (COORD_SCHOOL, MENTOR, COORD_ENTERPRISE):
        assert buttons(dm(h, user, ExchangeActionId.REVIEW)) == [ExchangeActionId.REVIEW]
    assert h.fake.messages("D" + TEACHER) == []

    assert decide(h, COORD_SCHOOL, "approve").text == ""
    h.deliver()
    [school_dm] = h.fake.messages("D" + COORD_SCHOOL)
    assert school_dm["edited"] and buttons(school_dm) == []
    assert f"Approved by <@{COORD_SCHOOL}>" in text_of(school_dm)
    assert the_exchange(h).status == ExchangeStatus.PENDING

    assert decide(h, MENTOR, "approve", "欢迎").text == ""
    h.deliver()
    assert the_exchange(h).status == ExchangeStatus.APPROVED
    [summary] = h.channel_messages(CHANNEL)
    assert summary["edited"] and "Approved" in text_of(summary) and buttons(summary) == []
    [other_host_dm] = h.fake.messages("D" + COORD_ENTERPRISE)
    assert buttons(other_host_dm) == []  # the host side has decided: no Review left for anyone
    notices = h.dms_to(TEACHER)
    assert len(notices) == 2 and all("your exchange request for 王芳" in n for n in notices)

    assert jobs.activate_started(h.services, moment(START)) == 1
    assert jobs.activate_started(h.services, moment(START)) == 0
    assert the_exchange(h).status == ExchangeStatus.ACTIVE
    assert jobs.request_assessments(h.services, moment(END)) == 1
    assert jobs.request_assessments(h.services, moment(END)) == 0
    h.deliver()
    h.services.exchanges.clock = lambda: moment(END)
    for user, rating in ((COORD_SCHOOL, "excellent"), (MENTOR, "good")):
        h.click(user, ExchangeActionId.ASSESS, dm(h, user, ExchangeActionId.ASSESS), channel="D" + user)
        modal = h.last_modal()
        values = fill(modal, {"rating": rating, "comments": "认真负责" if user == MENTOR else None})
        assert h.slack.view_submission(modal, values, user_id=user).text == ""
    h.deliver()
    assert the_exchange(h).status == ExchangeStatus.ASSESSED
    confirm = dm(h, COORD_ENTERPRISE, ExchangeActionId.CONFIRM)
    h.click(COORD_ENTERPRISE, ExchangeActionId.CONFIRM, confirm, channel="D" + COORD_ENTERPRISE)
    h.click(COORD_ENTERPRISE, ExchangeActionId.CONFIRM, confirm, channel="D" + COORD_ENTERPRISE)  # double click
    h.deliver()
    exchange = the_exchange(h)
    assert exchange.status == ExchangeStatus.COMPLETED
    assert exchange.letter_number == f"COOP-{END.year}-0001" and exchange.letter_pdf
    assert any("this exchange is completed" in text for text in h.ephemerals())

    [upload] = h.fake.files.values()
    assert upload["completed"] and upload["channel_id"] == "D" + TEACHER
    assert upload["content"] == exchange.letter_pdf
    # as one text: the letter may wrap a line anywhere in Chinese
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(upload["content"])).pages).replace("\n", "")
    for expected in ("Staff Exchange Certificate", exchange.letter_number, "王芳", "华为技术有限公司",
                     "深圳职业技术大学", "华为 2012 实验室", "Production practice", "Excellent", "Good", "认真负责",
                     "张敏"):
        assert expected in text, expected

    with h.db.session() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "exchange")
                                  .order_by(AuditEntry.id)).all()
    assert actions == ["exchange.requested", "exchange.approve", "exchange.approve", "exchange.activated",
                       "exchange.assessed", "exchange.assessed", "exchange.completed"]

    out = io.StringIO()
    assert write_csv(out, HEADER, iter_exchange_rows(h.db, today=END)) == 1
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["status"] == "completed" and row["direction"] == "school_to_enterprise"
    assert row["sending_decision"] == "approve" and row["host_decision"] == "approve" and row["host_comment"] == "欢迎"
    assert row["sending_rating"] == "excellent" and row["host_rating"] == "good"
    assert row["letter_number"] == exchange.letter_number and row["practice_months_5y"] == "3.0"
    assert row["meets_6_month_rule"] == "no"


def test_confirmations_at_the_same_moment_each_get_the_next_letter_number(harness: Harness) -> None:
    """Coordinators confirming several exchanges at once: every one completes, numbers are unique and
    leave no gap (on PostgreSQL they all read the same highest number, and most failed)."""
    from datetime import timedelta

    h = harness
    periods = [(START + timedelta(days=11 * n), START + timedelta(days=11 * n + 10)) for n in range(6)]
    for n, (start, end) in enumerate(periods):  # one after another: a person is not in two places at once
        assert request(h, host_unit=f"实验室 {n}", start_date=start.isoformat(), end_date=end.isoformat()).text == ""
    last_start, last_end = periods[-1]
    service = h.services.exchanges
    with h.db.session() as session:
        ids = list(session.scalars(select(Exchange.id).order_by(Exchange.id)))
    for exchange_id in ids:
        service.decide(exchange_id, COORD_SCHOOL, DecisionKind.APPROVE, None, f"approve-s-{exchange_id}")
        service.decide(exchange_id, MENTOR, DecisionKind.APPROVE, None, f"approve-h-{exchange_id}")
    jobs.activate_started(h.services, moment(last_start))
    service.clock = lambda: moment(last_end)
    for exchange_id in ids:
        service.assess(exchange_id, COORD_SCHOOL, Rating.EXCELLENT, None, f"assess-s-{exchange_id}")
        service.assess(exchange_id, MENTOR, Rating.GOOD, None, f"assess-h-{exchange_id}")
    outcomes = at_once([partial(service.confirm, exchange_id, COORD_ENTERPRISE) for exchange_id in ids])
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    with h.db.session() as session:
        numbers = sorted(session.scalars(select(Exchange.letter_number)))
    assert numbers == [f"COOP-{last_end.year}-{n:04d}" for n in range(1, len(ids) + 1)]


def test_a_second_request_for_the_same_person_and_period_is_refused_inline_naming_the_first(harness: Harness) -> None:
    from datetime import timedelta

    h = harness
    assert request(h).text == ""
    overlapping = request(h, start_date=(START + timedelta(days=30)).isoformat(),
                          end_date=(END + timedelta(days=30)).isoformat(), host_unit="另一个部门")
    assert overlapping.json()["response_action"] == "errors"
    [(field, words)] = overlapping.json()["errors"].items()
    assert field == "start_date"
    assert "already has an exchange" in words and "华为 2012 实验室" in words and "awaiting approval" in words
    with h.db.session() as session:
        assert len(session.scalars(select(Exchange)).all()) == 1
    # a period after the first one ends is fine; a rejected exchange no longer holds the dates
    assert request(h, start_date=(END + timedelta(days=1)).isoformat(),
                   end_date=(END + timedelta(days=20)).isoformat()).text == ""
    with h.db.transaction() as session:
        first = session.scalars(select(Exchange).order_by(Exchange.id)).first()
        assert first is not None
        first.status = ExchangeStatus.REJECTED
    assert request(h, host_unit="另一个部门").text == ""
