"""The placement plan's rules: when a period starts short of its plan, its coordinators are told, once.

The check runs daily (`coopbot jobs run plan-shortfall`). A period counts as started from its start date in
the partnership's timezone until its end date; the first check in that time claims the period in the JobRun
ledger (once per partnership and period, whether it was short or not), and when some line has fewer interns
placed than planned the partnership's coordinators (both sides) get a DM listing the short lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.plans.numbers import PlacementRow, placement
from bot.storage.db import Database
from bot.storage.ledger import claim, done_at
from models.base import utcnow
from models.plan import Plan
from models.roster import Membership, Partnership, Person, Role

JOB = "plan-shortfall"


class PlanNotifier(Protocol):
    def short(self, session: Session, users: list[str], partnership: str, language: str, period: str,
              rows: list[PlacementRow]) -> None: ...


@dataclass(frozen=True)
class ShortfallResult:
    """What the check did for one started period."""

    partnership: str
    period: str
    placed: int
    planned: int
    told: int  # coordinators told (0 when it was not short, or was checked before)
    checked_on: datetime | None = None  # when an earlier run checked it


class PlanService:
    def __init__(self, db: Database, notifier: PlanNotifier, *, default_timezone: str = "UTC",
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.notifier = notifier
        self.default_timezone = default_timezone
        self.clock = clock

    def check_shortfalls(self, now: datetime | None = None) -> list[ShortfallResult]:
        """Every period running today (in its partnership's timezone) is checked once."""
        now = now or self.clock()
        results: list[ShortfallResult] = []
        with self.db.transaction() as session:
            # A day of margin either side of UTC; the partnership's own "today" decides below.
            candidates = session.execute(
                select(Plan, Partnership).join(Partnership, Partnership.id == Plan.partnership_id)
                .where(Plan.start_date <= (now + timedelta(days=1)).date(),
                       Plan.end_date >= (now - timedelta(days=1)).date())
                .order_by(Partnership.name, Plan.start_date, Plan.id)).all()
            started = []
            for plan, partnership in candidates:
                today = now.astimezone(ZoneInfo(partnership.timezone or self.default_timezone)).date()
                if plan.start_date <= today <= plan.end_date:
                    started.append((plan, partnership))
            if not started:
                return results
            rows = placement(session, sorted({p.id for _, p in started}), (now.date() - timedelta(days=1),
                                                                            now.date() + timedelta(days=1)))
            coordinators = _coordinators(session, [p.id for _, p in started])
            for plan, partnership in started:
                lines = [r for r in rows if r.partnership_id == partnership.id and r.period == plan.period]
                placed, planned = sum(r.placed for r in lines), sum(r.planned for r in lines)
                if not claim(session, job=JOB, partnership_id=partnership.id, period=plan.period, at=now):
                    results.append(ShortfallResult(partnership.name, plan.period, placed, planned, 0, done_at(
                        session, job=JOB, partnership_id=partnership.id, period=plan.period)))
                    continue
                users = coordinators.get(partnership.id, []) if any(r.short for r in lines) else []
                if users:
                    self.notifier.short(session, users, partnership.name, partnership.language, plan.period, lines)
                results.append(ShortfallResult(partnership.name, plan.period, placed, planned, len(users)))
        return results


def _coordinators(session: Session, partnership_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for pid, user in session.execute(
            select(Membership.partnership_id, Person.slack_user_id).join(Person, Person.id == Membership.person_id)
            .where(Membership.partnership_id.in_(partnership_ids), Membership.role == Role.COORDINATOR)
            .order_by(Person.id)):
        found.setdefault(pid, []).append(user)
    return found
