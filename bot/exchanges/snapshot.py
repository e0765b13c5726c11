"""An exchange as plain data: what messages, modals, the letter and the export render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.permissions import Action, Subject, people_allowed
from models.exchange import DecisionKind, Direction, Exchange, ExchangeStatus, Purpose, Rating
from models.roster import Side


@dataclass(frozen=True)
class DecisionView:
    side: Side
    decider: str  # Slack user id
    decider_name: str
    decision: DecisionKind
    comment: str | None
    at: datetime


@dataclass(frozen=True)
class AssessmentView:
    side: Side
    assessor: str
    assessor_name: str
    rating: Rating
    comments: str | None
    at: datetime


@dataclass(frozen=True)
class ExchangeSnapshot:
    id: int
    partnership_id: int
    partnership_name: str
    school: str
    enterprise: str
    channel_id: str
    timezone: str
    language: str
    person: str  # Slack user id of who goes
    person_name: str
    requester: str
    requester_name: str
    direction: Direction
    host_unit: str
    purpose: Purpose
    start_date: date
    end_date: date
    expected_outcomes: str | None
    status: ExchangeStatus
    review_round: int
    decisions: dict[Side, DecisionView]  # this round's
    assessments: dict[Side, AssessmentView]
    approvers: dict[Side, tuple[str, ...]]  # who may decide for each side, as the roster is now
    confirmed_by: str | None
    letter_number: str | None
    created_at: datetime

    @property
    def message_key(self) -> str:
        """The outbox key of the exchange's summary in the partnership channel."""
        return f"exchange:{self.id}"

    def review_key(self, user: str) -> str:
        """The outbox key of the review request DM sent to `user` in this round."""
        return f"exchange:{self.id}:review:{self.review_round}:{user}"

    @property
    def sending_side(self) -> Side:
        return self.direction.sending_side

    @property
    def host_side(self) -> Side:
        return self.direction.host_side

    @property
    def sending_unit(self) -> str:
        return self.school if self.sending_side == Side.SCHOOL else self.enterprise

    @property
    def host_organisation(self) -> str:
        return self.enterprise if self.host_side == Side.ENTERPRISE else self.school

    def undecided_sides(self) -> list[Side]:
        return [s for s in (self.sending_side, self.host_side) if s not in self.decisions]


def snapshot(session: Session, exchange: Exchange, default_timezone: str) -> ExchangeSnapshot:
    partnership = exchange.partnership
    decisions = {Side(d.side): DecisionView(Side(d.side), d.decider.slack_user_id, d.decider.name, d.decision,
                                            d.comment, d.created_at)
                 for d in exchange.decisions if d.review_round == exchange.review_round}
    assessments = {Side(a.side): AssessmentView(Side(a.side), a.assessor.slack_user_id, a.assessor.name, a.rating,
                                                a.comments, a.created_at)
                   for a in exchange.assessments}
    allowed = people_allowed(session, Action.DECIDE_EXCHANGE, Subject(exchange.partnership_id, exchange=exchange))
    approvers = {side: tuple(p.slack_user_id for p in allowed if p.side == side) for side in Side}
    return ExchangeSnapshot(
        id=exchange.id, partnership_id=partnership.id, partnership_name=partnership.name, school=partnership.school,
        enterprise=partnership.enterprise, channel_id=partnership.channel_id,
        timezone=partnership.timezone or default_timezone, language=partnership.language,
        person=exchange.person.slack_user_id, person_name=exchange.person.name,
        requester=exchange.requester.slack_user_id, requester_name=exchange.requester.name,
        direction=exchange.direction, host_unit=exchange.host_unit, purpose=exchange.purpose,
        start_date=exchange.start_date, end_date=exchange.end_date, expected_outcomes=exchange.expected_outcomes,
        status=exchange.status, review_round=exchange.review_round, decisions=decisions, assessments=assessments,
        approvers=approvers, confirmed_by=exchange.confirmed_by.slack_user_id if exchange.confirmed_by else None,
        letter_number=exchange.letter_number, created_at=exchange.created_at,
    )
