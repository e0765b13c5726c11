"""Staff exchanges: the rules and transactions of requesting, reviewing, assessing and confirming.

Knows nothing of Slack. Each change locks the exchange row, re-checks its state, and in one
transaction writes the change, the audit record and (through the notifier) the outgoing messages.
So two approvers deciding at once, or one clicking twice, queue up and the second sees the first;
the unique (exchange, round, side) constraint is the last line of defence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import audit
from bot.errors import InvalidInput, InvalidTransition, NotAllowed, NotFound, raise_problems
from bot.exchanges import assessments
from bot.exchanges.forms import ExchangeRequestInput, period_error
from bot.exchanges.letter_fonts import DEFAULT_FONTS
from bot.exchanges.snapshot import ExchangeSnapshot, snapshot
from bot.exchanges.state import AlreadyDecided, Outcome, Overlaps, state_of, subject_of
from bot.permissions import Action, Subject, find_person, is_allowed, partnerships_allowing, require
from bot.storage.db import Database
from models.base import utcnow
from models.delivery import ProcessedRequest
from models.exchange import DecisionKind, Exchange, ExchangeDecision, ExchangeStatus, Rating
from models.roster import Membership, Partnership, Person


class ExchangeNotifier(Protocol):
    """Tells people about exchanges; called inside the change's transaction."""

    def submitted(self, session: Session, x: ExchangeSnapshot, *, resubmitted: bool) -> None: ...

    def decided(self, session: Session, x: ExchangeSnapshot, actor: str) -> None: ...

    def changed(self, session: Session, x: ExchangeSnapshot) -> None: ...

    def assessment_requested(self, session: Session, x: ExchangeSnapshot, assessors: list[str]) -> None: ...

    def assessed(self, session: Session, x: ExchangeSnapshot, actor: str, confirmers: list[str]) -> None: ...

    def failed(self, session: Session, x: ExchangeSnapshot, actor: str, coordinators: list[str]) -> None: ...

    def completed(self, session: Session, x: ExchangeSnapshot, pdf: bytes) -> None: ...

    def reminded(self, session: Session, x: ExchangeSnapshot, users: list[str], kind: str) -> None: ...


class ExchangeService:
    def __init__(self, db: Database, notifier: ExchangeNotifier, *, default_timezone: str = "UTC",
                 clock: Callable[[], datetime] = utcnow, letter_fonts: Sequence[str] = DEFAULT_FONTS) -> None:
        self.db = db
        self.letter_fonts = tuple(letter_fonts)  # TrueType files the certificate embeds, tried in this order
        self.notifier = notifier
        self.default_timezone = default_timezone
        self.clock = clock

    # --- reading -----------------------------------------------------------------------------------
    def request_choices(self, slack_user_id: str) -> tuple[list[tuple[int, str]], date]:
        """The partnerships the person may request in (id, name) and today there; raises if none."""
        with self.db.session() as session:
            person = find_person(session, slack_user_id)
            ids = partnerships_allowing(session, person, Action.REQUEST_EXCHANGE)
            if not ids:
                raise NotAllowed(Action.REQUEST_EXCHANGE.value)
            rows = session.scalars(select(Partnership).where(Partnership.id.in_(ids)).order_by(Partnership.id)).all()
            return [(p.id, p.name) for p in rows], self.today(rows[0])

    def view(self, exchange_id: int, slack_user_id: str, action: Action) -> ExchangeSnapshot:
        """The exchange, if the person may take `action` on it (used before opening a modal)."""
        with self.db.session() as session:
            exchange = self.get(session, exchange_id)
            require(session, slack_user_id, action, subject_of(exchange))
            return snapshot(session, exchange, self.default_timezone)

    # --- changing ----------------------------------------------------------------------------------
    def request(self, slack_user_id: str, data: ExchangeRequestInput, source_key: str) -> Outcome:
        """Store a new request and ask both sides. The same `source_key` (view id) never makes two."""
        try:
            with self.db.transaction() as session:
                existing = session.scalar(select(Exchange).where(Exchange.source_key == source_key))
                if existing is not None:
                    return Outcome(snapshot(session, existing, self.default_timezone), changed=False)
                requester = find_person(session, slack_user_id)
                if data.partnership_id is None or data.partnership_id not in partnerships_allowing(
                        session, requester, Action.REQUEST_EXCHANGE):
                    raise InvalidInput("partnership_id", "not_yours")
                partnership = session.get(Partnership, data.partnership_id)
                assert partnership is not None
                person = self._check(session, requester, partnership, data)
                self._refuse_overlap(session, person, data)
                now = self.clock()
                exchange = Exchange(
                    partnership=partnership, person=person, requester=requester, direction=data.direction,
                    host_unit=data.host_unit, purpose=data.purpose, start_date=data.start_date,
                    end_date=data.end_date, expected_outcomes=data.expected_outcomes,
                    confidentiality_acknowledged_at=now, status=ExchangeStatus.PENDING, review_round=1,
                    created_at=now, updated_at=now, submitted_at=now, source_key=source_key)
                session.add(exchange)
                session.flush()
                view = _decidable(snapshot(session, exchange, self.default_timezone))
                audit.record(session, actor=slack_user_id, action="exchange.requested", entity_type="exchange",
                             entity_id=exchange.id, after=state_of(exchange))
                self.notifier.submitted(session, view, resubmitted=False)
                return Outcome(view, changed=True)
        except IntegrityError:
            with self.db.session() as session:  # the same submission raced us into the unique source_key
                existing = session.scalar(select(Exchange).where(Exchange.source_key == source_key))
                if existing is None:
                    raise
                return Outcome(snapshot(session, existing, self.default_timezone), changed=False)

    def resubmit(self, exchange_id: int, slack_user_id: str, data: ExchangeRequestInput,
                 source_key: str) -> Outcome:
        """The requester's edit after "ask for changes": a new review round for both sides."""
        with self.db.transaction() as session:
            exchange = self.get(session, exchange_id, lock=True)
            requester = require(session, slack_user_id, Action.EDIT_EXCHANGE, subject_of(exchange))
            if self.seen(session, source_key):
                return Outcome(snapshot(session, exchange, self.default_timezone), changed=False)
            if exchange.status != ExchangeStatus.CHANGES_REQUESTED:
                raise InvalidTransition(exchange.status.value)
            person = self._check(session, requester, exchange.partnership, data)
            self._refuse_overlap(session, person, data, besides=exchange.id)
            before = state_of(exchange)
            now = self.clock()
            exchange.person, exchange.direction, exchange.host_unit = person, data.direction, data.host_unit
            exchange.purpose, exchange.start_date, exchange.end_date = data.purpose, data.start_date, data.end_date
            exchange.expected_outcomes, exchange.confidentiality_acknowledged_at = data.expected_outcomes, now
            exchange.status, exchange.review_round = ExchangeStatus.PENDING, exchange.review_round + 1
            exchange.updated_at = exchange.submitted_at = now
            session.flush()
            view = _decidable(snapshot(session, exchange, self.default_timezone))
            audit.record(session, actor=slack_user_id, action="exchange.resubmitted", entity_type="exchange",
                         entity_id=exchange.id, before=before, after=state_of(exchange))
            self.notifier.submitted(session, view, resubmitted=True)
            return Outcome(view, changed=True)

    def decide(self, exchange_id: int, slack_user_id: str, decision: DecisionKind, comment: str | None,
               source_key: str, review_round: int | None = None) -> Outcome:
        """One side's decision. Approved when both sides approved; rejected, or sent back for changes,
        as soon as either side says so."""
        try:
            with self.db.transaction() as session:
                exchange = self.get(session, exchange_id, lock=True)
                decider = require(session, slack_user_id, Action.DECIDE_EXCHANGE, subject_of(exchange))
                if self.seen(session, source_key):
                    return Outcome(snapshot(session, exchange, self.default_timezone), changed=False)
                if exchange.status != ExchangeStatus.PENDING:
                    raise InvalidTransition(exchange.status.value)
                if review_round is not None and review_round != exchange.review_round:
                    raise InvalidTransition("resubmitted")
                earlier = {d.side: d for d in exchange.decisions if d.review_round == exchange.review_round}
                if decider.side in earlier:
                    raise AlreadyDecided(earlier[decider.side].decider.slack_user_id)
                if decision != DecisionKind.APPROVE and not comment:
                    raise InvalidInput("comment", "required")
                before = state_of(exchange)
                now = self.clock()
                session.add(ExchangeDecision(exchange=exchange, review_round=exchange.review_round, side=decider.side,
                                             decider=decider, decision=decision, comment=comment, created_at=now))
                session.flush()
                session.refresh(exchange, ["decisions"])
                approvals = {d.side for d in exchange.decisions
                             if d.review_round == exchange.review_round and d.decision == DecisionKind.APPROVE}
                if decision == DecisionKind.REJECT:
                    exchange.status = ExchangeStatus.REJECTED
                elif decision == DecisionKind.REQUEST_CHANGES:
                    exchange.status = ExchangeStatus.CHANGES_REQUESTED
                elif approvals >= {exchange.direction.sending_side, exchange.direction.host_side}:
                    exchange.status = ExchangeStatus.APPROVED
                exchange.updated_at = now
                session.flush()
                audit.record(session, actor=slack_user_id, action=f"exchange.{decision.value}", entity_type="exchange",
                             entity_id=exchange.id, before=before,
                             after={**state_of(exchange), "side": decider.side, "comment": comment})
                view = snapshot(session, exchange, self.default_timezone)
                self.notifier.decided(session, view, slack_user_id)
                return Outcome(view, changed=True)
        except IntegrityError:
            # Only reachable if the row lock was bypassed: the unique (exchange, round, side) held.
            with self.db.session() as session:
                exchange = self.get(session, exchange_id)
                person = find_person(session, slack_user_id)
                same = [d for d in exchange.decisions
                        if d.review_round == exchange.review_round and d.side == person.side]
                if not same:
                    raise
                raise AlreadyDecided(same[0].decider.slack_user_id) from None

    def assess(self, exchange_id: int, slack_user_id: str, rating: Rating, comments: str | None,
               source_key: str) -> Outcome:
        """One side's assessment at the end of the exchange (see bot.exchanges.assessments)."""
        return assessments.assess(self, exchange_id, slack_user_id, rating, comments, source_key)

    def confirm(self, exchange_id: int, slack_user_id: str) -> Outcome:
        """A coordinator's confirmation: completes the exchange and issues the staff exchange certificate."""
        return assessments.confirm(self, exchange_id, slack_user_id)

    # --- helpers used by the assessment and job modules ---------------------------------------------
    def today(self, partnership: Partnership) -> date:
        return self.clock().astimezone(ZoneInfo(partnership.timezone or self.default_timezone)).date()

    def snapshot(self, session: Session, exchange: Exchange) -> ExchangeSnapshot:
        return snapshot(session, exchange, self.default_timezone)

    @staticmethod
    def get(session: Session, exchange_id: int, *, lock: bool = False) -> Exchange:
        exchange = session.get(Exchange, exchange_id, with_for_update=lock or None)
        if exchange is None:
            raise NotFound(f"exchange {exchange_id}")
        return exchange

    @staticmethod
    def seen(session: Session, source_key: str | None) -> bool:
        """True if this request was already acted on; otherwise record it as acted on now."""
        if source_key is None:
            return False
        if session.get(ProcessedRequest, source_key) is not None:
            return True
        session.add(ProcessedRequest(key=source_key))
        return False

    def check_request(self, slack_user_id: str, fields: Mapping[str, Any], partnership_id: int | None) -> None:
        """A new request's rules that need the database, on the fields a form accepted (any may be missing):
        raises InvalidInput naming every field that breaks one."""
        with self.db.session() as session:
            requester = find_person(session, slack_user_id)
            if partnership_id is None or partnership_id not in partnerships_allowing(
                    session, requester, Action.REQUEST_EXCHANGE):
                raise InvalidInput("partnership_id", "not_yours")
            partnership = session.get(Partnership, partnership_id)
            assert partnership is not None
            raise_problems(self._request_problems(session, requester, partnership, fields)[0])

    def check_resubmit(self, exchange_id: int, slack_user_id: str, fields: Mapping[str, Any]) -> None:
        """The same rules for the requester's edit of `exchange_id`."""
        with self.db.session() as session:
            exchange = self.get(session, exchange_id)
            requester = require(session, slack_user_id, Action.EDIT_EXCHANGE, subject_of(exchange))
            raise_problems(self._request_problems(session, requester, exchange.partnership, fields)[0])

    def _check(self, session: Session, requester: Person, partnership: Partnership,
               data: ExchangeRequestInput) -> Person:
        """The person going, if the request keeps every rule that needs the database; else raise, naming
        every field that breaks one."""
        problems, person = self._request_problems(session, requester, partnership, dict(data))
        raise_problems(problems)
        assert person is not None  # no problem: found
        return person

    def _request_problems(self, session: Session, requester: Person, partnership: Partnership,
                          fields: Mapping[str, Any]) -> tuple[dict[str, str], Person | None]:
        """Every rule the given fields of a request break (field → rule), and the person going, if found."""
        problems: dict[str, str] = {}
        if fields.get("confidentiality_acknowledged") is False:
            problems["confidentiality"] = "required"
        person = None
        if fields.get("person") is not None:
            person = session.scalar(select(Person).where(Person.slack_user_id == fields["person"]))
            on_roster = person is not None and session.scalar(select(Membership.id).where(
                Membership.person_id == person.id, Membership.partnership_id == partnership.id).limit(1))
            if person is None or not on_roster:
                problems["person"], person = "not_on_roster", None
            elif person.id != requester.id and not is_allowed(
                    session, requester, Action.REQUEST_EXCHANGE_FOR_OTHERS, Subject(partnership.id)):
                problems["person"] = "not_allowed"
        direction = fields.get("direction")
        if person is not None and direction is not None and direction.sending_side != person.side:
            problems["direction"] = "wrong_side"
        start, end = fields.get("start_date"), fields.get("end_date")
        broken = period_error(start, end) if start is not None and end is not None else None
        if broken:
            problems[broken[0]] = broken[1]
        if start is not None and start < self.today(partnership):
            problems["start_date"] = "past"
        return problems, person


    def _refuse_overlap(self, session: Session, person: Person, data: ExchangeRequestInput, *,
                        besides: int | None = None) -> None:
        """Refuse a period that overlaps another exchange of the same person (in any partnership)."""
        first = session.scalar(
            select(Exchange).where(Exchange.person_id == person.id, Exchange.status.not_in(NOT_HOLDING),
                                   Exchange.start_date <= data.end_date, Exchange.end_date >= data.start_date,
                                   Exchange.id != (besides or 0))
            .order_by(Exchange.start_date, Exchange.id).limit(1))
        if first is not None:
            raise Overlaps(snapshot(session, first, self.default_timezone))

# An exchange in these states no longer holds the person's time.
NOT_HOLDING = (ExchangeStatus.REJECTED, ExchangeStatus.CANCELLED)


def _decidable(view: ExchangeSnapshot) -> ExchangeSnapshot:
    """`view`, if each side has someone who may decide it; else refuse on "Who" (the transaction rolls
    back), rather than store a request nobody could ever approve."""
    if not view.approvers[view.sending_side]:
        raise InvalidInput("person", "no_sending_approver")
    if not view.approvers[view.host_side]:
        raise InvalidInput("person", "no_host_approver")
    return view


