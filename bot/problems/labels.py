"""The words for problem categories, severities and states (English source; translated at render)."""

from __future__ import annotations

from bot.i18n.catalog import N_
from models.problem import Category, ProblemStatus, Severity

CATEGORY_LABELS: dict[Category, str] = {
    Category.SAFETY: N_("Workplace safety or injury"),
    Category.DANGEROUS_POST: N_("Dangerous or prohibited post"),
    Category.HOURS: N_("Working hours, overtime, night shifts or work on public holidays"),
    Category.PAY: N_("Pay (below 80% of the same post's probation wage, late or withheld)"),
    Category.FEES_DOCUMENTS: N_("Fees, deposits or ID documents withheld"),
    Category.INSURANCE: N_("Internship liability insurance"),
    Category.LIVING: N_("Accommodation, food and living conditions"),
    Category.HEALTH: N_("Health and mental health"),
    Category.TRAFFIC: N_("Traffic and off-duty safety"),
    Category.SKILLS_MISMATCH: N_("Job unrelated to the major"),
    Category.MENTORING: N_("Mentoring and training"),
    Category.CONDUCT: N_("Breach of discipline, attendance or leaving the post without permission"),
    Category.OTHER: N_("Other"),
}

SEVERITY_LABELS: dict[Severity, str] = {
    Severity.P1: N_("P1 – Critical"),
    Severity.P2: N_("P2 – Serious"),
    Severity.P3: N_("P3 – Moderate"),
    Severity.P4: N_("P4 – Advisory"),
}

SEVERITY_HINTS: dict[Severity, str] = {
    Severity.P1: N_("life, injury, missing person, group incident"),
    Severity.P2: N_("serious harm to the intern's rights or safety if not handled soon"),
    Severity.P3: N_("needs attention within days"),
    Severity.P4: N_("for the record; no action needed yet"),
}

STATUS_LABELS: dict[ProblemStatus, str] = {
    ProblemStatus.OPEN: N_("Open"),
    ProblemStatus.ACKNOWLEDGED: N_("Acknowledged"),
    ProblemStatus.RESOLVED: N_("Resolved"),
    ProblemStatus.REOPENED: N_("Reopened"),
}

SEVERITY_EMOJI: dict[Severity, str] = {Severity.P1: "🔴", Severity.P2: "🟠", Severity.P3: "🟡", Severity.P4: "🔵"}
