"""audit coverage and separation of duties settings

Revision ID: 0017_audit_duties
Revises: 0016_citizen_voice
Create Date: 2026-12-02 19:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_audit_duties'
down_revision = '0016_citizen_voice'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('config_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bucket', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('hits', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_config_change_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_config_change_record', ['entity', 'entity_key'], unique=False)
        batch_op.create_index('uq_config_change_bucket', ['bucket', 'entity', 'entity_key', 'action'], unique=True)


def downgrade():
    with op.batch_alter_table('config_change', schema=None) as batch_op:
        batch_op.drop_index('uq_config_change_bucket')
        batch_op.drop_index('ix_config_change_record')
        batch_op.drop_index(batch_op.f('ix_config_change_actor_id'))
        batch_op.drop_column('hits')
        batch_op.drop_column('bucket')
