"""The intern compliance checklist: kept by the intern's teacher in a modal, flagged to coordinators."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.compliance.forms import ComplianceActionId, checklist_modal, chooser_modal
from bot.compliance.service import ComplianceService, missing_compliance
from bot.devtools.slack_requests import fill
from bot.digests.service import DigestService
from bot.i18n.catalog import translator
from bot.roster.importer import import_interns
from models.audit import AuditEntry
from models.compliance import ComplianceItem, InternCompliance
from models.roster import Intern, Partnership
from tests.support.harness import CHANNEL, COORD_SCHOOL, MENTOR, NOBODY, OTHER_TEACHER, OUTSIDER, TEACHER, Harness
from tests.support.i18n import LANGUAGES, check

ALL = ["agreement", "insurance", "guardian_consent", "pay", "hours"]
# A second intern for TEACHER, under 18 on the start date, through the optional birth_date column.
MINOR_CSV = f"""student_id,name,partnership,teacher,mentor,start_date,end_date,position,birth_date
S2024003,李小龙,深职院–华为,{TEACHER},{MENTOR},2026-09-01,2027-06-30,装配,2009-03-01
"""


def _add_minor(h: Harness, tmp_path: Path) -> int:
    path = tmp_path / "minor.csv"
    path.write_text(MINOR_CSV, encoding="utf-8")
    import_interns(h.db, path)
    return h.intern_id("S2024003")


def _audits(h: Harness) -> list[AuditEntry]:
    with h.db.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "compliance.update")))


def _flagged(h: Harness, today: date) -> dict[str, tuple[ComplianceItem, ...]]:
    with h.db.session() as session:
        pid = session.scalar(select(Partnership.id).where(Partnership.channel_id == CHANNEL))
        assert pid is not None
        return {m.student_id: m.missing for m in missing_compliance(session, pid, today)}


def test_teacher_keeps_the_checklist_once_per_submission(harness: Harness) -> None:
    h = harness
    view = h.open_modal("/coop", TEACHER, "checklist")  # one intern: the checklist opens at once
    assert view["title"]["text"] == "Compliance checklist" and "张伟" in str(view["blocks"])
    values = fill(view, {"items": ["agreement", "insurance"]})
    assert h.slack.view_submission(view, values, user_id=TEACHER).text == ""
    assert h.slack.view_submission(view, values, user_id=TEACHER).text == ""  # Slack's retry
    [entry] = _audits(h)
    assert entry.actor == TEACHER and entry.entity_id == str(h.intern_id("S2024001"))
    assert entry.before == dict.fromkeys(ALL, False)
    assert entry.after == {**dict.fromkeys(ALL, False), "agreement": True, "insurance": True}
    # an adult needs no guardian consent: pay and hours are what is still missing
    assert _flagged(h, date(2026, 8, 1))["S2024001"] == (ComplianceItem.PAY, ComplianceItem.HOURS)

    again = h.open_modal("/coop", TEACHER, "checklist")  # shows what is stored
    [boxes] = [b for b in again["blocks"] if b.get("block_id") == "items"]
    assert [o["value"] for o in boxes["element"]["initial_options"]] == ["agreement", "insurance"]
    h.slack.view_submission(again, fill(again, {"items": ["agreement", "insurance", "pay", "hours"]}), user_id=TEACHER)
    assert "S2024001" not in _flagged(h, date(2026, 8, 1))
    assert len(_audits(h)) == 2


def test_a_teacher_of_several_interns_chooses_and_minors_need_consent(harness: Harness, tmp_path: Path) -> None:
    h = harness
    minor = _add_minor(h, tmp_path)
    chooser = h.open_modal("/coop", TEACHER, "checklist")
    assert chooser["title"]["text"] == "Compliance" and len(chooser["blocks"]) == 2
    h.slack.block_action(user_id=TEACHER, action_id=ComplianceActionId.OPEN, value=str(minor), view=chooser,
                         channel_id=None)
    h.fake.wait_for("views.push", count=1)
    view = h.last_modal()
    assert "Required: under 18 on the start date." in str(view["blocks"])
    h.slack.view_submission(view, fill(view, {"items": ["agreement", "insurance", "pay", "hours"]}), user_id=TEACHER)
    assert _flagged(h, date(2026, 8, 1))["S2024003"] == (ComplianceItem.GUARDIAN_CONSENT,)
    with h.db.session() as session:
        row = session.get(InternCompliance, minor)
        assert row is not None and row.ticked() == set(ComplianceItem) - {ComplianceItem.GUARDIAN_CONSENT}


def test_a_teacher_of_hundreds_lists_those_with_gaps_first_and_finds_any_other(harness: Harness,
                                                                              tmp_path: Path) -> None:
    """151 current interns: the chooser lists 90 (a modal holds 100 blocks), those whose checklist has gaps
    first, says so, and its search finds any of them, only among the teacher's own."""
    h = harness
    path = tmp_path / "many.csv"
    path.write_text("student_id,name,partnership,teacher,mentor,start_date,end_date,position\n" + "".join(
        f"M{n:03d},学生{n:03d},深职院–华为,{TEACHER},{MENTOR},2026-09-01,2027-06-30,装配\n" for n in range(150)),
        encoding="utf-8")
    import_interns(h.db, path)
    with h.db.transaction() as session:  # every checklist complete but the last intern's
        for intern_id in session.scalars(select(Intern.id).where(Intern.student_id != "M149")):
            session.add(InternCompliance(intern_id=intern_id, **dict.fromkeys(ALL, True)))
    chooser = h.open_modal("/coop", TEACHER, "checklist")
    assert len(chooser["blocks"]) <= 100
    rows = [b for b in chooser["blocks"] if (b.get("accessory") or {}).get("action_id") == ComplianceActionId.OPEN]
    assert len(rows) == 90 and "学生149" in rows[0]["text"]["text"] and "Missing" in rows[0]["text"]["text"]
    assert "90 of your 151 interns are listed" in str(chooser["blocks"])
    [find] = [e for b in chooser["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert find["action_id"] == ComplianceActionId.FIND and find["type"] == "external_select"

    reply = h.slack.block_suggestion(user_id=TEACHER, action_id=ComplianceActionId.FIND, block_id="find",
                                     value="M12", view=chooser)
    found = [o["text"]["text"] for o in reply.json()["options"]]
    assert found == [f"学生{n} (M{n})" for n in range(120, 130)]
    other = h.slack.block_suggestion(user_id=OTHER_TEACHER, action_id=ComplianceActionId.FIND, block_id="find",
                                     value="M12", view=chooser)
    assert other.json()["options"] == []  # another teacher's interns are not theirs to find
    for wildcard in ("%", "_", "\\"):  # searched for as typed, not as LIKE's wildcards: no name holds them
        assert h.slack.block_suggestion(user_id=TEACHER, action_id=ComplianceActionId.FIND, block_id="find",
                                        value=wildcard, view=chooser).json()["options"] == [], wildcard

    chosen = str(h.intern_id("M123"))
    h.slack.block_action(user_id=TEACHER, action_id=ComplianceActionId.FIND, block_id="find", view=chooser,
                         channel_id=None, selected_option={"text": {"type": "plain_text", "text": "x"},
                                                           "value": chosen})
    h.fake.wait_for("views.push", count=1)
    assert "学生123" in str(h.last_modal()["blocks"])
    h.slack.block_action(user_id=OTHER_TEACHER, action_id=ComplianceActionId.FIND, block_id="find", view=chooser,
                         channel_id=None, selected_option={"text": {"type": "plain_text", "text": "x"},
                                                           "value": chosen})
    h.settle()
    refusal = h.fake.calls_to("views.push")[-1].args["view"]  # in a modal: the refusal is pushed over it
    assert refusal["title"]["text"] == "coopbot" and "学生123" not in str(refusal["blocks"])
    assert "only the intern's teacher keeps the compliance checklist" in str(refusal["blocks"])


def test_only_the_interns_teacher_keeps_it_and_coordinators_see_it(harness: Harness) -> None:
    h = harness
    refused = "only the intern's teacher keeps the compliance checklist"
    for user in (COORD_SCHOOL, MENTOR):  # a coordinator (and teacher) with no interns; a mentor
        answer = h.slack.command("/coop", "checklist", user_id=user).json()["text"]
        assert refused in answer and "`/coop checklist STUDENT_ID`" in answer  # and how a coordinator sees it
    assert "not on a coopbot roster" in h.slack.command("/coop", "checklist", user_id=NOBODY).json()["text"]
    summary = h.slack.command("/coop", "checklist S2024001", user_id=COORD_SCHOOL).json()["text"]
    assert "张伟" in summary and "Tripartite agreement signed" in summary and "Missing: agreement" in summary
    # another partnership's coordinator is not even told the student exists
    assert "No intern has the student id" in h.slack.command("/coop", "checklist S2024001",
                                                             user_id=OUTSIDER).json()["text"]
    assert refused in h.slack.command("/coop", "checklist S2024001", user_id=OTHER_TEACHER).json()["text"]
    assert "No intern has" in h.slack.command("/coop", "checklist S9", user_id=TEACHER).json()["text"]
    # another teacher submits a checklist modal forged to this intern
    view = h.open_modal("/coop", OTHER_TEACHER, "checklist")
    view["private_metadata"] = f'{{"intern_id": {h.intern_id("S2024001")}}}'
    body = h.slack.view_submission(view, fill(view, {"items": ALL}), user_id=OTHER_TEACHER).json()
    assert refused in body["errors"]["items"]
    # the App Home button of someone else's intern
    h.slack.block_action(user_id=MENTOR, action_id=ComplianceActionId.OPEN, value=str(h.intern_id("S2024001")),
                         channel_id=None)
    h.settle()
    assert any(refused in text for text in h.dms_to(MENTOR))
    assert _audits(h) == []


def test_flags_cover_current_and_upcoming_internships_only(harness: Harness, tmp_path: Path) -> None:
    h = harness
    _add_minor(h, tmp_path)
    before_start = _flagged(h, date(2026, 8, 1))
    assert set(before_start) == {"S2024001", "S2024002", "S2024003"}
    assert ComplianceItem.GUARDIAN_CONSENT in before_start["S2024003"]
    assert ComplianceItem.GUARDIAN_CONSENT not in before_start["S2024001"]
    with h.db.session() as session:
        pid = session.scalar(select(Partnership.id).where(Partnership.channel_id == CHANNEL))
        assert pid is not None
        during = missing_compliance(session, pid, date(2026, 10, 1))
        assert all(m.started for m in during) and during[0].teacher in (TEACHER, OTHER_TEACHER)
        assert missing_compliance(session, pid, date(2027, 7, 1)) == []  # all ended


def test_digest_lists_incomplete_checklists(harness: Harness) -> None:
    h = harness
    service = DigestService(h.db, default_timezone="UTC")
    assert service.post_weekly(datetime(2026, 8, 3, 9, tzinfo=UTC)) == 2
    h.deliver()
    [digest] = h.channel_messages()
    text = str(digest["blocks"])
    assert "Compliance checklists incomplete" in text and "张伟 (S2024001)" in text and f"<@{TEACHER}>" in text
    assert "missing: agreement, insurance, pay, hours" in text
    with h.db.session() as session:
        interns = session.scalars(select(Intern).where(Intern.partnership_id == session.scalar(
            select(Partnership.id).where(Partnership.channel_id == CHANNEL)))).all()
        ids = [i.id for i in interns]
    keeper = ComplianceService(h.db)
    teachers = {h.intern_id("S2024001"): TEACHER, h.intern_id("S2024002"): OTHER_TEACHER}
    for intern_id in ids:
        keeper.save(teachers[intern_id], intern_id, set(ComplianceItem), f"test:{intern_id}")
    assert service.post_weekly(datetime(2026, 8, 10, 9, tzinfo=UTC)) == 2
    h.deliver()
    assert "Compliance checklists incomplete" not in str(h.channel_messages()[-1]["blocks"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_checklist_views_fit_slacks_limits(language: str) -> None:
    from bot.compliance.service import Checklist

    t = translator(language)
    long = Checklist(1, "欧阳娜娜" * 50, "S2024001" * 8, date(2027, 3, 1), date(2027, 6, 30), True, True,
                     frozenset({ComplianceItem.PAY}), tuple(ComplianceItem))
    check(checklist_modal(long, t), "checklist")
    check(chooser_modal([long] * 120, t), "chooser")


def test_student_ids_of_other_partnerships_cannot_be_probed(harness: Harness) -> None:
    """Someone else's intern reads exactly like a student id that does not exist."""
    h = harness
    elsewhere = h.slack.command("/coop", "checklist A0001", user_id=TEACHER).json()["text"]
    missing = h.slack.command("/coop", "checklist Z9999", user_id=TEACHER).json()["text"]
    assert elsewhere.replace("A0001", "Z9999") == missing and "No intern has the student id" in missing
    stranger = h.slack.command("/coop", "checklist S2024001", user_id="U0NOBODY").json()["text"]
    assert "not on a coopbot roster" in stranger and "S2024001" not in stranger
