"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 12:15:45.227774
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entity", ["entity_type", "entity_id"], unique=False)

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("post", "update", "ephemeral", "home", name="outboxkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("user", sa.String(length=32), nullable=True),
        sa.Column("message_key", sa.String(length=128), nullable=True),
        sa.Column("thread_key", sa.String(length=128), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("notify_user", sa.String(length=32), nullable=True),
        sa.Column(
            "status",
            sa.Enum("pending", "sent", "parked", "failed", name="outboxstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_message_channel"), ["channel"], unique=False)

    op.create_table(
        "partnership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("school", sa.String(length=200), nullable=False),
        sa.Column("enterprise", sa.String(length=200), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership")),
        sa.UniqueConstraint("name", name=op.f("uq_partnership_name")),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column(
            "side", sa.Enum("school", "enterprise", name="side", native_enum=False, length=16), nullable=False
        ),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("slack_user_id", name=op.f("uq_person_slack_user_id")),
    )
    op.create_table(
        "processed_request",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_processed_request")),
    )
    op.create_table(
        "slack_message",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_slack_message")),
    )
    op.create_table(
        "intern",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("position", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["mentor_id"], ["person.id"], name=op.f("fk_intern_mentor_id_person")),
        sa.ForeignKeyConstraint(
            ["partnership_id"], ["partnership.id"], name=op.f("fk_intern_partnership_id_partnership")
        ),
        sa.ForeignKeyConstraint(["teacher_id"], ["person.id"], name=op.f("fk_intern_teacher_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intern")),
        sa.UniqueConstraint("student_id", name=op.f("uq_intern_student_id")),
    )
    with op.batch_alter_table("intern", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intern_mentor_id"), ["mentor_id"], unique=False)
        batch_op.create_index("ix_intern_partnership_name", ["partnership_id", "name"], unique=False)
        batch_op.create_index(batch_op.f("ix_intern_teacher_id"), ["teacher_id"], unique=False)

    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("teacher", "mentor", "coordinator", "member", name="role", native_enum=False, length=16),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_membership_partnership_id_partnership"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_membership_person_id_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership")),
        sa.UniqueConstraint("person_id", "partnership_id", "role", name="uq_membership_role"),
    )
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_membership_partnership_id"), ["partnership_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_membership_person_id"), ["person_id"], unique=False)

    op.create_table(
        "problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("intern_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "safety",
                "dangerous_post",
                "hours",
                "pay",
                "fees_documents",
                "insurance",
                "living",
                "health",
                "traffic",
                "skills_mismatch",
                "mentoring",
                "conduct",
                "other",
                name="category",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "severity",
            sa.Enum("p1", "p2", "p3", "p4", name="severity", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("actions_taken", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "acknowledged",
                "resolved",
                "reopened",
                name="problemstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("source_key", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"], ["person.id"], name=op.f("fk_problem_acknowledged_by_id_person")
        ),
        sa.ForeignKeyConstraint(["intern_id"], ["intern.id"], name=op.f("fk_problem_intern_id_intern")),
        sa.ForeignKeyConstraint(
            ["partnership_id"], ["partnership.id"], name=op.f("fk_problem_partnership_id_partnership")
        ),
        sa.ForeignKeyConstraint(["reporter_id"], ["person.id"], name=op.f("fk_problem_reporter_id_person")),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["person.id"], name=op.f("fk_problem_resolved_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem")),
        sa.UniqueConstraint("source_key", name=op.f("uq_problem_source_key")),
    )
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_intern_id"), ["intern_id"], unique=False)
        batch_op.create_index("ix_problem_partnership_status", ["partnership_id", "status"], unique=False)

    op.create_table(
        "problem_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "reported",
                "acknowledged",
                "update",
                "resolved",
                "reopened",
                name="eventkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["person.id"], name=op.f("fk_problem_event_actor_id_person")),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problem.id"],
            name=op.f("fk_problem_event_problem_id_problem"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_event")),
    )
    with op.batch_alter_table("problem_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_event_problem_id"), ["problem_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("problem_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_event_problem_id"))

    op.drop_table("problem_event")
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.drop_index("ix_problem_partnership_status")
        batch_op.drop_index(batch_op.f("ix_problem_intern_id"))

    op.drop_table("problem")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_person_id"))
        batch_op.drop_index(batch_op.f("ix_membership_partnership_id"))

    op.drop_table("membership")
    with op.batch_alter_table("intern", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intern_teacher_id"))
        batch_op.drop_index("ix_intern_partnership_name")
        batch_op.drop_index(batch_op.f("ix_intern_mentor_id"))

    op.drop_table("intern")
    op.drop_table("slack_message")
    op.drop_table("processed_request")
    op.drop_table("person")
    op.drop_table("partnership")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_channel"))
        batch_op.drop_index("ix_outbox_due")

    op.drop_table("outbox_message")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entity")

    op.drop_table("audit_entry")
