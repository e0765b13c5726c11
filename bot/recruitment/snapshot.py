"""Plain values the recruitment messages and forms are drawn from (no ORM objects past the service)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models.internship import Grade, InternshipEvaluation
from models.recruitment import Opening, RecommendationStatus

GRADE_POINTS = {Grade.EXCELLENT: 4, Grade.GOOD: 3, Grade.PASS: 2, Grade.FAIL: 1}
CRITERIA = ("attendance", "professional_skills", "attitude", "safety_awareness", "teamwork")


@dataclass(frozen=True)
class OpeningSnapshot:
    id: int
    partnership_id: int
    partnership: str
    channel_id: str
    language: str
    title: str
    post: str
    number: int
    deadline: date
    description: str | None
    posted_by: str  # Slack user id


def opening_snapshot(opening: Opening) -> OpeningSnapshot:
    p = opening.partnership
    return OpeningSnapshot(opening.id, p.id, p.name, p.channel_id, p.language, opening.title, opening.post,
                           opening.number, opening.deadline, opening.description, opening.posted_by.slack_user_id)


@dataclass(frozen=True)
class EvaluationResult:
    """An intern's end-of-internship evaluation as recommendations show it: each grade, and their mean
    (excellent 4, good 3, pass 2, fail 1) by which the college's best students come first."""

    grades: tuple[Grade, ...]

    @property
    def score(self) -> float:
        return sum(GRADE_POINTS[g] for g in self.grades) / len(self.grades)

    def count(self, grade: Grade) -> int:
        return sum(g == grade for g in self.grades)


def evaluation_result(evaluation: InternshipEvaluation | None) -> EvaluationResult | None:
    if evaluation is None:
        return None
    return EvaluationResult(tuple(Grade(getattr(evaluation, c)) for c in CRITERIA))


@dataclass(frozen=True)
class Candidate:
    """An intern the college may recommend, with their evaluation (None: not evaluated yet)."""

    intern_id: int
    name: str
    student_id: str
    position: str
    evaluation: EvaluationResult | None


@dataclass(frozen=True)
class RecommendationSnapshot:
    id: int
    opening: OpeningSnapshot
    intern: Candidate
    recommended_by: str  # Slack user id
    status: RecommendationStatus
