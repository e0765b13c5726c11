"""The placement plan and recruitment as export rows (`coopbot export plans`, `coopbot export recruitment`).

plans: one row per plan line, placed against planned (`status`: `met` when placed ≥ planned, else `short`).
recruitment: one row per recommendation, with its opening (`status`: `recommended`, `offered`, `hired`,
`declined` — fixed lowercase words, never translated); an opening nobody was recommended for yet is one row
with `status` `open`.
"""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from bot.exports.cells import Row, local
from bot.storage.db import Database
from models.plan import Plan, PlanLine
from models.recruitment import Opening, Recommendation
from models.roster import College, Enterprise, Intern, Partnership, Person

PLANS_HEADER = ("partnership", "college", "enterprise", "period", "start_date", "end_date", "line", "major", "post",
                "order_class", "planned", "placed", "status")
RECRUITMENT_HEADER = ("opening_id", "partnership", "college", "enterprise", "title", "post", "number", "deadline",
                      "posted_by", "posted_at", "student_id", "intern", "recommended_by", "recommended_at", "status",
                      "offered_at", "hired_at")
RECRUITMENT_MOMENTS = frozenset(("posted_at", "recommended_at", "offered_at", "hired_at"))
_BATCH = 500


def iter_plan_rows(db: Database) -> Iterator[Row]:
    placed = (select(Intern.plan_line_id, func.count().label("placed")).where(Intern.plan_line_id.is_not(None))
              .group_by(Intern.plan_line_id).subquery())
    query = (select(Partnership.name, College.name, Enterprise.name, Plan.period, Plan.start_date, Plan.end_date,
                    PlanLine.ref, PlanLine.major, PlanLine.post, PlanLine.order_class, PlanLine.planned,
                    func.coalesce(placed.c.placed, 0))
             .join(PlanLine, PlanLine.plan_id == Plan.id)
             .join(Partnership, Partnership.id == Plan.partnership_id)
             .join(College, College.id == Partnership.college_id)
             .join(Enterprise, Enterprise.id == Partnership.enterprise_id)
             .outerjoin(placed, placed.c.plan_line_id == PlanLine.id)
             .order_by(Partnership.name, Plan.start_date, Plan.id, PlanLine.id)
             .execution_options(yield_per=_BATCH))
    with db.session() as session:
        for *cells, planned, placed_count in session.execute(query):
            yield [*cells, planned, int(placed_count), "met" if placed_count >= planned else "short"]


def iter_recruitment_rows(db: Database, *, default_timezone: str = "UTC") -> Iterator[Row]:
    poster, recommender = aliased(Person), aliased(Person)
    r = Recommendation
    query = (select(Opening.id, Partnership.name, College.name, Enterprise.name, Opening.title, Opening.post,
                    Opening.number, Opening.deadline, poster.name, Opening.created_at, Intern.student_id, Intern.name,
                    recommender.name, r.created_at, r.status, r.offered_at, r.hired_at, Partnership.timezone)
             .join(Partnership, Partnership.id == Opening.partnership_id)
             .join(College, College.id == Partnership.college_id)
             .join(Enterprise, Enterprise.id == Partnership.enterprise_id)
             .join(poster, poster.id == Opening.posted_by_id)
             .outerjoin(r, r.opening_id == Opening.id)
             .outerjoin(Intern, Intern.id == r.intern_id)
             .outerjoin(recommender, recommender.id == r.recommended_by_id)
             .order_by(Opening.id, r.id)
             .execution_options(yield_per=_BATCH))
    with db.session() as session:
        for (opening_id, partnership, college, enterprise, title, post, number, deadline, posted_by, posted_at,
             student_id, intern, recommended_by, recommended_at, status, offered_at, hired_at,
             zone) in session.execute(query):
            clock = ZoneInfo(zone or default_timezone)
            yield [opening_id, partnership, college, enterprise, title, post, number, deadline, posted_by,
                   local(posted_at, clock), student_id, intern, recommended_by, local(recommended_at, clock),
                   status.value if status is not None else "open", local(offered_at, clock), local(hired_at, clock)]
