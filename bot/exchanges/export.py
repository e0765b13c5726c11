"""Staff exchanges as export rows (`coopbot export exchanges`): every field, both sides' latest
decisions and the whole decision history, both assessments, the letter, and the person's
enterprise-practice ledger. Fixed values (status, decisions, ratings) are never translated."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.exchanges.practice import practice_ledger
from bot.exports.cells import Cell, Row, local, yes_no
from bot.storage.db import Database
from models.exchange import Exchange, ExchangeAssessment, ExchangeDecision
from models.roster import Side

HEADER = (
    "id", "partnership", "person", "person_slack_id", "person_side", "requester", "direction", "host_unit",
    "purpose", "start_date", "end_date", "expected_outcomes", "status", "review_round", "requested_at",
    "confidentiality_acknowledged_at",
    "sending_decision", "sending_decided_by", "sending_decided_at", "sending_comment",
    "host_decision", "host_decided_by", "host_decided_at", "host_comment", "decision_history",
    "sending_rating", "sending_assessor", "sending_assessment_comments",
    "host_rating", "host_assessor", "host_assessment_comments",
    "confirmed_by", "completed_at", "letter_number", "practice_months_5y", "meets_6_month_rule",
)
MOMENTS = frozenset(("requested_at", "confidentiality_acknowledged_at", "sending_decided_at", "host_decided_at",
                     "completed_at"))


_BATCH = 200


def iter_exchange_rows(db: Database, today: date | None = None, *, default_timezone: str = "UTC") -> Iterator[Row]:
    """Every exchange, ordered by id, fetched in batches (a server-side cursor on PostgreSQL) with
    their decisions and assessments loaded per batch, so memory stays flat. The practice ledger is
    one record per college teacher, read first: it grows with the staff, not with the exchanges.
    Times are on the partnership's clock (how each format shows them: `bot.exports.cells`)."""
    query = (select(Exchange).order_by(Exchange.id)
             .options(selectinload(Exchange.partnership), selectinload(Exchange.person),
                      selectinload(Exchange.requester), selectinload(Exchange.confirmed_by),
                      selectinload(Exchange.decisions).selectinload(ExchangeDecision.decider),
                      selectinload(Exchange.assessments).selectinload(ExchangeAssessment.assessor))
             .execution_options(yield_per=_BATCH))
    zones: dict[str, ZoneInfo] = {}
    with db.session() as session:
        ledger = {r.person: r for r in practice_ledger(session, today or date.today())}
        for x in session.scalars(query):
            name = x.partnership.timezone or default_timezone
            zone = zones.get(name) or zones.setdefault(name, ZoneInfo(name))
            sides = (x.direction.sending_side, x.direction.host_side)
            latest = {d.side: d for d in x.decisions if d.review_round == x.review_round}
            assessed = {a.side: a for a in x.assessments}
            record = ledger.get(x.person.slack_user_id)
            row: list[Cell] = [
                x.id, x.partnership.name, x.person.name, x.person.slack_user_id, x.person.side.value,
                x.requester.name, x.direction.value, x.host_unit, x.purpose.value, x.start_date,
                x.end_date, x.expected_outcomes, x.status.value, x.review_round, local(x.created_at, zone),
                local(x.confidentiality_acknowledged_at, zone)]
            for side in sides:
                d = latest.get(side)
                row += ([d.decision.value, d.decider.name, local(d.created_at, zone), d.comment] if d
                        else [None, None, None, None])
            row.append("; ".join(
                f"r{d.review_round} {_side_word(d.side, sides)} {d.decision.value} ({d.decider.name})"
                + (f": {d.comment}" if d.comment else "") for d in x.decisions) or None)
            for side in sides:
                a = assessed.get(side)
                row += [a.rating.value, a.assessor.name, a.comments] if a else [None, None, None]
            row += [x.confirmed_by.name if x.confirmed_by else None, local(x.completed_at, zone),
                    x.letter_number, record.months if record else None, yes_no(record.met if record else None)]
            yield row


def _side_word(side: Side, sides: tuple[Side, Side]) -> str:
    return "sending" if side == sides[0] else "host"

