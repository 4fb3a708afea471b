"""rollup: the daily figures behind rates and reports, their correction queue, dispute subjects, the area
colour rule, and report issues (民情日报 …) with editors' notes and leaders' readings

Revision ID: 0007_rollup
Revises: 0006_publication
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_rollup'
down_revision = '0006_publication'
branch_labels = None
depends_on = None

MEASURES = (
    'received', 'people', 'closed', 'closed_supported', 'resolve_due',
    'resolve_due_closed', 'late', 'replies', 'sent_back', 'rated', 'satisfied', 'basic', 'pleased',
) + tuple(f'{stage}_{part}' for stage in (
    'register', 'dispatch', 'sign', 'contact', 'first_reply', 'resolve', 'revisit'
) for part in ('decided', 'on_time'))


def upgrade():
    op.create_table(
        'daily_rollup',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('department_role', sa.String(length=4), nullable=False),
        sa.Column('mailbox_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('street_id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('grade', sa.String(length=10), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in MEASURES],
        sa.Column('money', sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column('closed_hours', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('day', 'department_id', 'department_role', 'mailbox_id', 'category_id',
                            'street_id', 'community_id', 'channel', 'grade', name='uq_daily_rollup_key'),
    )
    op.create_index('ix_daily_rollup_department_day', 'daily_rollup', ['department_id', 'day'])
    op.create_index('ix_daily_rollup_street_day', 'daily_rollup', ['street_id', 'day'])
    op.create_table(
        'rollup_dirty',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=True),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'area_colour_rule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('red_open_red_cases', sa.Integer(), nullable=False),
        sa.Column('red_overdue_share', sa.Float(), nullable=False),
        sa.Column('yellow_overdue_share', sa.Float(), nullable=False),
        sa.Column('yellow_open_cases', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    # the default rule: red with any open red case or over 10 % of open cases overdue; yellow over 3 % or 30 open
    op.execute("INSERT INTO area_colour_rule (id, red_open_red_cases, red_overdue_share, yellow_overdue_share, "
               "yellow_open_cases, updated_at) VALUES (1, 1, 0.1, 0.03, 30, CURRENT_TIMESTAMP)")
    op.create_table(
        'report_issue',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('first_day', sa.Date(), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('built_at', sa.DateTime(), nullable=False),
        sa.Column('editor_note', sa.Text(), nullable=True),
        sa.Column('editor_id', sa.Integer(), nullable=True),
        sa.Column('noted_at', sa.DateTime(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['editor_id'], ['user_account.id'], name='fk_report_issue_editor_id_user_account'),
        sa.PrimaryKeyConstraint('id', name='pk_report_issue'),
        sa.UniqueConstraint('kind', 'first_day', name='uq_report_issue_kind_first_day'),
    )
    op.create_table(
        'report_reading',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('issue_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['issue_id'], ['report_issue.id'], name='fk_report_reading_issue_id_report_issue',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name='fk_report_reading_user_id_user_account'),
        sa.PrimaryKeyConstraint('id', name='pk_report_reading'),
        sa.UniqueConstraint('issue_id', 'user_id', name='uq_report_reading_issue_user'),
    )
    op.create_index('ix_report_reading_issue_id', 'report_reading', ['issue_id'])
    op.create_index('ix_case_item_closed_at', 'case_item', ['closed_at'])
    op.create_index('ix_case_event_action_at', 'case_event', ['action', 'at'])
    op.create_index('ix_case_deadline_due_at', 'case_deadline', ['due_at'])
    op.create_index('ix_case_deadline_met_at', 'case_deadline', ['met_at'])
    op.add_column('category', sa.Column('is_dispute', sa.Boolean(), server_default='0', nullable=False))
    # The catalogue's dispute subjects (矛盾纠纷, 经济纠纷, 医患纠纷, 欠薪/薪酬纠纷 …) count towards 化解率.
    op.execute("UPDATE category SET is_dispute = " + ("true" if op.get_bind().dialect.name == "postgresql" else "1")
               + " WHERE name LIKE '%纠纷%'")


def downgrade():
    op.drop_index('ix_report_reading_issue_id', table_name='report_reading')
    op.drop_table('report_reading')
    op.drop_table('report_issue')
    op.drop_column('category', 'is_dispute')
    op.drop_index('ix_case_deadline_met_at', table_name='case_deadline')
    op.drop_index('ix_case_deadline_due_at', table_name='case_deadline')
    op.drop_index('ix_case_event_action_at', table_name='case_event')
    op.drop_index('ix_case_item_closed_at', table_name='case_item')
    op.drop_table('area_colour_rule')
    op.drop_table('rollup_dirty')
    op.drop_index('ix_daily_rollup_street_day', table_name='daily_rollup')
    op.drop_index('ix_daily_rollup_department_day', table_name='daily_rollup')
    op.drop_table('daily_rollup')
