"""The cooperation's numbers: placed against planned, and recruitment (openings to hires), for any set of
partnerships — App Home, the digests, the exports and the quarterly review pack all read them here.

Each function costs a constant number of queries however many partnerships it is asked about (the review
pack of a college of 50 partnerships reads them once, not 50 times).

**Employment rate** (the number a college is judged on): of the interns whose internship *ended* within the
date range (the cohort), the share whose outcome is *hired* (`Intern.outcome`, set when the enterprise
records a hire, whenever that was). None when no internship ended in the range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from models.plan import Plan, PlanLine
from models.recruitment import Opening, Recommendation
from models.roster import Intern, Outcome, Partnership

DateRange = tuple[date, date]  # both days included


@dataclass(frozen=True)
class PlacementRow:
    """One plan line: how many interns were planned and how many are placed on it (interns linked to it)."""

    partnership_id: int
    partnership: str
    period: str
    start_date: date
    end_date: date
    ref: str
    major: str
    post: str
    order_class: str | None  # the 订单班's name when the line is one
    planned: int
    placed: int

    @property
    def short(self) -> int:
        return max(0, self.planned - self.placed)


@dataclass(frozen=True)
class Hiring:
    """Recruitment in one partnership over a date range (openings posted, recommendations made, offers and
    hires recorded in it) and the employment rate of the range's cohort (see the module's docstring)."""

    partnership_id: int
    openings: int = 0
    positions: int = 0  # the openings' numbers of posts, summed
    recommendations: int = 0
    offers: int = 0
    hires: int = 0
    cohort: int = 0  # interns whose internship ended in the range
    cohort_hired: int = 0

    @property
    def employment_rate(self) -> float | None:
        return self.cohort_hired / self.cohort if self.cohort else None


def placement(session: Session, partnership_ids: Sequence[int], period: str | DateRange) -> list[PlacementRow]:
    """Planned against placed, per plan line, for the plans of `period` (a period's name, e.g. "2027 spring")
    or of every period overlapping a date range; by partnership name, period start, then lines as imported.
    One query."""
    placed = (select(Intern.plan_line_id, func.count().label("placed")).where(Intern.plan_line_id.is_not(None))
              .group_by(Intern.plan_line_id).subquery())
    when = (Plan.period == period if isinstance(period, str)
            else and_(Plan.start_date <= period[1], Plan.end_date >= period[0]))
    stmt = (select(Plan.partnership_id, Partnership.name, Plan.period, Plan.start_date, Plan.end_date, PlanLine.ref,
                   PlanLine.major, PlanLine.post, PlanLine.order_class, PlanLine.planned,
                   func.coalesce(placed.c.placed, 0))
            .join(PlanLine, PlanLine.plan_id == Plan.id)
            .join(Partnership, Partnership.id == Plan.partnership_id)
            .outerjoin(placed, placed.c.plan_line_id == PlanLine.id)
            .where(Plan.partnership_id.in_(list(partnership_ids)), when)
            .order_by(Partnership.name, Plan.start_date, Plan.id, PlanLine.id))
    return [PlacementRow(*row[:10], int(row[10])) for row in session.execute(stmt)]


def totals(rows: Sequence[PlacementRow]) -> dict[int, tuple[int, int]]:
    """Partnership id → (placed, planned) summed over its lines."""
    out: dict[int, tuple[int, int]] = {}
    for row in rows:
        placed, planned = out.get(row.partnership_id, (0, 0))
        out[row.partnership_id] = (placed + row.placed, planned + row.planned)
    return out


def hiring(session: Session, partnership_ids: Sequence[int], dates: DateRange) -> dict[int, Hiring]:
    """Recruitment per partnership over `dates` (every asked partnership has an entry). Three queries."""
    ids = list(partnership_ids)
    start, end = dates
    found: dict[int, dict[str, int]] = {pid: {} for pid in ids}
    # Times are compared as UTC days: from the start day's midnight to the midnight after the end day.
    since = datetime.combine(start, time(), UTC)
    until = datetime.combine(end + timedelta(days=1), time(), UTC)
    for pid, openings, positions in session.execute(
            select(Opening.partnership_id, func.count(), func.coalesce(func.sum(Opening.number), 0))
            .where(Opening.partnership_id.in_(ids), Opening.created_at >= since, Opening.created_at < until)
            .group_by(Opening.partnership_id)):
        found[pid] |= {"openings": int(openings), "positions": int(positions)}

    def within(column: Any) -> Any:
        return func.sum(case((and_(column >= since, column < until), 1), else_=0))

    for pid, made, offers, hires in session.execute(
            select(Opening.partnership_id, within(Recommendation.created_at), within(Recommendation.offered_at),
                   within(Recommendation.hired_at))
            .join(Opening, Opening.id == Recommendation.opening_id)
            .where(Opening.partnership_id.in_(ids)).group_by(Opening.partnership_id)):
        found[pid] |= {"recommendations": int(made or 0), "offers": int(offers or 0), "hires": int(hires or 0)}
    for pid, cohort, hired in session.execute(
            select(Intern.partnership_id, func.count(),
                   func.sum(case((Intern.outcome == Outcome.HIRED, 1), else_=0)))
            .where(Intern.partnership_id.in_(ids), Intern.end_date >= start, Intern.end_date <= end)
            .group_by(Intern.partnership_id)):
        found[pid] |= {"cohort": int(cohort), "cohort_hired": int(hired or 0)}
    return {pid: Hiring(pid, **values) for pid, values in found.items()}


def combined(figures: Sequence[Hiring]) -> Hiring:
    """Several partnerships' recruitment as one (a college's)."""
    return Hiring(0, *(sum(getattr(f, name) for f in figures) for name in
                       ("openings", "positions", "recommendations", "offers", "hires", "cohort", "cohort_hired")))
