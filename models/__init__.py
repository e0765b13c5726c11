"""Typed SQLAlchemy 2.0 models, one module per aggregate. Importing this registers them all."""

from models.audit import AuditEntry
from models.base import Base
from models.compliance import ComplianceItem, InternCompliance
from models.cooperation import Agreement, ApplicationStatus, EntryKind, LedgerEntry, Ownership
from models.delivery import HeldMessage, OutboxKind, OutboxMessage, OutboxStatus, ProcessedRequest, SlackMessage
from models.exchange import (
    DecisionKind,
    Direction,
    Exchange,
    ExchangeAssessment,
    ExchangeDecision,
    ExchangeStatus,
    Purpose,
    Rating,
)
from models.installation import slack_bots, slack_installations, slack_oauth_states
from models.internship import Grade, InternshipEvaluation
from models.meeting import ActionItem, ActionItemStatus, Meeting, MeetingInvitee, MeetingStatus, Rsvp
from models.operations import ChannelAlert, Lease
from models.plan import Plan, PlanLine
from models.problem import Category, EventKind, Problem, ProblemEvent, ProblemStatus, Severity
from models.recruitment import Opening, Recommendation, RecommendationStatus
from models.roster import (
    College,
    CollegeDean,
    Enterprise,
    Intern,
    Membership,
    Outcome,
    Partnership,
    Person,
    Role,
    Side,
)
from models.schedule import JobRun

__all__ = [
    "ActionItem",
    "ActionItemStatus",
    "Agreement",
    "ApplicationStatus",
    "AuditEntry",
    "Base",
    "Category",
    "ChannelAlert",
    "College",
    "CollegeDean",
    "ComplianceItem",
    "DecisionKind",
    "Direction",
    "Enterprise",
    "EntryKind",
    "EventKind",
    "Exchange",
    "ExchangeAssessment",
    "ExchangeDecision",
    "ExchangeStatus",
    "Grade",
    "HeldMessage",
    "Intern",
    "InternCompliance",
    "InternshipEvaluation",
    "JobRun",
    "Lease",
    "LedgerEntry",
    "Meeting",
    "MeetingInvitee",
    "MeetingStatus",
    "Membership",
    "Opening",
    "OutboxKind",
    "OutboxMessage",
    "OutboxStatus",
    "Outcome",
    "Ownership",
    "Partnership",
    "Person",
    "Plan",
    "PlanLine",
    "Problem",
    "ProblemEvent",
    "ProblemStatus",
    "ProcessedRequest",
    "Purpose",
    "Rating",
    "Recommendation",
    "RecommendationStatus",
    "Role",
    "Rsvp",
    "Severity",
    "Side",
    "SlackMessage",
    "slack_bots",
    "slack_installations",
    "slack_oauth_states",
]
