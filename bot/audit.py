"""Writing the audit record. Every decision goes through `record`, in the decision's own transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.storage.db import insert_at_commit
from models.audit import AuditEntry
from models.base import json_safe


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add an audit entry (who, what, when, before → after) to the current transaction; it is written
    with the transaction's other queued rows when it commits (bot.storage.db.insert_at_commit)."""
    insert_at_commit(session, AuditEntry, {
        "actor": actor, "action": action, "entity_type": entity_type, "entity_id": str(entity_id),
        "before": json_safe(before) if before is not None else None,
        "after": json_safe(after) if after is not None else None})
