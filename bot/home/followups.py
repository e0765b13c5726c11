"""What App Home shows about each internship's paperwork: checklist gaps and end-of-internship results.

A teacher sees their own interns' missing compliance items (with the button to fill them in) and the
mentor's evaluation of their interns who finished recently; a mentor sees the evaluations still to send
(with the button to send each); a coordinator sees every flagged intern of the partnerships they
coordinate. A constant number of queries, whatever the roster's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.compliance.forms import missing_words, open_button
from bot.compliance.service import MissingCompliance, missing_compliance_many
from bot.i18n.catalog import Translator
from bot.internships.ids import InternshipActionId
from bot.internships.messages import evaluation_lines
from bot.internships.service import EVALUATION_LOOKBACK
from bot.internships.snapshot import EvaluationSnapshot, evaluation_snapshot
from bot.slack.blocks import Blocks, button, context, header, section
from bot.slack.text import escape_within
from models.internship import InternshipEvaluation
from models.roster import Intern

SHOWN = 5  # per list; the rest are counted
RECENT = timedelta(days=60)  # how long after an internship ends its evaluation stays on the teacher's home


@dataclass(frozen=True)
class EvaluationItem:
    name: str
    student_id: str
    end_date: date
    evaluation: EvaluationSnapshot | None  # None: the mentor has not evaluated yet


@dataclass(frozen=True)
class ToEvaluate:
    """An intern of the viewer's (as mentor) whose internship ended and is not evaluated yet."""

    intern_id: int
    name: str
    student_id: str
    end_date: date


@dataclass(frozen=True)
class Followups:
    compliance: tuple[MissingCompliance, ...]
    compliance_total: int
    evaluations: tuple[EvaluationItem, ...]
    keeps_checklists: bool  # the viewer is the teacher of the flagged interns (may open the checklist)
    to_evaluate: tuple[ToEvaluate, ...] = ()
    to_evaluate_total: int = 0


def load_followups(session: Session, *, person_id: int, slack_user_id: str, coordinated: list[int],
                   taught: list[int], zones: dict[int, str], now: datetime,
                   mentored: list[int] | None = None) -> Followups:
    """`coordinated`/`taught`/`mentored`: partnership ids where the viewer coordinates / teaches / mentors
    interns."""
    mentored = mentored or []
    todays = {pid: now.astimezone(ZoneInfo(zones[pid])).date()
              for pid in {*coordinated, *taught, *mentored} if pid in zones}
    flagged: list[MissingCompliance] = []
    for pid, items in missing_compliance_many(session, todays).items():
        flagged += items if pid in coordinated else [m for m in items if m.teacher == slack_user_id]
    flagged.sort(key=lambda m: (m.start_date, m.name))
    evaluations: list[EvaluationItem] = []
    if taught:
        today = min(todays[pid] for pid in taught if pid in todays)
        rows = session.execute(
            select(Intern, InternshipEvaluation).outerjoin(InternshipEvaluation,
                                                           InternshipEvaluation.intern_id == Intern.id)
            .where(Intern.teacher_id == person_id, Intern.end_date < today, Intern.end_date >= today - RECENT)
            .order_by(Intern.end_date.desc(), Intern.name).limit(SHOWN))
        evaluations = [EvaluationItem(i.name, i.student_id, i.end_date,
                                      evaluation_snapshot(e) if e is not None else None) for i, e in rows]
    to_evaluate: list[ToEvaluate] = []
    to_evaluate_total = 0
    if mentored and any(pid in todays for pid in mentored):
        today = min(todays[pid] for pid in mentored if pid in todays)
        waiting = (Intern.mentor_id == person_id, Intern.partnership_id.in_(mentored), Intern.end_date < today,
                   Intern.end_date >= today - EVALUATION_LOOKBACK,
                   ~select(InternshipEvaluation.id).where(InternshipEvaluation.intern_id == Intern.id).exists())
        pending = session.execute(
            select(Intern.id, Intern.name, Intern.student_id, Intern.end_date, func.count().over())
            .where(*waiting).order_by(Intern.end_date, Intern.student_id).limit(SHOWN)).all()
        to_evaluate = [ToEvaluate(i, name, sid, end) for i, name, sid, end, _ in pending]
        to_evaluate_total = int(pending[0][4]) if pending else 0
    return Followups(tuple(flagged[:SHOWN]), len(flagged), tuple(evaluations),
                     keeps_checklists=all(m.teacher == slack_user_id for m in flagged[:SHOWN]),
                     to_evaluate=tuple(to_evaluate), to_evaluate_total=to_evaluate_total)


def followup_blocks(f: Followups, t: Translator) -> Blocks:
    """The two App Home sections (nothing when there is nothing to say)."""
    _ = t.gettext
    blocks: Blocks = []
    if f.compliance:
        blocks.append(header(_("Compliance checklists with gaps")))
        for m in f.compliance:
            when = (_("under way since {date}") if m.started else _("starts {date}")).format(date=t.date(m.start_date))
            text = _("{intern} — missing: {items} ({when})").format(
                intern=escape_within(t.aside(m.name, m.student_id), 300), items=missing_words(m.missing, t), when=when)
            blocks.append(section(text, open_button(m.intern_id, t) if m.teacher and f.keeps_checklists else None))
        if f.compliance_total > len(f.compliance):
            blocks.append(context(_("…and {count} more: `/coop checklist` lists them.").format(
                count=f.compliance_total - len(f.compliance))))
    if f.to_evaluate:
        blocks.append(header(_("Evaluations to send")))
        for waiting in f.to_evaluate:
            text = _("{intern} finished on {date}; please evaluate the internship.").format(
                intern=escape_within(t.aside(waiting.name, waiting.student_id), 300), date=t.date(waiting.end_date))
            blocks.append(section(text, button(InternshipActionId.EVALUATE, _("Evaluate"), waiting.intern_id)))
        if f.to_evaluate_total > len(f.to_evaluate):
            blocks.append(context(_("…and {count} more: the evaluation requests in your DMs list them.").format(
                count=f.to_evaluate_total - len(f.to_evaluate))))
    if f.evaluations:
        blocks.append(header(_("Internship evaluations")))
        for item in f.evaluations:
            who = escape_within(t.aside(item.name, item.student_id), 300)
            if item.evaluation is None:
                text = _("{intern} finished on {date}; the mentor has not evaluated yet.").format(
                    intern=who, date=t.date(item.end_date))
            else:
                text = f"*{who}*\n{evaluation_lines(item.evaluation, t)}"
            blocks.append(section(text, cut=True))
    return blocks
