"""The end of an exchange: each side assesses the person, then a coordinator confirms and the
staff exchange certificate is issued. Same discipline as the review: lock, re-check, one transaction.

The certificate comes only after both sides passed the exchange (the agreement): a Fail from either side ends
the exchange there, as `failed`, without a certificate, and both sides are told."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from bot import audit
from bot.errors import InvalidTransition
from bot.exchanges import letter, letter_fonts
from bot.exchanges.state import AlreadyDecided, Outcome, state_of, subject_of
from bot.i18n.catalog import translator
from bot.permissions import Action, find_person, people_allowed, require
from models.exchange import ExchangeAssessment, ExchangeStatus, Rating

if TYPE_CHECKING:
    from bot.exchanges.service import ExchangeService

LETTER_ATTEMPTS = 3


def assess(service: ExchangeService, exchange_id: int, slack_user_id: str, rating: Rating, comments: str | None,
           source_key: str) -> Outcome:
    """Record one side's assessment. A Fail ends the exchange without a certificate; when both sides have
    passed it, ask a coordinator to confirm."""
    try:
        with service.db.transaction() as session:
            exchange = service.get(session, exchange_id, lock=True)
            assessor = require(session, slack_user_id, Action.ASSESS_EXCHANGE, subject_of(exchange))
            if service.seen(session, source_key):
                return Outcome(service.snapshot(session, exchange), changed=False)
            if exchange.status != ExchangeStatus.ACTIVE or exchange.end_date > service.today(exchange.partnership):
                raise InvalidTransition(exchange.status.value)
            done = {a.side: a for a in exchange.assessments}
            if assessor.side in done:
                raise AlreadyDecided(done[assessor.side].assessor.slack_user_id)
            before = state_of(exchange)
            session.add(ExchangeAssessment(exchange=exchange, side=assessor.side, assessor=assessor, rating=rating,
                                           comments=comments, created_at=service.clock()))
            session.flush()
            session.refresh(exchange, ["assessments"])
            if rating == Rating.FAIL:
                exchange.status = ExchangeStatus.FAILED
            elif {a.side for a in exchange.assessments} >= {exchange.direction.sending_side,
                                                            exchange.direction.host_side}:
                exchange.status = ExchangeStatus.ASSESSED
            exchange.updated_at = service.clock()
            session.flush()
            audit.record(session, actor=slack_user_id, action="exchange.assessed", entity_type="exchange",
                         entity_id=exchange.id, before=before,
                         after={**state_of(exchange), "side": assessor.side, "rating": rating, "comments": comments})
            # The coordinators who would confirm it: asked to now, or told that there is nothing to confirm.
            coordinators = ([p.slack_user_id for p in people_allowed(session, Action.CONFIRM_EXCHANGE,
                                                                    subject_of(exchange))]
                            if exchange.status in (ExchangeStatus.ASSESSED, ExchangeStatus.FAILED) else [])
            view = service.snapshot(session, exchange)
            if exchange.status == ExchangeStatus.FAILED:
                service.notifier.failed(session, view, slack_user_id, coordinators)
            else:
                service.notifier.assessed(session, view, slack_user_id, coordinators)
            return Outcome(view, changed=True)
    except IntegrityError:
        with service.db.session() as session:  # the unique (exchange, side) held against a bypassed lock
            exchange = service.get(session, exchange_id)
            side = find_person(session, slack_user_id).side
            same = [a for a in exchange.assessments if a.side == side]
            if not same:
                raise
            raise AlreadyDecided(same[0].assessor.slack_user_id) from None


def confirm(service: ExchangeService, exchange_id: int, slack_user_id: str) -> Outcome:
    """Complete an assessed exchange: number and render the certificate, keep it, send it to the person who went
    and to the requester."""
    for attempt in range(LETTER_ATTEMPTS):
        try:
            return _confirm_once(service, exchange_id, slack_user_id)
        except IntegrityError:
            # A backstop (letter.next_number takes numbers one at a time): take the next one.
            if attempt == LETTER_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _confirm_once(service: ExchangeService, exchange_id: int, slack_user_id: str) -> Outcome:
    with service.db.transaction() as session:
        exchange = service.get(session, exchange_id, lock=True)
        coordinator = require(session, slack_user_id, Action.CONFIRM_EXCHANGE, subject_of(exchange))
        if exchange.status != ExchangeStatus.ASSESSED:
            raise InvalidTransition(exchange.status.value)
        if any(a.rating == Rating.FAIL for a in exchange.assessments):  # never a certificate for a failed exchange
            raise InvalidTransition(ExchangeStatus.FAILED.value)
        before = state_of(exchange)
        now = service.clock()
        issued_on = service.today(exchange.partnership)
        number = letter.next_number(session, issued_on.year)
        view = service.snapshot(session, exchange)
        pdf = letter.render(view, number, issued_on, coordinator.name, translator(view.language),
                            letter_fonts.load(service.letter_fonts))
        exchange.status, exchange.completed_at, exchange.updated_at = ExchangeStatus.COMPLETED, now, now
        exchange.confirmed_by, exchange.letter_number, exchange.letter_pdf = coordinator, number, pdf
        session.flush()
        audit.record(session, actor=slack_user_id, action="exchange.completed", entity_type="exchange",
                     entity_id=exchange.id, before=before, after={**state_of(exchange), "letter_number": number})
        view = service.snapshot(session, exchange)
        service.notifier.completed(session, view, pdf)
        return Outcome(view, changed=True)
