"""The words for exchange directions, purposes, states, decisions and ratings (English source)."""

from __future__ import annotations

from bot.i18n.catalog import N_
from models.exchange import DecisionKind, Direction, ExchangeStatus, Purpose, Rating
from models.roster import Side

DIRECTION_LABELS: dict[Direction, str] = {
    Direction.SCHOOL_TO_ENTERPRISE: N_("College → Enterprise"),
    Direction.ENTERPRISE_TO_SCHOOL: N_("Enterprise → College"),
}

PURPOSE_LABELS: dict[Purpose, str] = {
    Purpose.PRODUCTION_PRACTICE: N_("Production practice"),
    Purpose.TEACHING: N_("Teaching"),
    Purpose.CURRICULUM: N_("Curriculum or textbook development"),
    Purpose.TECHNICAL_RESEARCH: N_("Technical research"),
    Purpose.VISITING_PROFESSOR: N_("Visiting professor"),
    Purpose.OTHER: N_("Other"),
}

STATUS_LABELS: dict[ExchangeStatus, str] = {
    ExchangeStatus.PENDING: N_("Awaiting approval"),
    ExchangeStatus.CHANGES_REQUESTED: N_("Changes requested"),
    ExchangeStatus.APPROVED: N_("Approved"),
    ExchangeStatus.REJECTED: N_("Rejected"),
    ExchangeStatus.ACTIVE: N_("Active"),
    ExchangeStatus.ASSESSED: N_("Assessed"),
    ExchangeStatus.COMPLETED: N_("Completed"),
    ExchangeStatus.CANCELLED: N_("Cancelled"),
    ExchangeStatus.FAILED: N_("Ended: assessment failed"),
}

DECISION_LABELS: dict[DecisionKind, str] = {
    DecisionKind.APPROVE: N_("Approve"),
    DecisionKind.REJECT: N_("Reject"),
    DecisionKind.REQUEST_CHANGES: N_("Ask for changes"),
}

DECIDED_LABELS: dict[DecisionKind, str] = {
    DecisionKind.APPROVE: N_("Approved"),
    DecisionKind.REJECT: N_("Rejected"),
    DecisionKind.REQUEST_CHANGES: N_("Changes requested"),
}

RATING_LABELS: dict[Rating, str] = {
    Rating.EXCELLENT: N_("Excellent"),
    Rating.GOOD: N_("Good"),
    Rating.PASS: N_("Pass"),
    Rating.FAIL: N_("Fail"),
}

SIDE_LABELS: dict[Side, str] = {
    Side.SCHOOL: N_("College"),
    Side.ENTERPRISE: N_("Enterprise"),
}

# "Nothing changed" answers, one sentence per state (never a lower-cased STATUS_LABELS word in a template).
UNCHANGED_IN_STATE: dict[ExchangeStatus, str] = {
    ExchangeStatus.PENDING: N_("Nothing changed: this exchange is awaiting approval."),
    ExchangeStatus.CHANGES_REQUESTED: N_("Nothing changed: changes have been requested on this exchange."),
    ExchangeStatus.APPROVED: N_("Nothing changed: this exchange is already approved."),
    ExchangeStatus.REJECTED: N_("Nothing changed: this exchange is rejected."),
    ExchangeStatus.ACTIVE: N_("Nothing changed: this exchange is under way."),
    ExchangeStatus.ASSESSED: N_("Nothing changed: this exchange has already been assessed."),
    ExchangeStatus.COMPLETED: N_("Nothing changed: this exchange is completed."),
    ExchangeStatus.CANCELLED: N_("Nothing changed: this exchange is cancelled."),
    ExchangeStatus.FAILED: N_("Nothing changed: this exchange has ended, without a certificate, after a failed "
                              "assessment."),
}
