"""The cooperation ledger: entries logged through the modal (`/coop ledger`), inline errors for what a kind needs,
coordinators only, and the application deadline reminders 14 and 3 days before, once each."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.devtools.slack_requests import fill
from models.cooperation import ApplicationStatus, EntryKind, LedgerEntry
from tests.support.harness import COORD_ENTERPRISE, COORD_SCHOOL, MEMBER, NOBODY, TEACHER, Harness
from tests.support.slack import buttons


def _submit(h: Harness, user: str, **answers: Any) -> Any:
    view = h.open_modal("/coop", user, "ledger")
    return h.slack.view_submission(view, fill(view, answers), user_id=user)


def test_a_coordinator_logs_entries_and_the_modal_says_what_each_kind_needs(harness: Harness) -> None:
    h = harness
    reply = _submit(h, COORD_SCHOOL, kind="joint_project", title="省级产教融合项目申报", started_on="2027-01-10",
                    ended_on="2027-01-01", trainees="many")
    errors = reply.json()["errors"]
    assert set(errors) == {"deadline", "status", "ended_on", "trainees"}, errors
    assert "for this kind of entry" in errors["deadline"] and "before the start date" in errors["ended_on"]
    reply = _submit(h, COORD_SCHOOL, kind="staff_training", title="5G 基站维护培训 <!channel>", started_on="2027-02-01")
    assert set(reply.json()["errors"]) == {"trainees", "hours"}
    with h.db.session() as session:
        assert session.scalars(select(LedgerEntry)).all() == []  # nothing saved from a refused form
    assert _submit(h, COORD_SCHOOL, kind="joint_project", title="省级产教融合项目申报", started_on="2027-01-10",
                   deadline="2027-04-01", status="planned", people="王芳（深职院）").text == ""
    assert _submit(h, COORD_ENTERPRISE, kind="staff_training", title="5G 基站维护培训", started_on="2027-02-01",
                   trainees="30", hours="16").text == ""
    with h.db.session() as session:
        entries = session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)).all()
        assert [(e.kind, e.status, e.deadline, e.trainees, e.hours) for e in entries] == [
            (EntryKind.JOINT_PROJECT, ApplicationStatus.PLANNED, date(2027, 4, 1), None, None),
            (EntryKind.STAFF_TRAINING, None, None, 30, 16)]


def test_only_coordinators_keep_the_ledger(harness: Harness) -> None:
    h = harness
    for user in (TEACHER, MEMBER, NOBODY):
        reply = h.slack.command("/coop", "ledger", user_id=user)
        assert reply.status == 200
        assert "coordinators keep its cooperation ledger" in reply.text or "roster" in reply.text.lower(), reply.text
    assert not h.fake.calls_to("views.open")


def test_an_application_deadline_is_reminded_14_and_3_days_before_once_each(harness: Harness) -> None:
    h = harness
    assert _submit(h, COORD_SCHOOL, kind="joint_project", title="省级产教融合项目申报", started_on="2027-01-10",
                   deadline="2027-04-01", status="planned").text == ""

    def at(days_before: int) -> datetime:  # 10:00 in Shanghai
        return datetime(2027, 4, 1, 2, tzinfo=UTC) - timedelta(days=days_before)

    service = h.services.cooperation
    assert service.remind_deadlines(at(15)) == 0
    assert service.remind_deadlines(at(14)) == 1
    assert service.remind_deadlines(at(13)) == 0  # once
    assert service.remind_deadlines(at(3)) == 1
    assert service.remind_deadlines(at(2)) == 0
    h.deliver()
    for coordinator in (COORD_SCHOOL, COORD_ENTERPRISE):
        reminders = [text for text in h.dms_to(coordinator) if "省级产教融合项目申报" in text]
        assert len(reminders) == 2 and "in 14 days" in reminders[0] and "in 3 days" in reminders[1], reminders
    assert not [text for text in h.dms_to(TEACHER) if "省级产教融合项目申报" in text]


def test_app_home_lists_the_ledger_for_coordinators_and_its_button_opens_the_modal(harness: Harness) -> None:
    h = harness
    assert _submit(h, COORD_SCHOOL, kind="consultancy", title="王芳 任企业技术顾问 <b>&",
                   started_on="2027-01-10").text == ""
    h.deliver()
    h.slack.event({"type": "app_home_opened", "user": COORD_SCHOOL, "tab": "home"})
    h.deliver()
    home = str(h.fake.home(COORD_SCHOOL))
    assert "Cooperation ledger" in home and "王芳 任企业技术顾问 &lt;b&gt;&amp;" in home
    h.slack.event({"type": "app_home_opened", "user": TEACHER, "tab": "home"})
    h.deliver()
    assert "Cooperation ledger" not in str(h.fake.home(TEACHER))
    assert "ledger_open" in buttons(h.fake.home(COORD_SCHOOL))
    before = len(h.fake.calls_to("views.open"))
    reply = h.slack.block_action(user_id=COORD_SCHOOL, action_id="ledger_open", channel_id=None)
    assert reply.status == 200
    h.fake.wait_for("views.open", count=before + 1)
    assert h.last_modal()["callback_id"] == "ledger_entry"


def test_the_ledger_is_exported(harness: Harness, monkeypatch: Any, capsys: Any) -> None:
    from bot.cli import main

    h = harness
    assert _submit(h, COORD_SCHOOL, kind="course", title="=HYPERLINK(\"x\") 工业互联网教材", started_on="2027-01-10",
                   ownership="joint").text == ""
    monkeypatch.setenv("DATABASE_URL", h.db.url)
    assert main(["export", "ledger"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("id,partnership,kind,title,people,started_on")
    assert ",course,\"'=HYPERLINK" in lines[1] and ",joint," in lines[1] and "陈静" in lines[1]  # a formula stays text
