"""publication: mailboxes marked public, and the citizen's consent to publish a case

Revision ID: 0006_publication
Revises: 0005_sessions
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_publication'
down_revision = '0005_sessions'
branch_labels = None
depends_on = None


def upgrade():
    # Existing mailboxes and cases start unpublished: an administrator marks a mailbox public, and only
    # citizens who agree on the form from then on are published.
    with op.batch_alter_table('mailbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_public', sa.Boolean(), server_default='0', nullable=False))

    with op.batch_alter_table('case_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publication_consent', sa.Boolean(), server_default='0', nullable=False))


def downgrade():
    # Plain ALTER TABLE DROP COLUMN (SQLite >= 3.35 and PostgreSQL): a batch copy of case_item or mailbox
    # would trip the foreign keys that point at them.
    op.drop_column('case_item', 'publication_consent')
    op.drop_column('mailbox', 'is_public')
