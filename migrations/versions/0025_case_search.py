"""case search: a character-bigram index of title, content, citizen's name, address and case number (FTS5 on
SQLite, tsvectors under GIN on PostgreSQL), filled for the existing cases

Revision ID: 0025_case_search
Revises: 0024_personal_data
Create Date: 2026-12-03 09:00:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.cases import search_index

# revision identifiers, used by Alembic.
revision = "0025_case_search"
down_revision = "0024_personal_data"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.create_table(
            "case_search",
            sa.Column("case_id", sa.Integer(), nullable=False),
            sa.Column("doc", postgresql.TSVECTOR(), nullable=False),
            sa.Column("number_doc", postgresql.TSVECTOR(), nullable=False),
            sa.ForeignKeyConstraint(
                ["case_id"],
                ["case_item.id"],
                name=op.f("fk_case_search_case_id_case_item"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_search")),
        )
    else:
        # contentless (no second copy of the texts), full detail (phrases need the positions); the column
        # sizes are kept (without them a contentless table cannot look up a rowid)
        op.execute(
            "CREATE VIRTUAL TABLE case_fts USING fts5(title, content, citizen_name, address, number, content='', "
            "detail=full, tokenize='unicode61 remove_diacritics 0')"
        )
    after = 0
    while True:  # the existing cases, in batches: an upgraded office searches at once
        done, after = search_index.index_missing(bind, after, BATCH)
        if not done:
            break
    search_index.optimize(bind)
    if bind.dialect.name == "postgresql":  # built after the fill: one pass instead of row-wise upkeep
        op.create_index("ix_case_search_doc", "case_search", ["doc"], postgresql_using="gin")
        op.create_index("ix_case_search_number_doc", "case_search", ["number_doc"], postgresql_using="gin")
        op.execute("ANALYZE case_search")  # the planner weighs frequent words by these statistics


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_case_search_number_doc", table_name="case_search", postgresql_using="gin")
        op.drop_index("ix_case_search_doc", table_name="case_search", postgresql_using="gin")
        op.drop_table("case_search")
    else:
        op.execute("DROP TABLE case_fts")
