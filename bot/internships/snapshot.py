"""Plain, immutable views of an intern and their evaluation, for messages, forms and App Home."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.internships.labels import CRITERIA
from models.internship import Grade, InternshipEvaluation
from models.roster import Intern


@dataclass(frozen=True)
class InternSnapshot:
    id: int
    name: str
    student_id: str
    position: str
    partnership: str
    language: str  # the partnership's
    start_date: date
    end_date: date
    teacher: str  # Slack user ids
    mentor: str


@dataclass(frozen=True)
class EvaluationSnapshot:
    intern_id: int
    grades: dict[str, Grade]  # criterion (see labels.CRITERIA) → grade, in CRITERIA's order
    comments: str | None
    certificate_issued: bool
    evaluator: str  # Slack user id
    evaluator_name: str
    evaluated_at: datetime


def intern_snapshot(intern: Intern) -> InternSnapshot:
    return InternSnapshot(
        id=intern.id, name=intern.name, student_id=intern.student_id, position=intern.position,
        partnership=intern.partnership.name, language=intern.partnership.language or "en",
        start_date=intern.start_date, end_date=intern.end_date, teacher=intern.teacher.slack_user_id,
        mentor=intern.mentor.slack_user_id)


def evaluation_snapshot(evaluation: InternshipEvaluation) -> EvaluationSnapshot:
    return EvaluationSnapshot(
        intern_id=evaluation.intern_id, grades={field: getattr(evaluation, field) for field in CRITERIA},
        comments=evaluation.comments, certificate_issued=evaluation.certificate_issued,
        evaluator=evaluation.evaluator.slack_user_id, evaluator_name=evaluation.evaluator.name,
        evaluated_at=evaluation.created_at)
