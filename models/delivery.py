"""What coopbot sends to Slack: the outbox, the messages it posted, and requests already handled."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, str_enum, utcnow


class OutboxKind(enum.StrEnum):
    POST = "post"        # chat.postMessage (records the ts under message_key, if any)
    UPDATE = "update"    # chat.update of the message recorded under message_key
    EPHEMERAL = "ephemeral"  # chat.postEphemeral to `user` in `channel`
    HOME = "home"        # views.publish of `user`'s App Home
    UPLOAD = "upload"    # files_upload_v2 of a file (base64 in the payload) to a channel or a person's DM


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    PARKED = "parked"    # a fixable permanent error (bot not in channel): retried when that changes
    FAILED = "failed"    # a permanent error, or out of attempts
    # a DM Slack will not deliver to this person (another organization, DMs from apps off, deactivated): held
    # for them and announced in their partnership's channel instead (bot.delivery.fallback)
    REDIRECTED = "redirected"


class OutboxMessage(Base):
    """One call to Slack, written in the same transaction as the change it reports."""

    __tablename__ = "outbox_message"
    # ix_outbox_channel_key: a channel's rows under one key and status (App Home refresh markers) without
    # scanning every pending row, which under a backlog is every row of the burst; ix_outbox_heads: each
    # channel's oldest unsent row (what the worker may send next) from the index alone
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),
                      Index("ix_outbox_channel_key", "channel", "message_key", "status"),
                      Index("ix_outbox_heads", "status", "channel", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OutboxKind] = mapped_column(str_enum(OutboxKind, 16))
    channel: Mapped[str] = mapped_column(String(32), index=True)
    user: Mapped[str | None] = mapped_column(String(32))
    message_key: Mapped[str | None] = mapped_column(String(128))
    thread_key: Mapped[str | None] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Who to tell, by DM, if this can never be delivered as it is (e.g. the bot is not in the channel).
    notify_user: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, 16), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SlackMessage(Base):
    """Where a logical message (e.g. `problem:12`) landed, so later changes update it in place."""

    __tablename__ = "slack_message"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProcessedRequest(Base):
    """A Slack request (view submission, event) already acted on: a retry finds it here and stops."""

    __tablename__ = "processed_request"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HeldMessage(Base):
    """A DM Slack would not deliver, kept for its reader: they see it privately behind "Show details" on the
    thread reply that mentions them (bot.delivery.fallback); a file in it is downloaded by a signed link."""

    __tablename__ = "held_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The refused outbox row: one held message per row, however often its refusal is recorded.
    outbox_id: Mapped[int] = mapped_column(Integer, unique=True)
    user: Mapped[str] = mapped_column(String(32), index=True)
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnership.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    blocks: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    filename: Mapped[str | None] = mapped_column(String(255))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
