"""scorecards: the schemes that weight the rates into a score, and the periods scored and published

Revision ID: 0008_scorecards
Revises: 0007_rollup
Create Date: 2026-12-09 10:00:00

"""
from datetime import UTC
from datetime import date
from datetime import datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_scorecards'
down_revision = '0007_rollup'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'score_scheme',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('weights', sa.JSON(), nullable=False),
        sa.Column('deductions', sa.JSON(), nullable=False),
        sa.Column('max_deduction', sa.Float(), nullable=True),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name='fk_score_scheme_created_by_id_user_account'),
        sa.PrimaryKeyConstraint('id', name='pk_score_scheme'),
        sa.UniqueConstraint('effective_from', name='uq_score_scheme_effective_from'),
    )
    op.create_table(
        'score_period',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('first_day', sa.Date(), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.Column('unit_kind', sa.String(length=12), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('published_at', sa.DateTime(), nullable=True),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.Column('scheme_id', sa.Integer(), nullable=True),
        sa.Column('snapshot', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'],
                                name='fk_score_period_published_by_id_user_account'),
        sa.ForeignKeyConstraint(['scheme_id'], ['score_scheme.id'], name='fk_score_period_scheme_id_score_scheme'),
        sa.PrimaryKeyConstraint('id', name='pk_score_period'),
        sa.UniqueConstraint('kind', 'first_day', 'unit_kind', name='uq_score_period_key'),
    )
    op.create_index('ix_score_period_scheme_id', 'score_period', ['scheme_id'])
    # The default scheme, in force from the start: 响应率 20, 按时答复率 30, 办结率 20, 满意率 30; one point off
    # per missed time limit and two per case sent back (重办), at most 20 points off.
    scheme = sa.table(
        'score_scheme',
        sa.column('effective_from', sa.Date()),
        sa.column('weights', sa.JSON()),
        sa.column('deductions', sa.JSON()),
        sa.column('max_deduction', sa.Float()),
        sa.column('note', sa.String()),
        sa.column('created_at', sa.DateTime()),
    )
    op.bulk_insert(scheme, [{
        'effective_from': date(2000, 1, 1),
        'weights': {'response': 20, 'reply': 30, 'closure': 20, 'satisfaction': 30},
        'deductions': {'late': 1, 'sent_back': 2},
        'max_deduction': 20.0,
        'note': '',
        'created_at': datetime.now(UTC).replace(tzinfo=None),
    }])


def downgrade():
    op.drop_index('ix_score_period_scheme_id', table_name='score_period')
    op.drop_table('score_period')
    op.drop_table('score_scheme')
