"""exchanges meetings job runs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 12:25:27.700999
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('exchange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.Enum('school_to_enterprise', 'enterprise_to_school', name='direction', native_enum=False, length=32), nullable=False),
    sa.Column('host_unit', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.Enum('production_practice', 'teaching', 'curriculum', 'technical_research', 'visiting_professor', 'other', name='purpose', native_enum=False, length=32), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('expected_outcomes', sa.Text(), nullable=True),
    sa.Column('confidentiality_acknowledged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'changes_requested', 'approved', 'rejected', 'active', 'assessed', 'completed', 'cancelled', name='exchangestatus', native_enum=False, length=24), nullable=False),
    sa.Column('review_round', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('letter_number', sa.String(length=64), nullable=True),
    sa.Column('letter_pdf', sa.LargeBinary(), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('source_key', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['person.id'], name=op.f('fk_exchange_confirmed_by_id_person')),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_exchange_partnership_id_partnership')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_exchange_person_id_person')),
    sa.ForeignKeyConstraint(['requester_id'], ['person.id'], name=op.f('fk_exchange_requester_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange')),
    sa.UniqueConstraint('letter_number', name=op.f('uq_exchange_letter_number')),
    sa.UniqueConstraint('source_key', name=op.f('uq_exchange_source_key'))
    )
    with op.batch_alter_table('exchange', schema=None) as batch_op:
        batch_op.create_index('ix_exchange_partnership_status', ['partnership_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_person_id'), ['person_id'], unique=False)

    op.create_table('job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=64), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('ran_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_job_run_partnership_id_partnership'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run')),
    sa.UniqueConstraint('job', 'partnership_id', 'period', 'subject', name='uq_job_run_period')
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_run_partnership_id'), ['partnership_id'], unique=False)

    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('location', sa.String(length=500), nullable=True),
    sa.Column('agenda', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('scheduled', 'held', 'cancelled', name='meetingstatus', native_enum=False, length=16), nullable=False),
    sa.Column('quarter', sa.String(length=8), nullable=False),
    sa.Column('ics_uid', sa.String(length=128), nullable=False),
    sa.Column('ics_sequence', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=True),
    sa.Column('minutes_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source_key', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['organiser_id'], ['person.id'], name=op.f('fk_meeting_organiser_id_person')),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_meeting_partnership_id_partnership')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting')),
    sa.UniqueConstraint('ics_uid', name=op.f('uq_meeting_ics_uid')),
    sa.UniqueConstraint('source_key', name=op.f('uq_meeting_source_key'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_partnership_starts', ['partnership_id', 'starts_at'], unique=False)

    op.create_table('action_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'done', name='actionitemstatus', native_enum=False, length=16), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_action_item_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], name=op.f('fk_action_item_owner_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_item'))
    )
    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_item_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_item_owner_id'), ['owner_id'], unique=False)

    op.create_table('exchange_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exchange_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.Enum('school', 'enterprise', name='side', native_enum=False, length=16), nullable=False),
    sa.Column('assessor_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Enum('excellent', 'good', 'pass', 'fail', name='rating', native_enum=False, length=16), nullable=False),
    sa.Column('comments', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessor_id'], ['person.id'], name=op.f('fk_exchange_assessment_assessor_id_person')),
    sa.ForeignKeyConstraint(['exchange_id'], ['exchange.id'], name=op.f('fk_exchange_assessment_exchange_id_exchange'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_assessment')),
    sa.UniqueConstraint('exchange_id', 'side', name='uq_exchange_assessment_side')
    )
    with op.batch_alter_table('exchange_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_assessment_exchange_id'), ['exchange_id'], unique=False)

    op.create_table('exchange_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exchange_id', sa.Integer(), nullable=False),
    sa.Column('review_round', sa.Integer(), nullable=False),
    sa.Column('side', sa.Enum('school', 'enterprise', name='side', native_enum=False, length=16), nullable=False),
    sa.Column('decider_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.Enum('approve', 'reject', 'request_changes', name='decisionkind', native_enum=False, length=24), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decider_id'], ['person.id'], name=op.f('fk_exchange_decision_decider_id_person')),
    sa.ForeignKeyConstraint(['exchange_id'], ['exchange.id'], name=op.f('fk_exchange_decision_exchange_id_exchange'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_decision')),
    sa.UniqueConstraint('exchange_id', 'review_round', 'side', name='uq_exchange_decision_round')
    )
    with op.batch_alter_table('exchange_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_decision_exchange_id'), ['exchange_id'], unique=False)

    op.create_table('meeting_invitee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('rsvp', sa.Enum('going', 'maybe', 'declined', name='rsvp', native_enum=False, length=16), nullable=True),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_invitee_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_meeting_invitee_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_invitee')),
    sa.UniqueConstraint('meeting_id', 'person_id', name='uq_meeting_invitee')
    )
    with op.batch_alter_table('meeting_invitee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_invitee_meeting_id'), ['meeting_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('meeting_invitee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_invitee_meeting_id'))

    op.drop_table('meeting_invitee')
    with op.batch_alter_table('exchange_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_decision_exchange_id'))

    op.drop_table('exchange_decision')
    with op.batch_alter_table('exchange_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_assessment_exchange_id'))

    op.drop_table('exchange_assessment')
    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_item_owner_id'))
        batch_op.drop_index(batch_op.f('ix_action_item_meeting_id'))

    op.drop_table('action_item')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_partnership_starts')

    op.drop_table('meeting')
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_run_partnership_id'))

    op.drop_table('job_run')
    with op.batch_alter_table('exchange', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_person_id'))
        batch_op.drop_index('ix_exchange_partnership_status')

    op.drop_table('exchange')

