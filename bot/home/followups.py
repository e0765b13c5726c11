"""What App Home shows about each internship's paperwork: checklist gaps and end-of-internship results.

A teacher sees their own interns' missing compliance items (with the button to fill them in) and the
mentor's evaluation of their interns who finished recently; a coordinator sees every flagged intern of
the partnerships they coordinate. A constant number of queries, whatever the roster's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.compliance.forms import missing_words, open_button
from bot.compliance.service import MissingCompliance, missing_compliance_many
from bot.i18n import Translator
from bot.internships.messages import evaluation_lines
from bot.internships.snapshot import EvaluationSnapshot, evaluation_snapshot
from bot.slack_text import escape_within
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
class Followups:
    compliance: tuple[MissingCompliance, ...]
    compliance_total: int
    evaluations: tuple[EvaluationItem, ...]
    keeps_checklists: bool  # the viewer is the teacher of the flagged interns (may open the checklist)


def load_followups(session: Session, *, person_id: int, slack_user_id: str, coordinated: list[int],
                   taught: list[int], zones: dict[int, str], now: datetime) -> Followups:
    """`coordinated`/`taught`: partnership ids where the viewer coordinates / teaches interns."""
    todays = {pid: now.astimezone(ZoneInfo(zones[pid])).date() for pid in {*coordinated, *taught} if pid in zones}
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
    return Followups(tuple(flagged[:SHOWN]), len(flagged), tuple(evaluations),
                     keeps_checklists=all(m.teacher == slack_user_id for m in flagged[:SHOWN]))


def followup_blocks(f: Followups, t: Translator) -> list[dict[str, Any]]:
    """The two App Home sections (nothing when there is nothing to say)."""
    _ = t.gettext
    blocks: list[dict[str, Any]] = []
    if f.compliance:
        blocks.append(_header(_("Compliance checklists with gaps")))
        for m in f.compliance:
            when = (_("under way since {date}") if m.started else _("starts {date}")).format(date=t.date(m.start_date))
            text = _("{intern} — missing: {items} ({when})").format(
                intern=escape_within(f"{m.name} ({m.student_id})", 300), items=missing_words(m.missing, t), when=when)
            block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
            if m.teacher and f.keeps_checklists:
                block["accessory"] = open_button(m.intern_id, t)
            blocks.append(block)
        if f.compliance_total > len(f.compliance):
            blocks.append(_context(_("…and {count} more: `/coop checklist` lists them.").format(
                count=f.compliance_total - len(f.compliance))))
    if f.evaluations:
        blocks.append(_header(_("Internship evaluations")))
        for item in f.evaluations:
            who = escape_within(f"{item.name} ({item.student_id})", 300)
            if item.evaluation is None:
                text = _("{intern} finished on {date}; the mentor has not evaluated yet.").format(
                    intern=who, date=t.date(item.end_date))
            else:
                text = f"*{who}*\n{evaluation_lines(item.evaluation, t)}"
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}})
    return blocks


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150], "emoji": True}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
