"""`coopbot plans import FILE.csv`: the placement plan, one row per plan line.

Header `partnership,period,start_date,end_date,line,major,post,planned[,order_class]`. A period (e.g.
"2027 spring") is one plan of one partnership, from start_date to end_date (every row of the period must say
the same dates); `line` is the line's reference, unique in the partnership, by which the interns file's
optional `plan_line` column links an intern to it. Like the roster imports: every row is checked first, any
problem names file, line and field and nothing is written; plans upsert by (partnership, period), lines by
(partnership, line); re-importing the same file changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot import audit
from bot.roster.importer import ImportSummary, _partnerships, _Problems, _read_rows, _unknown_partnership
from bot.roster.lock import lock_roster
from bot.storage.db import Database
from models.plan import Plan, PlanLine
from models.schemas import PlanRow

PLANS_HEADER = ("partnership", "period", "start_date", "end_date", "line", "major", "post", "planned")
PLANS_OPTIONAL = ("order_class",)


def _line_snapshot(row: PlanRow) -> dict[str, Any]:
    return {"partnership": row.partnership, "period": row.period, "start_date": row.start_date,
            "end_date": row.end_date, "line": row.line, "major": row.major, "post": row.post,
            "planned": row.planned, "order_class": row.order_class}


def import_plans(db: Database, path: Path, actor: str = "cli") -> ImportSummary:
    """Upsert plan lines (and their periods); counts are of plan lines."""
    problems = _Problems(path)
    rows = _read_rows(path, PLANS_HEADER, PlanRow, problems, PLANS_OPTIONAL)
    created = updated = unchanged = 0
    with db.transaction() as session:
        lock_roster(session)
        partnerships = _partnerships(session, (r.partnership for _, r in rows))
        ids = [p.id for p in partnerships.values()]
        plans = {(p.partnership_id, p.period): p
                 for p in session.scalars(select(Plan).where(Plan.partnership_id.in_(ids)))}
        lines = {(pl.partnership_id, pl.ref): pl
                 for pl in session.scalars(select(PlanLine).where(PlanLine.partnership_id.in_(ids)))}
        periods_of = {plan.id: plan.period for plan in plans.values()}
        dates: dict[tuple[str, str], tuple[int, PlanRow]] = {}
        seen: dict[tuple[str, str], int] = {}
        for line, row in rows:
            partnership = partnerships.get(row.partnership)
            if partnership is None:
                problems.add(line, "partnership", _unknown_partnership(row.partnership))
                continue
            first_line, first_row = dates.setdefault((row.partnership, row.period), (line, row))
            if (first_row.start_date, first_row.end_date) != (row.start_date, row.end_date):
                problems.add(line, "start_date", f"period {row.period!r} runs {first_row.start_date.isoformat()} – "
                             f"{first_row.end_date.isoformat()} on line {first_line}; every row of it must say so")
            key = (row.partnership, row.line)
            if key in seen:
                problems.add(line, "line", f"{row.line} is already listed on line {seen[key]}")
            seen[key] = line
            stored = lines.get((partnership.id, row.line))
            if stored is not None and periods_of.get(stored.plan_id) != row.period:
                problems.add(line, "line", f"{row.line} is a line of period {periods_of.get(stored.plan_id)!r}; "
                             "give this one another reference")
        problems.raise_if_any()

        for (pname, period), (_, first) in dates.items():
            pid = partnerships[pname].id
            plan = plans.get((pid, period))
            if plan is None:
                plan = Plan(partnership_id=pid, period=period, start_date=first.start_date, end_date=first.end_date)
                session.add(plan)
                session.flush()
                plans[(pid, period)] = plan
            elif (plan.start_date, plan.end_date) != (first.start_date, first.end_date):
                audit.record(session, actor=actor, action="plan.update", entity_type="placement_plan",
                             entity_id=plan.id, before={"start_date": plan.start_date, "end_date": plan.end_date},
                             after={"start_date": first.start_date, "end_date": first.end_date})
                plan.start_date, plan.end_date = first.start_date, first.end_date
        for _, row in rows:
            pid = partnerships[row.partnership].id
            plan = plans[(pid, row.period)]
            stored = lines.get((pid, row.line))
            fields = {"major": row.major, "post": row.post, "planned": row.planned, "order_class": row.order_class}
            if stored is None:
                new = PlanLine(plan_id=plan.id, partnership_id=pid, ref=row.line, **fields)
                session.add(new)
                session.flush()
                audit.record(session, actor=actor, action="plan_line.create", entity_type="plan_line",
                             entity_id=new.id, after=_line_snapshot(row))
                created += 1
                continue
            before = {name: getattr(stored, name) for name in fields}
            if before == fields:
                unchanged += 1
                continue
            for name, value in fields.items():
                setattr(stored, name, value)
            audit.record(session, actor=actor, action="plan_line.update", entity_type="plan_line",
                         entity_id=stored.id, before=before, after=fields)
            updated += 1
    return ImportSummary(created=created, updated=updated, unchanged=unchanged)
