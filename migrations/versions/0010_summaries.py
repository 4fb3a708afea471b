"""summaries: the rollup summed per grain (all, department, mailbox, category, street, community, channel,
grade), so long periods read a few hundred rows a day; a covering index for the dashboard's open cases

Revision ID: 0010_summaries
Revises: 0009_command
Create Date: 2026-12-02 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_summaries'
down_revision = '0009_command'
branch_labels = None
depends_on = None

STAGES = ('register', 'dispatch', 'sign', 'contact', 'first_reply', 'resolve', 'revisit')
# the rollup's measures as of this revision
MEASURES = ('received', 'people', 'money', 'closed', 'closed_hours', 'closed_supported', 'resolve_due',
            'resolve_due_closed', 'late', 'replies', 'sent_back', 'rated', 'satisfied', 'basic', 'pleased',
            *(f'{stage}_{part}' for stage in STAGES for part in ('decided', 'on_time')))
LATER = ('instruction_decided', 'instruction_on_time', 'supervision_decided', 'supervision_on_time',
         'orders_late', 'packaged_closed', 'packaged_settled')  # added in 0009, with a server default
ID_GRAINS = {'mailbox': 'mailbox_id', 'category': 'category_id', 'street': 'street_id',
             'community': 'community_id'}
CODE_GRAINS = {'channel': 'channel', 'grade': 'grade'}


def _measure_column(name):
    if name == 'money':
        return sa.Column(name, sa.Numeric(precision=18, scale=2), nullable=False)
    if name == 'closed_hours':
        return sa.Column(name, sa.Float(), nullable=False)
    return sa.Column(name, sa.Integer(), server_default='0' if name in LATER else None, nullable=False)


def upgrade():
    op.create_table(
        'daily_summary',
        *(_measure_column(name) for name in (*MEASURES, *LATER)),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('grain', sa.String(length=20), nullable=False),
        sa.Column('key_id', sa.Integer(), nullable=False),
        sa.Column('key_code', sa.String(length=20), nullable=False),
        sa.Column('key_id2', sa.Integer(), nullable=False),
        sa.Column('department_role', sa.String(length=4), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_summary')),
        sa.UniqueConstraint('grain', 'day', 'key_id', 'key_code', 'key_id2', 'department_role',
                            name='uq_daily_summary_key'),
    )
    op.create_index('ix_daily_summary_grain_key_day', 'daily_summary', ['grain', 'key_id', 'day'])
    # the days already built get their summaries from their rollup rows
    names = (*MEASURES, *LATER)
    sums = ', '.join(f'sum({n})' for n in names)
    into = f"INSERT INTO daily_summary (day, grain, key_id, key_code, key_id2, department_role, {', '.join(names)}) "
    op.execute(into + f"SELECT day, 'department', department_id, '', 0, department_role, {sums} FROM daily_rollup "
               "GROUP BY day, department_id, department_role")
    op.execute(into + f"SELECT day, 'department_category', category_id, '', department_id, department_role, {sums} "
               "FROM daily_rollup GROUP BY day, category_id, department_id, department_role")
    lead = "FROM daily_rollup WHERE department_role = 'lead'"
    op.execute(into + f"SELECT day, 'all', 0, '', 0, 'lead', {sums} {lead} GROUP BY day")
    for grain, column in ID_GRAINS.items():
        op.execute(into + f"SELECT day, '{grain}', {column}, '', 0, 'lead', {sums} {lead} GROUP BY day, {column}")
    for grain, column in CODE_GRAINS.items():
        op.execute(into + f"SELECT day, '{grain}', 0, {column}, 0, 'lead', {sums} {lead} GROUP BY day, {column}")
    op.create_index('ix_case_item_open_board', 'case_item', ['status', 'street_id', 'community_id', 'urgency', 'grade'])


def downgrade():
    op.drop_index('ix_case_item_open_board', table_name='case_item')
    op.drop_table('daily_summary')
