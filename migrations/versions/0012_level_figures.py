"""level figures: the rollup and its summaries count 即接即办 closures (专班办结), co-departments' own parts
(协办) and bureaus' parts of 令 (依令考核)

Revision ID: 0012_level_figures
Revises: 0011_levels
Create Date: 2026-12-09 10:00:00

"""
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_level_figures'
down_revision = '0011_levels'
branch_labels = None
depends_on = None

COLUMNS = ('closed_at_intake', 'part_decided', 'part_on_time', 'parts_waived', 'field_ack_decided',
           'field_ack_on_time', 'field_checkin_decided', 'field_checkin_on_time', 'field_feedback_decided',
           'field_feedback_on_time', 'field_late', 'field_checked_in', 'field_checkin_staffed', 'field_rated',
           'field_rated_pleased')
TABLES = ('daily_rollup', 'daily_summary')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in COLUMNS:
                batch_op.add_column(sa.Column(name, sa.Integer(), server_default='0', nullable=False))
    _note_days_to_recount()


def _note_days_to_recount():
    """The days built so far hold 0 in the new columns: note for the correction job (app.reports.rollup)
    the cases with parts or answered at intake, and the days of the 令 parts' clocks, check-ins and
    ratings, so that those days are counted again."""
    bind = op.get_bind()
    cases = {row[0] for row in bind.execute(sa.text("SELECT DISTINCT case_id FROM case_part"))}
    cases |= {row[0] for row in bind.execute(
        sa.text("SELECT id FROM case_item WHERE answered_at_intake = :yes"), {"yes": True})}
    instants = bind.execute(sa.text(
        "SELECT due_at, met_at FROM case_deadline WHERE field_target_id IS NOT NULL "
        "UNION ALL SELECT checked_in_at, rated_at FROM field_order_target")).all()
    days = set()
    for row in instants:
        for value in row:
            if isinstance(value, str):
                value = datetime.fromisoformat(value)
            if value is not None:  # stored as UTC; Beijing time is UTC+8 all year
                days.add((value.replace(tzinfo=None) + timedelta(hours=8)).date())
    rows = [{'day': None, 'case_id': c} for c in cases if c is not None] + [{'day': d, 'case_id': None} for d in days]
    if rows:
        dirty = sa.table('rollup_dirty', sa.column('day', sa.Date()), sa.column('case_id', sa.Integer()),
                         sa.column('created_at', sa.DateTime()))
        now = datetime.now(UTC).replace(tzinfo=None)
        op.bulk_insert(dirty, [row | {'created_at': now} for row in rows])

def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in COLUMNS:
                batch_op.drop_column(name)
