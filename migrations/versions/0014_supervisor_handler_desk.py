"""supervisor and handler desk: 催办 counts, structured contact records

Revision ID: 0014_supervisor_handler_desk
Revises: 0013_event_notices
Create Date: 2026-12-02 19:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_supervisor_handler_desk'
down_revision = '0013_event_notices'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urge_count', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_attachment_event_id'), ['event_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_attachment_event_id_case_event'), 'case_event', ['event_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attachment_event_id_case_event'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_attachment_event_id'))
        batch_op.drop_column('event_id')

    with op.batch_alter_table('case_item', schema=None) as batch_op:
        batch_op.drop_column('urge_count')
