"""Typed SQLAlchemy 2.0 models, one module per aggregate. Importing this registers them all."""

from models.audit import AuditEntry
from models.base import Base
from models.delivery import OutboxKind, OutboxMessage, OutboxStatus, ProcessedRequest, SlackMessage
from models.problem import Category, EventKind, Problem, ProblemEvent, ProblemStatus, Severity
from models.roster import Intern, Membership, Partnership, Person, Role, Side

__all__ = [
    "AuditEntry", "Base", "Category", "EventKind", "Intern", "Membership", "OutboxKind", "OutboxMessage",
    "OutboxStatus", "Partnership", "Person", "Problem", "ProblemEvent", "ProblemStatus", "ProcessedRequest",
    "Role", "Severity", "Side", "SlackMessage",
]
