"""Creating and listing partnerships (the `coopbot partnership` commands)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import audit
from bot.errors import CoopError
from bot.storage.db import Database
from models.roster import College, Partnership
from models.schemas import PartnershipInput


class PartnershipExists(CoopError):
    """A partnership with this name (how CSV files refer to partnerships) or this channel (where its
    commands and events happen) already exists."""


def snapshot(partnership: Partnership) -> dict[str, Any]:
    """The audited view of a partnership: the fields a person set, not bookkeeping columns."""
    return {
        "name": partnership.name,
        "school": partnership.school,
        "enterprise": partnership.enterprise,
        "channel_id": partnership.channel_id,
        "school_channel_id": partnership.school_channel_id,
        "timezone": partnership.timezone,
        "language": partnership.language,
        "school_language": partnership.school_language,
        "enterprise_language": partnership.enterprise_language,
    }


def add_partnership(db: Database, data: PartnershipInput, actor: str = "cli", *,
                    then: Callable[[Session, Partnership], None] | None = None) -> Partnership:
    """Create a partnership and audit it; a duplicate name or channel is refused with nothing written.
    `then` does more in the same transaction (the container's `Services.add_partnership` posts this
    quarter's prompt to schedule its review); without it the partnership is only stored, as an import is."""
    exists = PartnershipExists(f"a partnership named {data.name!r} already exists")
    try:
        with db.transaction() as session:
            # Checked up front for a clear message; the unique indexes still catch a race.
            if session.scalar(select(Partnership.id).where(Partnership.name == data.name)) is not None:
                raise exists
            holder = session.scalar(select(Partnership.name).where(Partnership.channel_id == data.channel_id))
            if holder is not None:
                raise PartnershipExists(f"channel {data.channel_id} is already the channel of partnership {holder!r}; "
                                        "each partnership needs its own")
            partnership = Partnership(
                name=data.name,
                school=data.school,
                enterprise=data.enterprise,
                channel_id=data.channel_id,
                school_channel_id=data.school_channel_id,
                timezone=data.timezone,
                language=data.language,
                school_language=data.school_language,
                enterprise_language=data.enterprise_language,
            )
            session.add(partnership)
            session.flush()
            audit.record(session, actor=actor, action="partnership.create", entity_type="partnership",
                         entity_id=partnership.id, after=snapshot(partnership))
            if then is not None:
                then(session, partnership)
    except IntegrityError as exc:  # another add won the race for this name or channel
        raise PartnershipExists(f"a partnership named {data.name!r} or with channel {data.channel_id} "
                                "already exists") from exc
    return partnership


def college_named(session: Session, name: str) -> College:
    """The college of this exact name, created if there is none."""
    found = session.scalar(select(College).where(College.name == name))
    if found is None:
        found = College(name=name)
        session.add(found)
        session.flush()
    return found


def list_partnerships(db: Database) -> list[Partnership]:
    """Every partnership, by name, detached from the session so callers may read its columns."""
    with db.session() as session:
        return list(session.scalars(select(Partnership).order_by(Partnership.name)))
