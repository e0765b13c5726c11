"""Recruitment's rules (agreement III.7): the enterprise posts openings, the college recommends interns for
them (its best students first: by their end-of-internship evaluation), the enterprise records offers and
hires, and the intern's record carries the outcome. Every action is checked against the permission matrix
here, whatever button or form it came from; a retried submission finds its own row and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import audit
from bot.errors import InvalidInput, InvalidTransition, NotAllowed, NotFound
from bot.permissions import Action, Subject, allows, find_person, relations, require
from bot.recruitment.forms import OpeningInput
from bot.recruitment.snapshot import (
    Candidate,
    OpeningSnapshot,
    RecommendationSnapshot,
    evaluation_result,
    opening_snapshot,
)
from bot.storage.db import Database
from models.base import utcnow
from models.internship import InternshipEvaluation
from models.recruitment import Opening, Recommendation, RecommendationStatus
from models.roster import Intern, Membership, Outcome, Partnership, Person, Role, Side

# Which decision may follow which: an offer may still become a hire or a decline; a hire or decline is final.
NEXT: dict[RecommendationStatus, frozenset[RecommendationStatus]] = {
    RecommendationStatus.RECOMMENDED: frozenset({RecommendationStatus.OFFERED, RecommendationStatus.HIRED,
                                                 RecommendationStatus.DECLINED}),
    RecommendationStatus.OFFERED: frozenset({RecommendationStatus.HIRED, RecommendationStatus.DECLINED}),
    RecommendationStatus.HIRED: frozenset(),
    RecommendationStatus.DECLINED: frozenset(),
}
OUTCOME = {RecommendationStatus.OFFERED: Outcome.OFFERED, RecommendationStatus.HIRED: Outcome.HIRED,
           RecommendationStatus.DECLINED: Outcome.DECLINED}


class RecruitmentNotifier(Protocol):
    def opening_posted(self, session: Session, opening: OpeningSnapshot) -> None: ...

    def recommended(self, session: Session, recommendations: list[RecommendationSnapshot],
                    recipients: list[str]) -> None: ...

    def decided(self, session: Session, recommendation: RecommendationSnapshot, recipients: list[str]) -> None: ...


def ranked(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The college's best students first: by the evaluation's mean grade, the unevaluated last, then by name."""
    return sorted(candidates, key=lambda c: (c.evaluation is None, -(c.evaluation.score if c.evaluation else 0),
                                             c.name, c.student_id))


class RecruitmentService:
    def __init__(self, db: Database, notifier: RecruitmentNotifier, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.notifier = notifier
        self.clock = clock

    # --- openings -----------------------------------------------------------------------------------------
    def opening_partnerships(self, slack_user_id: str) -> list[tuple[int, str]]:
        """The partnerships where the person may post an opening (for the modal); none: NotAllowed."""
        with self.db.session() as session:
            person = find_person(session, slack_user_id)
            rows = session.execute(select(Partnership.id, Partnership.name).join(
                Membership, Membership.partnership_id == Partnership.id).where(
                Membership.person_id == person.id).distinct().order_by(Partnership.name)).all()
            allowed = [(pid, name) for pid, name in rows
                       if allows(Action.POST_OPENING, relations(session, person, Subject(pid)))]
        if not allowed:
            raise NotAllowed(Action.POST_OPENING.value)
        return allowed

    def post_opening(self, slack_user_id: str, data: OpeningInput, source_key: str) -> OpeningSnapshot:
        """Record the opening and post it in the partnership's channel (through the outbox)."""
        try:
            with self.db.transaction() as session:
                done = session.scalar(select(Opening).where(Opening.source_key == source_key))
                if done is not None:
                    return opening_snapshot(done)
                if session.get(Partnership, data.partnership) is None:
                    raise NotFound(f"partnership {data.partnership}")
                person = require(session, slack_user_id, Action.POST_OPENING, Subject(data.partnership))
                if data.deadline < self.clock().date():
                    raise InvalidInput("deadline", "in_past")
                opening = Opening(partnership_id=data.partnership, title=data.title, post=data.post,
                                  number=data.number, deadline=data.deadline, description=data.description,
                                  posted_by=person, source_key=source_key, created_at=self.clock())
                session.add(opening)
                session.flush()
                audit.record(session, actor=slack_user_id, action="opening.create", entity_type="opening",
                             entity_id=opening.id, after=data.model_dump())
                view = opening_snapshot(opening)
                self.notifier.opening_posted(session, view)
                return view
        except IntegrityError:
            with self.db.session() as session:
                done = session.scalar(select(Opening).where(Opening.source_key == source_key))
                if done is None:
                    raise
                return opening_snapshot(done)

    # --- recommendations ----------------------------------------------------------------------------------
    def recommend_form(self, opening_id: int, slack_user_id: str) -> tuple[OpeningSnapshot, list[Candidate]]:
        """The opening and the partnership's interns not yet recommended for it, best evaluated first."""
        with self.db.session() as session:
            opening = self._opening(session, opening_id)
            require(session, slack_user_id, Action.RECOMMEND_INTERN, Subject(opening.partnership_id))
            return opening_snapshot(opening), self._candidates(session, opening)

    def recommend(self, opening_id: int, slack_user_id: str, intern_ids: list[int]) -> list[RecommendationSnapshot]:
        """Recommend these interns (of the opening's partnership) for it; tell the enterprise's coordinators.
        An intern already recommended is left as they are (a retried submission changes nothing)."""
        if not intern_ids:
            raise InvalidInput("interns", "required")
        with self.db.transaction() as session:
            opening = self._opening(session, opening_id, lock=True)
            person = require(session, slack_user_id, Action.RECOMMEND_INTERN, Subject(opening.partnership_id))
            candidates = {c.intern_id: c for c in self._candidates(session, opening, everyone=True)}
            if any(i not in candidates for i in intern_ids):
                raise InvalidInput("interns", "not_in_partnership")
            already = set(session.scalars(select(Recommendation.intern_id).where(
                Recommendation.opening_id == opening.id)))
            made = []
            for intern_id in intern_ids:
                if intern_id in already:
                    continue
                rec = Recommendation(opening_id=opening.id, intern_id=intern_id, recommended_by_id=person.id,
                                     status=RecommendationStatus.RECOMMENDED, created_at=self.clock())
                session.add(rec)
                session.flush()
                audit.record(session, actor=slack_user_id, action="recommendation.create",
                             entity_type="recommendation", entity_id=rec.id,
                             after={"opening": opening.id, "intern": intern_id})
                made.append(RecommendationSnapshot(rec.id, opening_snapshot(opening), candidates[intern_id],
                                                   slack_user_id, rec.status))
            if made:
                made.sort(key=lambda r: ranked(list(candidates.values())).index(r.intern))
                self.notifier.recommended(session, made, _enterprise_coordinators(session, opening.partnership_id))
            return made

    # --- offers and hires ---------------------------------------------------------------------------------
    def decide(self, recommendation_id: int, slack_user_id: str,
               status: RecommendationStatus) -> RecommendationSnapshot:
        """Record an offer, a hire or a decline (enterprise coordinators and mentors only); the intern's
        record carries the outcome. The same decision twice changes nothing."""
        with self.db.transaction() as session:
            rec = session.get(Recommendation, recommendation_id, with_for_update=True)
            if rec is None:
                raise NotFound(f"recommendation {recommendation_id}")
            opening = rec.opening
            person = require(session, slack_user_id, Action.RECORD_HIRE,
                             Subject(opening.partnership_id, intern=rec.intern))
            current = RecommendationStatus(rec.status)
            if status == current:
                return self._snapshot(session, rec)
            if status not in NEXT[current]:
                raise InvalidTransition(current.value)
            now = self.clock()
            before = current.value
            rec.status = status
            rec.decided_by_id = person.id
            if status == RecommendationStatus.OFFERED:
                rec.offered_at = now
            elif status == RecommendationStatus.HIRED:
                rec.hired_at = now
                rec.offered_at = rec.offered_at or now
            rec.intern.outcome = OUTCOME[status]
            audit.record(session, actor=slack_user_id, action=f"recommendation.{status.value}",
                         entity_type="recommendation", entity_id=rec.id, before={"status": before},
                         after={"status": status.value})
            view = self._snapshot(session, rec)
            self.notifier.decided(session, view, _enterprise_coordinators(session, opening.partnership_id))
            return view

    # --- reading ------------------------------------------------------------------------------------------
    def _snapshot(self, session: Session, rec: Recommendation) -> RecommendationSnapshot:
        evaluation = session.scalar(select(InternshipEvaluation).where(InternshipEvaluation.intern_id == rec.intern_id))
        intern = rec.intern
        recommender = session.get(Person, rec.recommended_by_id)
        return RecommendationSnapshot(rec.id, opening_snapshot(rec.opening), Candidate(
            intern.id, intern.name, intern.student_id, intern.position, evaluation_result(evaluation)),
            recommender.slack_user_id if recommender else "", RecommendationStatus(rec.status))

    @staticmethod
    def _opening(session: Session, opening_id: int, *, lock: bool = False) -> Opening:
        opening = session.get(Opening, opening_id, with_for_update=lock or None)
        if opening is None:
            raise NotFound(f"opening {opening_id}")
        return opening

    @staticmethod
    def _candidates(session: Session, opening: Opening, *, everyone: bool = False) -> list[Candidate]:
        """The partnership's interns (but those already recommended for the opening, unless `everyone`) with
        their evaluations, best first. One query."""
        recommended = select(Recommendation.intern_id).where(Recommendation.opening_id == opening.id)
        stmt = (select(Intern, InternshipEvaluation)
                .outerjoin(InternshipEvaluation, InternshipEvaluation.intern_id == Intern.id)
                .where(Intern.partnership_id == opening.partnership_id))
        if not everyone:
            stmt = stmt.where(Intern.id.not_in(recommended))
        return ranked([Candidate(i.id, i.name, i.student_id, i.position, evaluation_result(e))
                       for i, e in session.execute(stmt)])


def _enterprise_coordinators(session: Session, partnership_id: int) -> list[str]:
    return list(session.scalars(
        select(Person.slack_user_id).join(Membership, Membership.person_id == Person.id)
        .where(Membership.partnership_id == partnership_id, Membership.role == Role.COORDINATOR,
               Person.side == Side.ENTERPRISE).order_by(Person.id)))
