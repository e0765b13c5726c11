"""Creating and listing partnerships (the `coopbot partnership` commands)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot import audit
from bot.db import Database
from bot.errors import CoopError
from models.roster import Partnership
from models.schemas import PartnershipInput


class PartnershipExists(CoopError):
    """A partnership with this name already exists; names are how CSV files refer to partnerships."""


def snapshot(partnership: Partnership) -> dict[str, Any]:
    """The audited view of a partnership: the fields a person set, not bookkeeping columns."""
    return {
        "name": partnership.name,
        "school": partnership.school,
        "enterprise": partnership.enterprise,
        "channel_id": partnership.channel_id,
        "timezone": partnership.timezone,
        "language": partnership.language,
    }


def add_partnership(db: Database, data: PartnershipInput, actor: str = "cli") -> Partnership:
    """Create a partnership and audit it; a duplicate name is refused with nothing written."""
    exists = PartnershipExists(f"a partnership named {data.name!r} already exists")
    try:
        with db.transaction() as session:
            # Checked up front for a clear message; the unique constraint still catches a race.
            if session.scalar(select(Partnership.id).where(Partnership.name == data.name)) is not None:
                raise exists
            partnership = Partnership(
                name=data.name,
                school=data.school,
                enterprise=data.enterprise,
                channel_id=data.channel_id,
                timezone=data.timezone,
                language=data.language,
            )
            session.add(partnership)
            session.flush()
            audit.record(session, actor=actor, action="partnership.create", entity_type="partnership",
                         entity_id=partnership.id, after=snapshot(partnership))
    except IntegrityError as exc:
        raise exists from exc
    return partnership


def list_partnerships(db: Database) -> list[Partnership]:
    """Every partnership, by name, detached from the session so callers may read its columns."""
    with db.session() as session:
        return list(session.scalars(select(Partnership).order_by(Partnership.name)))
