"""Typed SQLAlchemy 2.0 models, one module per aggregate. Importing this registers them all."""

from models.audit import AuditEntry
from models.base import Base
from models.compliance import ComplianceItem, InternCompliance
from models.cooperation import Agreement, ApplicationStatus, EntryKind, LedgerEntry, Ownership
from models.delivery import OutboxKind, OutboxMessage, OutboxStatus, ProcessedRequest, SlackMessage
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
from models.internship import Grade, InternshipEvaluation
from models.meeting import ActionItem, ActionItemStatus, Meeting, MeetingInvitee, MeetingStatus, Rsvp
from models.operations import ChannelAlert, Lease
from models.problem import Category, EventKind, Problem, ProblemEvent, ProblemStatus, Severity
from models.roster import Intern, Membership, Partnership, Person, Role, Side
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
    "ComplianceItem",
    "DecisionKind",
    "Direction",
    "EntryKind",
    "EventKind",
    "Exchange",
    "ExchangeAssessment",
    "ExchangeDecision",
    "ExchangeStatus",
    "Grade",
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
    "OutboxKind",
    "OutboxMessage",
    "OutboxStatus",
    "Ownership",
    "Partnership",
    "Person",
    "Problem",
    "ProblemEvent",
    "ProblemStatus",
    "ProcessedRequest",
    "Purpose",
    "Rating",
    "Role",
    "Rsvp",
    "Severity",
    "Side",
    "SlackMessage",
]
