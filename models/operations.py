"""Running several replicas: leases on shared duties, and alerts about channels the bot cannot post in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class Lease(Base):
    """A duty only one replica may perform at a time (e.g. `scheduler`), held until `expires_at`.

    The holder renews it well before it expires; when a holder dies, the lease lapses and another
    replica takes it with one atomic UPDATE (see scheduler/lease.py).
    """

    __tablename__ = "lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChannelAlert(Base):
    """A conversation the bot cannot post in (not invited, archived, deleted, account deactivated).

    One row per conversation per episode: the coordinators are told once when it starts, and the row is
    removed when a message to that conversation goes through again.
    """

    __tablename__ = "channel_alert"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    error: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
