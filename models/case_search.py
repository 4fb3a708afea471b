"""The case search index on PostgreSQL (app.cases.search_index): tsvectors of character bigrams per case.

On SQLite the index is the FTS5 table ``case_fts`` instead, which the migration creates (a virtual table has
no place in the metadata); this table exists on PostgreSQL only.
"""

from sqlalchemy import Column
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import TSVECTOR

from app.extensions import db

case_search = Table(
    "case_search",
    db.metadata,
    Column("case_id", Integer, ForeignKey("case_item.id", ondelete="CASCADE"), primary_key=True),
    Column("doc", TSVECTOR, nullable=False),  # title A, content B, name C, address D
    Column("number_doc", TSVECTOR, nullable=False),  # the case number, for pieces of it
    Index("ix_case_search_doc", "doc", postgresql_using="gin"),
    Index("ix_case_search_number_doc", "number_doc", postgresql_using="gin"),
    info={"only_on": "postgresql"},  # schema comparisons skip it elsewhere (tests/pg/test_postgres.py)
)
