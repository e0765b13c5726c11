"""Requesting and reviewing exchanges: inline errors, refusals, rejections, changes, races and retries."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

import pytest
from sqlalchemy import delete, func, select

from bot.devtools.slack_requests import fill
from bot.errors import CoopError
from bot.exchanges.ids import ExchangeActionId
from bot.exchanges.state import AlreadyDecided
from models.audit import AuditEntry
from models.exchange import DecisionKind, Exchange, ExchangeDecision, ExchangeStatus
from models.roster import Membership, Person, Role
from tests.support.exchanges import START, at_once, decide, request, the_exchange
from tests.support.harness import (
    CHANNEL,
    COORD_ENTERPRISE,
    COORD_SCHOOL,
    MEMBER,
    MENTOR,
    NOBODY,
    OTHER_TEACHER,
    OUTSIDER,
    TEACHER,
    Harness,
    dm,
)
from tests.support.slack import buttons, text_of


def _errors(reply) -> dict[str, str]:  # type: ignore[no-untyped-def]
    body = reply.json()
    assert body["response_action"] == "errors"
    return dict(body["errors"])


def _count(h: Harness, model: type) -> int:
    with h.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_bad_requests_come_back_inline_and_store_nothing(harness: Harness) -> None:
    h = harness
    today = date.today()
    assert _errors(request(h, start_date=START.isoformat(), end_date=(START - timedelta(days=1)).isoformat())) == {
        "end_date": "The end date must not be before the start date."}
    assert _errors(request(h, end_date=(START + timedelta(days=400)).isoformat())) == {
        "end_date": "An exchange can last at most 12 months."}
    assert _errors(request(h, confidentiality=[])) == {
        "confidentiality": "Please acknowledge the confidentiality rules."}
    past = (today - timedelta(days=3)).isoformat()
    assert _errors(request(h, start_date=past)) == {"start_date": "The start date cannot be in the past."}
    assert _errors(request(h, direction="enterprise_to_school"))["direction"].startswith("This direction does not fit")
    assert _errors(request(h, person=NOBODY)) == {"person": "This person is not on the partnership's roster."}
    assert _errors(request(h, person=OUTSIDER)) == {"person": "This person is not on the partnership's roster."}
    assert _errors(request(h, person=OTHER_TEACHER)) == {
        "person": "Only a coordinator can request an exchange for someone else."}
    assert set(_errors(request(h, host_unit="   ", purpose="teaching"))) == {"host_unit"}
    assert _count(h, Exchange) == 0
    h.deliver()
    assert h.fake.calls_to("chat.postMessage") == []


def test_every_field_error_of_a_request_comes_back_in_one_answer(harness: Harness) -> None:
    """The form's errors (no host unit, no acknowledgement, dates out of order) and the service's (a past start,
    someone the requester may not send, a direction that does not fit) together, not one round each."""
    h = harness
    today = date.today()
    past, before = (today - timedelta(days=3)), (today - timedelta(days=5))
    errors = _errors(request(h, host_unit="  ", confidentiality=[], start_date=past.isoformat(),
                             end_date=before.isoformat()))
    assert errors == {"host_unit": "Name the host unit (at most 200 characters).",
                      "confidentiality": "Please acknowledge the confidentiality rules.",
                      "end_date": "The end date must not be before the start date.",
                      "start_date": "The start date cannot be in the past."}
    errors = _errors(request(h, person=OTHER_TEACHER, direction="enterprise_to_school", host_unit="",
                             start_date=past.isoformat()))
    assert set(errors) == {"host_unit", "person", "direction", "start_date"}
    assert errors["person"] == "Only a coordinator can request an exchange for someone else."
    assert errors["direction"].startswith("This direction does not fit")
    assert _count(h, Exchange) == 0


def test_every_field_error_of_a_review_or_an_assessment_comes_back_at_once(harness: Harness) -> None:
    h = harness
    request(h)
    h.deliver()
    h.click(MENTOR, ExchangeActionId.REVIEW, dm(h, MENTOR, ExchangeActionId.REVIEW), channel="D" + MENTOR)
    modal = h.last_modal()
    assert _errors(h.slack.view_submission(modal, fill(modal, {"comment": "长" * 3001}), user_id=MENTOR)) == {
        "decision": "Choose a decision.", "comment": "Keep this to at most 3,000 characters."}


def test_a_coordinator_requests_for_someone_else_and_people_off_the_roster_cannot_open_it(harness: Harness) -> None:
    h = harness
    assert request(h, COORD_ENTERPRISE, person=MENTOR, direction="enterprise_to_school").text == ""
    x = the_exchange(h)
    assert x.direction.value == "enterprise_to_school"
    h.deliver()
    # enterprise → college: the college coordinator decides for the host side, and the enterprise's only
    # coordinator, who asked for it, still decides for the sending side; never the mentor who is going
    assert buttons(dm(h, COORD_SCHOOL, ExchangeActionId.REVIEW)) == [ExchangeActionId.REVIEW]
    assert buttons(dm(h, COORD_ENTERPRISE, ExchangeActionId.REVIEW)) == [ExchangeActionId.REVIEW]
    assert h.fake.messages("D" + MENTOR) == []
    assert decide(h, COORD_ENTERPRISE, "approve").text == ""
    assert decide(h, COORD_SCHOOL, "approve").text == ""
    assert the_exchange(h).status == ExchangeStatus.APPROVED
    assert h.slack.command("/exchange", user_id=NOBODY).status == 200
    h.settle()
    assert "not on a coopbot roster" in h.fake.wait_for("response_url")[-1].args["text"]


def test_reject_needs_a_comment_and_ends_the_review(harness: Harness) -> None:
    h = harness
    request(h)
    h.deliver()
    [stale] = h.channel_messages(CHANNEL)
    assert _errors(decide(h, MENTOR, "reject")) == {"comment": "Say why, so the requester knows what to change."}
    assert decide(h, MENTOR, "reject", "岗位已满 <!channel>").text == ""
    h.deliver()
    assert the_exchange(h).status == ExchangeStatus.REJECTED
    [summary] = h.channel_messages(CHANNEL)
    shown = text_of(summary)
    assert "Rejected" in shown and "岗位已满 &lt;!channel&gt;" in shown and "<!channel>" not in shown
    assert any("rejected" in text and "王芳" in text for text in h.dms_to(TEACHER))
    # the other side's Review is gone, and a stale click is refused
    assert buttons(h.fake.messages("D" + COORD_SCHOOL)[0]) == []
    h.click(COORD_SCHOOL, ExchangeActionId.REVIEW, stale)
    assert any("this exchange is rejected" in text for text in h.ephemerals())


def test_changes_requested_then_resubmitted_goes_back_to_review(harness: Harness) -> None:
    h = harness
    request(h)
    h.deliver()
    decide(h, COORD_SCHOOL, "approve")
    assert decide(h, COORD_ENTERPRISE, "request_changes", "请写明具体部门").text == ""
    h.deliver()
    assert the_exchange(h).status == ExchangeStatus.CHANGES_REQUESTED
    notice = dm(h, TEACHER, ExchangeActionId.EDIT)
    assert "请写明具体部门" in text_of(notice)
    h.click(MENTOR, ExchangeActionId.EDIT, notice, channel="D" + TEACHER)  # only the requester may edit
    assert "Sorry, only the person who asked for this exchange can edit it." in h.ephemerals()
    h.click(TEACHER, ExchangeActionId.EDIT, notice, channel="D" + TEACHER)
    modal = h.last_modal()
    host = next(b for b in modal["blocks"] if b.get("block_id") == "host_unit")
    assert host["element"]["initial_value"] == "华为 2012 实验室"  # prefilled
    values = fill(modal, {"person": TEACHER, "direction": "school_to_enterprise",
                          "host_unit": "华为 2012 实验室 测试部", "purpose": "production_practice",
                          "start_date": START.isoformat(), "end_date": (START + timedelta(days=30)).isoformat(),
                          "confidentiality": ["acknowledged"]})
    assert h.slack.view_submission(modal, values, user_id=TEACHER).text == ""
    assert h.slack.view_submission(modal, values, user_id=TEACHER).text == ""  # a retry changes nothing more
    h.deliver()
    x = the_exchange(h)
    assert (x.status, x.review_round, x.host_unit) == (ExchangeStatus.PENDING, 2, "华为 2012 实验室 测试部")
    assert len(h.fake.messages("D" + COORD_SCHOOL)) == 2  # a fresh review request for the new round
    decide(h, COORD_SCHOOL, "approve")
    decide(h, MENTOR, "approve")
    assert the_exchange(h).status == ExchangeStatus.APPROVED
    with h.db.session() as session:
        rounds = session.execute(select(ExchangeDecision.review_round, ExchangeDecision.decision)
                                 .order_by(ExchangeDecision.id)).all()
        assert [(r, d.value) for r, d in rounds] == [(1, "approve"), (1, "request_changes"), (2, "approve"),
                                                     (2, "approve")]
        assert session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "exchange.resubmitted")) == 1


def test_nobody_decides_an_exchange_they_are_going_on_and_wrong_roles_are_refused(harness: Harness) -> None:
    h = harness
    request(h, TEACHER)  # a teacher asks to go herself
    h.deliver()
    [summary] = h.channel_messages(CHANNEL)
    for user in (TEACHER, OTHER_TEACHER, MEMBER, OUTSIDER, NOBODY):
        h.click(user, ExchangeActionId.REVIEW, summary)
    refusals = h.ephemerals()
    assert sum("your role does not allow that on this exchange" in text for text in refusals) == 4
    assert sum("not on a coopbot roster" in text for text in refusals) == 1
    exchange_id = the_exchange(h).id
    with pytest.raises(CoopError):  # a forged submission is refused by the service as well
        h.services.exchanges.decide(exchange_id, TEACHER, DecisionKind.APPROVE, None, "forged-1")
    assert _count(h, ExchangeDecision) == 0 and the_exchange(h).status == ExchangeStatus.PENDING
    assert h.fake.calls_to("views.open") == [h.fake.calls_to("views.open")[0]]  # only the request modal


def test_the_same_decision_twice_and_a_second_decision_for_a_decided_side(harness: Harness) -> None:
    h = harness
    request(h)
    h.deliver()
    h.click(MENTOR, ExchangeActionId.REVIEW, dm(h, MENTOR, ExchangeActionId.REVIEW), channel="D" + MENTOR)
    first = h.last_modal()
    h.click(COORD_ENTERPRISE, ExchangeActionId.REVIEW, dm(h, COORD_ENTERPRISE, ExchangeActionId.REVIEW),
            channel="D" + COORD_ENTERPRISE)
    second = h.last_modal()
    values = fill(first, {"decision": "approve"})
    assert h.slack.view_submission(first, values, user_id=MENTOR).text == ""
    assert h.slack.view_submission(first, values, user_id=MENTOR).text == ""  # Slack retry: nothing new
    late = _errors(h.slack.view_submission(second, fill(second, {"decision": "reject", "comment": "不同意"}),
                                           user_id=COORD_ENTERPRISE))
    assert late == {"decision": f"Nothing changed: <@{MENTOR}> has already done this for your side."}
    assert _count(h, ExchangeDecision) == 1 and the_exchange(h).status == ExchangeStatus.PENDING
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "exchange.approve")) == 1


def _race(h: Harness, deciders: list[str]) -> list[object]:
    exchange_id = the_exchange(h).id
    return at_once([partial(h.services.exchanges.decide, exchange_id, user, DecisionKind.APPROVE, None, f"race:{user}")
                    for user in deciders])


def test_two_sides_approving_at_the_same_moment_approve_it(harness: Harness) -> None:
    h = harness
    request(h)
    results = _race(h, [COORD_SCHOOL, MENTOR])
    assert not [r for r in results if isinstance(r, Exception)]
    assert the_exchange(h).status == ExchangeStatus.APPROVED and _count(h, ExchangeDecision) == 2


def test_two_approvers_of_one_side_at_the_same_moment_make_one_decision(harness: Harness) -> None:
    h = harness
    request(h)
    results = _race(h, [MENTOR, COORD_ENTERPRISE])
    assert sum(isinstance(r, AlreadyDecided) for r in results) == 1
    assert _count(h, ExchangeDecision) == 1 and the_exchange(h).status == ExchangeStatus.PENDING


def test_a_request_nobody_could_approve_is_refused_on_who_and_stores_nothing(harness: Harness) -> None:
    """One coordinator a side is the usual set-up: that coordinator's own exchange has nobody left to
    decide it for their side, and a side without approvers cannot decide either. Say so before storing."""
    h = harness
    assert _errors(request(h, COORD_SCHOOL)) == {"person": (
        "Nobody on this person's side could approve it: their side's coordinator decides, never for an exchange "
        "they are going on. Ask for another coordinator to be added (/coop admin).")}
    with h.db.transaction() as session:  # the enterprise keeps no mentor or coordinator on this roster
        session.execute(delete(Membership).where(Membership.role.in_([Role.MENTOR, Role.COORDINATOR]),
                                                 Membership.person_id.in_(select(Person.id).where(
                                                     Person.slack_user_id.in_([MENTOR, COORD_ENTERPRISE])))))
    assert _errors(request(h, TEACHER)) == {"person": (
        "Nobody on the host side could approve it yet: it needs a coordinator there (at the enterprise, a mentor "
        "also may). Ask for one to be added (/coop admin).")}
    assert _count(h, Exchange) == 0
    h.deliver()
    assert h.fake.calls_to("chat.postMessage") == []


def test_the_requester_reads_a_long_change_request_whole(harness: Harness) -> None:
    """The comment is what the requester must act on: all 3,000 characters of it, line breaks, `&` and `<`
    included, quoted across as many sections as it takes."""
    h = harness
    request(h)
    h.deliver()
    decide(h, COORD_SCHOOL, "approve")
    comment = ("请写明具体部门 & 岗位 <R&D>\n" * 200)[:2999] + "末"
    assert decide(h, COORD_ENTERPRISE, "request_changes", comment).text == ""
    h.deliver()
    notice = dm(h, TEACHER, ExchangeActionId.EDIT)
    quoted = [b["text"]["text"] for b in notice["blocks"]
              if b["type"] == "section" and b["text"]["text"].startswith(">")]
    assert all(len(text) <= 3000 for text in quoted) and len(notice["blocks"]) <= 50
    shown = "".join(text.removeprefix("> ").replace("\n> ", "\n") for text in quoted)
    assert shown == comment.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
