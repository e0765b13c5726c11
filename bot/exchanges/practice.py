"""The enterprise-practice ledger: national rules ask every vocational teacher to spend at least
6 months in enterprises in every 5 years. We count completed college → enterprise exchanges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.exchanges.forms import add_months
from models.exchange import Direction, Exchange, ExchangeStatus
from models.roster import Membership, Person, Role, Side

REQUIRED_MONTHS = 6
WINDOW_YEARS = 5
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class PracticeRecord:
    person: str  # Slack user id
    name: str
    months: float  # completed enterprise practice inside the window, to one decimal
    window_start: date
    window_end: date

    @property
    def met(self) -> bool:
        return self.months >= REQUIRED_MONTHS

    @property
    def missing(self) -> float:
        return max(0.0, round(REQUIRED_MONTHS - self.months, 1))


def practice_ledger(session: Session, today: date, *, person_ids: list[int] | None = None) -> list[PracticeRecord]:
    """One record per college teacher (or per person in `person_ids` who is one), by name."""
    start = add_months(today, -12 * WINDOW_YEARS)
    teachers = select(Person).join(Membership, Membership.person_id == Person.id).distinct().where(
        Person.side == Side.SCHOOL, Membership.role == Role.TEACHER)
    if person_ids is not None:
        teachers = teachers.where(Person.id.in_(person_ids))
    people = session.scalars(teachers.order_by(Person.name, Person.id)).all()
    days: dict[int, int] = {p.id: 0 for p in people}
    rows = session.execute(select(Exchange.person_id, Exchange.start_date, Exchange.end_date).where(
        Exchange.status == ExchangeStatus.COMPLETED, Exchange.direction == Direction.SCHOOL_TO_ENTERPRISE,
        Exchange.person_id.in_(list(days)), Exchange.end_date >= start, Exchange.start_date <= today))
    for person_id, first, last in rows:
        overlap = (min(last, today) - max(first, start)).days + 1
        days[person_id] += max(0, overlap)
    return [PracticeRecord(p.slack_user_id, p.name, round(days[p.id] / DAYS_PER_MONTH, 1), start, today)
            for p in people]


def practice_of(session: Session, slack_user_id: str, today: date) -> PracticeRecord | None:
    """The person's own record, or None if they are not a college teacher."""
    person_id = session.scalar(select(Person.id).where(Person.slack_user_id == slack_user_id))
    if person_id is None:
        return None
    found = practice_ledger(session, today, person_ids=[person_id])
    return found[0] if found else None
