"""The end of an internship: the rules and the transaction of recording the evaluation.

Knows nothing of Slack. Who may evaluate is the matrix's (the intern's mentor or an enterprise
coordinator of the partnership); an intern is evaluated once; a retried submission (same view id)
finds its own row and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import audit
from bot.errors import CoopError, InvalidTransition, NotFound
from bot.internships.forms import EvaluationInput
from bot.internships.labels import CRITERIA
from bot.internships.snapshot import EvaluationSnapshot, InternSnapshot, evaluation_snapshot, intern_snapshot
from bot.permissions import Action, Subject, require
from bot.quarters import local_today
from bot.storage.db import Database
from models.base import utcnow
from models.internship import InternshipEvaluation
from models.roster import Intern, Person

# Internships that ended longer ago than this are not asked about: importing last year's interns
# must not flood their mentors with requests. They still show as `pending` in the export.
EVALUATION_LOOKBACK = timedelta(days=180)
ONGOING = "ongoing"  # InvalidTransition state: the internship has not reached its end date


class AlreadyEvaluated(CoopError):
    """Someone else (`by`, a Slack user id) evaluated this internship first."""

    def __init__(self, by: str) -> None:
        super().__init__(by)
        self.by = by


class InternshipNotifier(Protocol):
    def requested(self, session: Session, user: str, asked: list[tuple[InternSnapshot, int]]) -> None: ...

    def evaluated(self, session: Session, intern: InternSnapshot, evaluation: EvaluationSnapshot) -> None: ...


@dataclass(frozen=True)
class Outcome:
    evaluation: EvaluationSnapshot
    changed: bool  # False when the request had already been handled


class InternshipService:
    def __init__(self, db: Database, notifier: InternshipNotifier, *, default_timezone: str = "UTC",
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.notifier = notifier
        self.default_timezone = default_timezone
        self.clock = clock

    def today(self, intern: Intern, now: datetime | None = None) -> date:
        """Today in the intern's partnership's timezone."""
        return local_today(now or self.clock(), intern.partnership.timezone or self.default_timezone)

    def evaluation_form(self, intern_id: int, slack_user_id: str) -> InternSnapshot:
        """The intern, if the person may evaluate them now (before opening the modal)."""
        with self.db.session() as session:
            intern = self._get(session, intern_id)
            self._check(session, intern, slack_user_id)
            return intern_snapshot(intern)

    def evaluate(self, intern_id: int, slack_user_id: str, data: EvaluationInput, source_key: str) -> Outcome:
        """Record the evaluation, update the requests, tell the teacher. Once per intern."""
        try:
            with self.db.transaction() as session:
                done = self._by_key(session, source_key)
                if done is not None:
                    return Outcome(done, changed=False)
                intern = self._get(session, intern_id, lock=True)
                evaluator = self._check(session, intern, slack_user_id)
                grades = {field: getattr(data, field) for field in CRITERIA}
                evaluation = InternshipEvaluation(
                    intern=intern, evaluator=evaluator, comments=data.comments,
                    certificate_issued=data.certificate_issued, source_key=source_key, created_at=self.clock(),
                    **grades)
                session.add(evaluation)
                session.flush()
                audit.record(session, actor=slack_user_id, action="internship.evaluated", entity_type="intern",
                             entity_id=intern.id, after={**grades, "comments": data.comments,
                                                         "certificate_issued": data.certificate_issued})
                view = evaluation_snapshot(evaluation)
                self.notifier.evaluated(session, intern_snapshot(intern), view)
                return Outcome(view, changed=True)
        except IntegrityError:
            # A concurrent submission won the unique intern_id or source_key: say which.
            with self.db.session() as session:
                done = self._by_key(session, source_key)
                if done is not None:
                    return Outcome(done, changed=False)
                other = session.scalar(select(InternshipEvaluation).where(
                    InternshipEvaluation.intern_id == intern_id))
                if other is None:
                    raise
                raise AlreadyEvaluated(other.evaluator.slack_user_id) from None

    def _check(self, session: Session, intern: Intern, slack_user_id: str) -> Person:
        person = require(session, slack_user_id, Action.EVALUATE_INTERN, Subject(intern.partnership_id, intern))
        if intern.end_date > self.today(intern):
            raise InvalidTransition(ONGOING)
        existing = session.scalar(select(InternshipEvaluation).where(InternshipEvaluation.intern_id == intern.id))
        if existing is not None:
            raise AlreadyEvaluated(existing.evaluator.slack_user_id)
        return person

    @staticmethod
    def _by_key(session: Session, source_key: str) -> EvaluationSnapshot | None:
        done = session.scalar(select(InternshipEvaluation).where(InternshipEvaluation.source_key == source_key))
        return evaluation_snapshot(done) if done is not None else None

    @staticmethod
    def _get(session: Session, intern_id: int, *, lock: bool = False) -> Intern:
        intern = session.get(Intern, intern_id, with_for_update=lock or None)
        if intern is None:
            raise NotFound(f"intern {intern_id}")
        return intern
