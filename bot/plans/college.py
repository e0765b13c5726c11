"""Numbers across partnerships, as App Home and the college digest show them: a dean's college (every
partnership of it, read-only) and coordinators' placed/planned. A constant number of queries however many
partnerships a college has."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.plans.numbers import Hiring, PlacementRow, combined, hiring, placement, totals
from models.problem import Problem, ProblemStatus, Severity
from models.roster import College, CollegeDean, Intern, Partnership


@dataclass(frozen=True)
class PartnershipGlance:
    """One partnership of a college, as its dean sees it."""

    id: int
    name: str
    channel_id: str
    current_interns: int
    open_by_severity: dict[Severity, int]
    placed: int
    planned: int
    hires: int  # this year so far


@dataclass(frozen=True)
class CollegePicture:
    name: str
    partnerships: tuple[PartnershipGlance, ...]
    hiring: Hiring  # the college's partnerships together, this year so far


def dean_colleges(session: Session, person_id: int) -> list[tuple[int, str]]:
    """(id, name) of the colleges the person is a dean of, by name."""
    return [(cid, name) for cid, name in session.execute(
        select(College.id, College.name).join(CollegeDean, CollegeDean.college_id == College.id)
        .where(CollegeDean.person_id == person_id).order_by(College.name))]


def college_pictures(session: Session, colleges: Sequence[tuple[int, str]], today: date) -> list[CollegePicture]:
    """Each college's partnerships at a glance: current interns, open problems by severity, placed/planned of
    the plans running today and hires this year. Seven queries, whatever the number of partnerships."""
    if not colleges:
        return []
    rows = session.execute(select(Partnership.id, Partnership.name, Partnership.channel_id, Partnership.college_id)
                           .where(Partnership.college_id.in_([cid for cid, _ in colleges]))
                           .order_by(Partnership.name)).all()
    ids = [r.id for r in rows]
    current = {pid: int(n) for pid, n in session.execute(
        select(Intern.partnership_id, func.count()).where(Intern.partnership_id.in_(ids), Intern.start_date <= today,
                                                          Intern.end_date >= today).group_by(Intern.partnership_id))}
    problems: dict[int, dict[Severity, int]] = {}
    for pid, severity, count in session.execute(
            select(Problem.partnership_id, Problem.severity, func.count())
            .where(Problem.partnership_id.in_(ids), Problem.status != ProblemStatus.RESOLVED)
            .group_by(Problem.partnership_id, Problem.severity)):
        problems.setdefault(pid, {})[Severity(severity)] = int(count)
    plans = totals(placement(session, ids, (today, today)))
    hired = hiring(session, ids, (date(today.year, 1, 1), today))
    pictures = []
    for cid, name in colleges:
        glances = tuple(PartnershipGlance(
            r.id, r.name, r.channel_id, int(current.get(r.id, 0)),
            {s: problems.get(r.id, {}).get(s, 0) for s in Severity}, *plans.get(r.id, (0, 0)), hired[r.id].hires)
            for r in rows if r.college_id == cid)
        pictures.append(CollegePicture(name, glances, combined([hired[g.id] for g in glances])))
    return pictures


def current_placement(session: Session, partnership_ids: Sequence[int], today: date) -> list[PlacementRow]:
    """The plan lines of the periods running today (or starting next) in these partnerships."""
    return placement(session, partnership_ids, (today, today)) if partnership_ids else []
