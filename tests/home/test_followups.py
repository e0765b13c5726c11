"""App Home shows each internship's paperwork: checklist gaps (teachers, coordinators) and evaluations."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import select

from bot.compliance.forms import ComplianceActionId
from models.internship import Grade, InternshipEvaluation
from models.roster import Intern, Person
from tests.support.harness import COORD_ENTERPRISE, MENTOR, TEACHER, Harness


def _home(h: Harness, user: str) -> dict:
    h.slack.event({"type": "app_home_opened", "user": user, "channel": "D0X", "tab": "home"})
    h.deliver()
    return h.fake.home(user)


def _accessory_buttons(view: dict) -> list[str]:
    return [b["accessory"]["action_id"] for b in view["blocks"] if b.get("accessory")]


def test_a_teacher_sees_their_interns_checklist_gaps_with_the_button_to_fill_them(harness: Harness) -> None:
    view = _home(harness, TEACHER)
    shown = json.dumps(view, ensure_ascii=False)
    assert "Compliance checklists with gaps" in shown and "张伟 (S2024001)" in shown
    assert "欧阳娜娜" not in shown  # another teacher's intern
    assert ComplianceActionId.OPEN in _accessory_buttons(view)


def test_a_coordinator_sees_every_flagged_intern_of_the_partnership(harness: Harness) -> None:
    shown = json.dumps(_home(harness, COORD_ENTERPRISE), ensure_ascii=False)
    assert "张伟 (S2024001)" in shown and "欧阳娜娜 (S2024002)" in shown
    assert "Tom Jones" not in shown  # another partnership's intern


def test_a_teacher_sees_the_mentors_evaluation_of_an_internship_that_ended(harness: Harness) -> None:
    h = harness
    ended = date.today() - timedelta(days=10)
    with h.db.transaction() as session:
        intern = session.scalar(select(Intern).where(Intern.student_id == "S2024001"))
        assert intern is not None
        intern.end_date = ended
        mentor = session.scalar(select(Person).where(Person.slack_user_id == MENTOR))
        assert mentor is not None
        session.add(InternshipEvaluation(intern_id=intern.id, evaluator_id=mentor.id, attendance=Grade.EXCELLENT,
                                         professional_skills=Grade.GOOD, attitude=Grade.EXCELLENT,
                                         safety_awareness=Grade.PASS, teamwork=Grade.GOOD,
                                         comments="<!channel> 表现良好", certificate_issued=True,
                                         source_key="view:EVAL1"))
    shown = json.dumps(_home(h, TEACHER), ensure_ascii=False)
    assert "Internship evaluations" in shown and "Excellent" in shown and "Internship certificate issued." in shown
    assert "<!channel>" not in shown and "&lt;!channel&gt; 表现良好" in shown


def test_a_mentor_sees_the_evaluations_still_to_send_with_the_button_to_send_each(harness: Harness) -> None:
    """The request DMs are not the only way in: the mentor's App Home lists what is still to evaluate, and
    the Evaluate button there opens the same modal. Once sent, the intern leaves the list."""
    from bot.devtools.slack_requests import fill
    from bot.internships.ids import InternshipActionId

    h = harness
    ended = date.today() - timedelta(days=3)
    with h.db.transaction() as session:
        for intern in session.scalars(select(Intern).where(Intern.student_id.in_(["S2024001", "S2024002"]))):
            intern.end_date = ended
    view = _home(h, MENTOR)
    shown = json.dumps(view, ensure_ascii=False)
    assert "Evaluations to send" in shown and "张伟 (S2024001)" in shown and "欧阳娜娜 (S2024002)" in shown
    buttons = [b["accessory"] for b in view["blocks"] if (b.get("accessory") or {}).get("action_id")
               == InternshipActionId.EVALUATE]
    assert len(buttons) == 2
    assert "Evaluations to send" not in json.dumps(_home(h, TEACHER), ensure_ascii=False)  # not the teacher's to send

    intern_id = str(h.intern_id("S2024001"))
    h.slack.block_action(user_id=MENTOR, action_id=InternshipActionId.EVALUATE, value=intern_id,
                         view={"id": "VHOME", "type": "home", "blocks": []}, channel_id=None)
    h.fake.wait_for("views.open", count=1)
    modal = h.last_modal()
    grades = {"attendance": "good", "professional_skills": "good", "attitude": "good", "safety_awareness": "good",
              "teamwork": "good", "certificate": ["issued"]}
    assert h.slack.view_submission(modal, fill(modal, grades), user_id=MENTOR).text == ""
    left = [b["accessory"]["value"] for b in _home(h, MENTOR)["blocks"]
            if (b.get("accessory") or {}).get("action_id") == InternshipActionId.EVALUATE]
    assert left == [str(h.intern_id("S2024002"))]
