"""The exchange calendar, as plain functions the scheduler calls with the current time.

Each piece of work (one exchange, one period) is claimed in the JobRun ledger inside the transaction
that sends its messages, so a second run — another replica, a retry, a catch-up — does nothing.
Each returns how many exchanges it acted on.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import audit
from bot.exchanges.service import ExchangeService
from bot.exchanges.state import state_of, subject_of
from bot.permissions import Action, people_allowed
from bot.quarters import local_today, working_days_after
from bot.storage.ledger import claim
from models.exchange import DecisionKind, Exchange, ExchangeStatus
from models.roster import Membership, Person, Role, Side
from scheduler.spec import Reminder

if TYPE_CHECKING:
    from bot.container import Services

ACTOR = "scheduler"
REMIND_AFTER_WORKING_DAYS = 3  # a pending review reminds its approvers
ESCALATE_AFTER_WORKING_DAYS = 7  # ... and then the coordinators are told
ASSESSMENT_OVERDUE_WORKING_DAYS = 5  # after the end date, an assessment still missing reminds its assessor


def activate_started(services: Services, now: datetime) -> int:
    """Approved exchanges whose start date has come (in the partnership's timezone) become active."""
    service = services.exchanges
    done = 0
    for exchange_id in _ids(service, ExchangeStatus.APPROVED):
        with service.db.transaction() as session:
            exchange = service.get(session, exchange_id, lock=True)
            today = _today(service, exchange, now)
            if exchange.status != ExchangeStatus.APPROVED or exchange.start_date > today:
                continue
            if not claim(session, job="exchange-activate", partnership_id=exchange.partnership_id,
                         period=exchange.start_date.isoformat(), subject=f"exchange:{exchange.id}"):
                continue
            before = state_of(exchange)
            exchange.status, exchange.updated_at = ExchangeStatus.ACTIVE, now
            session.flush()
            audit.record(session, actor=ACTOR, action="exchange.activated", entity_type="exchange",
                         entity_id=exchange.id, before=before, after=state_of(exchange))
            service.notifier.changed(session, service.snapshot(session, exchange))
            done += 1
    return done


def request_assessments(services: Services, now: datetime) -> int:
    """Active exchanges that reached their end date: ask one assessor on each side."""
    service = services.exchanges
    done = 0
    for exchange_id in _ids(service, ExchangeStatus.ACTIVE):
        with service.db.transaction() as session:
            exchange = service.get(session, exchange_id, lock=True)
            if exchange.status != ExchangeStatus.ACTIVE or exchange.end_date > _today(service, exchange, now):
                continue
            if not claim(session, job="exchange-assessment", partnership_id=exchange.partnership_id,
                         period=exchange.end_date.isoformat(), subject=f"exchange:{exchange.id}"):
                continue
            view = service.snapshot(session, exchange)
            service.notifier.assessment_requested(session, view, list(assessors(session, exchange).values()))
            done += 1
    return done


def send_review_reminders(services: Services, now: datetime) -> int:
    """Pending reviews: remind the approvers after 3 working days, tell the coordinators after 7.
    Overdue assessments: remind the assessors whose side has not assessed."""
    service = services.exchanges
    done = 0
    for exchange_id in _ids(service, ExchangeStatus.PENDING, ExchangeStatus.ACTIVE):
        with service.db.transaction() as session:
            exchange = service.get(session, exchange_id, lock=True)
            today = _today(service, exchange, now)
            if exchange.status == ExchangeStatus.PENDING:
                done += _remind_review(service, session, exchange, today, services.settings.coopbot_holidays)
            elif exchange.status == ExchangeStatus.ACTIVE:
                done += _remind_assessment(service, session, exchange, today, services.settings.coopbot_holidays)
    return done


def assessors(session: Session, exchange: Exchange) -> dict[Side, str]:
    """One assessor per side: whoever approved for that side, if they still may assess; else the first
    person the matrix allows on that side."""
    allowed = people_allowed(session, Action.ASSESS_EXCHANGE, subject_of(exchange))
    approved = {d.side: d.decider_id for d in exchange.decisions
                if d.review_round == exchange.review_round and d.decision == DecisionKind.APPROVE}
    chosen: dict[Side, str] = {}
    for side in (exchange.direction.sending_side, exchange.direction.host_side):
        on_side = [p for p in allowed if p.side == side]
        preferred = [p for p in on_side if p.id == approved.get(side)]
        if preferred or on_side:
            chosen[side] = (preferred or on_side)[0].slack_user_id
    return chosen


def _remind_review(service: ExchangeService, session: Session, exchange: Exchange, today: date,
                   holidays: Collection[date]) -> int:
    submitted = exchange.submitted_at or exchange.created_at
    waited = working_days_after(local_today(submitted, _zone(service, exchange)), today, holidays)
    view = service.snapshot(session, exchange)
    period, subject, acted = f"round-{exchange.review_round}", f"exchange:{exchange.id}", 0
    if waited >= REMIND_AFTER_WORKING_DAYS and claim(
            session, job="exchange-review-reminder", partnership_id=exchange.partnership_id, period=period,
            subject=subject):
        users = [u for side in view.undecided_sides() for u in view.approvers[side]]
        service.notifier.reminded(session, view, users, "review")
        acted = 1
    if waited >= ESCALATE_AFTER_WORKING_DAYS and claim(
            session, job="exchange-review-escalation", partnership_id=exchange.partnership_id, period=period,
            subject=subject):
        coordinators = list(session.scalars(
            select(Person.slack_user_id).join(Membership, Membership.person_id == Person.id)
            .where(Membership.partnership_id == exchange.partnership_id, Membership.role == Role.COORDINATOR,
                   Person.id != exchange.person_id).order_by(Person.id)))
        service.notifier.reminded(session, view, coordinators, "escalate")
        acted = 1
    return acted


def _remind_assessment(service: ExchangeService, session: Session, exchange: Exchange, today: date,
                       holidays: Collection[date]) -> int:
    if working_days_after(exchange.end_date, today, holidays) < ASSESSMENT_OVERDUE_WORKING_DAYS:
        return 0
    missing = {side: user for side, user in assessors(session, exchange).items()
               if side not in {a.side for a in exchange.assessments}}
    if not missing or not claim(session, job="exchange-assessment-reminder", partnership_id=exchange.partnership_id,
                                period=exchange.end_date.isoformat(), subject=f"exchange:{exchange.id}"):
        return 0
    service.notifier.reminded(session, service.snapshot(session, exchange), list(missing.values()), "assess")
    return 1


def _ids(service: ExchangeService, *statuses: ExchangeStatus) -> list[int]:
    with service.db.session() as session:
        return list(session.scalars(select(Exchange.id).where(Exchange.status.in_(statuses)).order_by(Exchange.id)))


def _zone(service: ExchangeService, exchange: Exchange) -> str:
    return exchange.partnership.timezone or service.default_timezone


def _today(service: ExchangeService, exchange: Exchange, now: datetime) -> date:
    return local_today(now, _zone(service, exchange))


REMINDERS = (Reminder("exchange-activation", activate_started), Reminder("exchange-assessments", request_assessments),
             Reminder("exchange-review-reminders", send_review_reminders))
