"""colleges and enterprises as records, deans, placement plans, recruitment

A partnership now belongs to one college and one enterprise. Existing partnerships get theirs from
their free-text `school` and `enterprise` columns, one record per distinct name (the columns stay: they
are the names as typed). Deans are linked to a college (`college_dean`). Placement plans are periods of
plan lines that interns fill (`intern.plan_line_id`); openings and recommendations record priority
recruitment, and `intern.outcome` its latest result.

Revision ID: 0017
Revises: 0016
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    for table in ('college', 'enterprise'):
        op.create_table(
            table,
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('name', sa.String(length=200), nullable=False),
            sa.Column('created_at', _utc(), nullable=False),
            sa.PrimaryKeyConstraint('id', name=f'pk_{table}'),
            sa.UniqueConstraint('name', name=f'uq_{table}_name'),
        )
    op.create_table(
        'college_dean',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('college_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('created_at', _utc(), nullable=False),
        sa.ForeignKeyConstraint(['college_id'], ['college.id'], name='fk_college_dean_college_id_college',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name='fk_college_dean_person_id_person',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_college_dean'),
        sa.UniqueConstraint('college_id', 'person_id', name='uq_college_dean'),
    )
    op.create_index('ix_college_dean_person_id', 'college_dean', ['person_id'])

    # One record per distinct name; created_at as the oldest partnership that names it.
    op.execute(sa.text("INSERT INTO college (name, created_at) "
                       "SELECT school, min(created_at) FROM partnership GROUP BY school"))
    op.execute(sa.text("INSERT INTO enterprise (name, created_at) "
                       "SELECT enterprise, min(created_at) FROM partnership GROUP BY enterprise"))
    with op.batch_alter_table('partnership') as batch:
        batch.add_column(sa.Column('college_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('enterprise_id', sa.Integer(), nullable=True))
    op.execute(sa.text("UPDATE partnership SET "
                       "college_id = (SELECT c.id FROM college c WHERE c.name = partnership.school), "
                       "enterprise_id = (SELECT e.id FROM enterprise e WHERE e.name = partnership.enterprise)"))
    with op.batch_alter_table('partnership') as batch:
        batch.alter_column('college_id', existing_type=sa.Integer(), nullable=False)
        batch.alter_column('enterprise_id', existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key('fk_partnership_college_id_college', 'college', ['college_id'], ['id'])
        batch.create_foreign_key('fk_partnership_enterprise_id_enterprise', 'enterprise', ['enterprise_id'], ['id'])
        batch.create_index('ix_partnership_college_id', ['college_id'])
        batch.create_index('ix_partnership_enterprise_id', ['enterprise_id'])

    op.create_table(
        'placement_plan',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=64), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('end_date', sa.Date(), nullable=False),
        sa.Column('created_at', _utc(), nullable=False),
        sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'],
                                name='fk_placement_plan_partnership_id_partnership', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_placement_plan'),
        sa.UniqueConstraint('partnership_id', 'period', name='uq_placement_plan_period'),
    )
    op.create_table(
        'plan_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('ref', sa.String(length=64), nullable=False),
        sa.Column('major', sa.String(length=200), nullable=False),
        sa.Column('post', sa.String(length=200), nullable=False),
        sa.Column('planned', sa.Integer(), nullable=False),
        sa.Column('order_class', sa.String(length=200), nullable=True),
        sa.Column('created_at', _utc(), nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['placement_plan.id'], name='fk_plan_line_plan_id_placement_plan',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'],
                                name='fk_plan_line_partnership_id_partnership', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_plan_line'),
        sa.UniqueConstraint('partnership_id', 'ref', name='uq_plan_line_ref'),
    )
    op.create_index('ix_plan_line_plan_id', 'plan_line', ['plan_id'])
    with op.batch_alter_table('intern') as batch:
        batch.add_column(sa.Column('plan_line_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('outcome', sa.String(length=16), nullable=True))
        batch.create_foreign_key('fk_intern_plan_line_id_plan_line', 'plan_line', ['plan_line_id'], ['id'],
                                 ondelete='SET NULL')
        batch.create_index('ix_intern_plan_line_id', ['plan_line_id'])

    op.create_table(
        'opening',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('post', sa.String(length=200), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('posted_by_id', sa.Integer(), nullable=False),
        sa.Column('source_key', sa.String(length=128), nullable=False),
        sa.Column('created_at', _utc(), nullable=False),
        sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name='fk_opening_partnership_id_partnership',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['posted_by_id'], ['person.id'], name='fk_opening_posted_by_id_person'),
        sa.PrimaryKeyConstraint('id', name='pk_opening'),
        sa.UniqueConstraint('source_key', name='uq_opening_source_key'),
    )
    op.create_index('ix_opening_partnership_id', 'opening', ['partnership_id'])
    op.create_table(
        'recommendation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('opening_id', sa.Integer(), nullable=False),
        sa.Column('intern_id', sa.Integer(), nullable=False),
        sa.Column('recommended_by_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('offered_at', _utc(), nullable=True),
        sa.Column('hired_at', _utc(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', _utc(), nullable=False),
        sa.ForeignKeyConstraint(['opening_id'], ['opening.id'], name='fk_recommendation_opening_id_opening',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['intern_id'], ['intern.id'], name='fk_recommendation_intern_id_intern',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recommended_by_id'], ['person.id'],
                                name='fk_recommendation_recommended_by_id_person'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['person.id'], name='fk_recommendation_decided_by_id_person'),
        sa.PrimaryKeyConstraint('id', name='pk_recommendation'),
        sa.UniqueConstraint('opening_id', 'intern_id', name='uq_recommendation_intern'),
    )
    op.create_index('ix_recommendation_intern_id', 'recommendation', ['intern_id'])


def downgrade() -> None:
    op.drop_table('recommendation')
    op.drop_table('opening')
    with op.batch_alter_table('intern') as batch:
        batch.drop_index('ix_intern_plan_line_id')
        batch.drop_constraint('fk_intern_plan_line_id_plan_line', type_='foreignkey')
        batch.drop_column('outcome')
        batch.drop_column('plan_line_id')
    op.drop_table('plan_line')
    op.drop_table('placement_plan')
    with op.batch_alter_table('partnership') as batch:
        batch.drop_index('ix_partnership_enterprise_id')
        batch.drop_index('ix_partnership_college_id')
        batch.drop_constraint('fk_partnership_enterprise_id_enterprise', type_='foreignkey')
        batch.drop_constraint('fk_partnership_college_id_college', type_='foreignkey')
        batch.drop_column('enterprise_id')
        batch.drop_column('college_id')
    op.drop_table('college_dean')
    op.drop_table('enterprise')
    op.drop_table('college')
