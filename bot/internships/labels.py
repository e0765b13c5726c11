"""The words for the evaluation's criteria and grades (English source)."""

from __future__ import annotations

from bot.i18n.catalog import N_
from models.internship import Grade

# field name (also the modal's block id and the export's column) → label, in the order shown
CRITERIA: dict[str, str] = {
    "attendance": N_("Attendance"),
    "professional_skills": N_("Professional skills"),
    "attitude": N_("Attitude"),
    "safety_awareness": N_("Safety awareness"),
    "teamwork": N_("Teamwork"),
}

GRADE_LABELS: dict[Grade, str] = {
    Grade.EXCELLENT: N_("Excellent"),
    Grade.GOOD: N_("Good"),
    Grade.PASS: N_("Pass"),
    Grade.FAIL: N_("Fail"),
}
