"""Character bigrams, the tokens of the case search index (:mod:`app.cases.search_index`); pure, no database.

Chinese has no spaces between words, and the commonest search is a two-character word (漏水, 噪音, 王芳):
a trigram index cannot answer it (SQLite FTS5's trigram tokenizer and PostgreSQL's pg_trgm find nothing
for it), so both databases index overlapping character pairs instead. A text is NFKC-normalised and
case-folded, then cut into runs of letters and digits of any script (everything else separates runs); each
run gives its overlapping bigrams in order, then its last character alone (``漏水管`` → ``漏水 水管 管``), so
a one-character search is a prefix query on the tokens. A search term is read the same way: each run of two
or more characters is a phrase of its bigrams (consecutive tokens: the run stands in the text as written),
a one-character run a prefix query, and all runs of a term must match.
"""

import re
from typing import NamedTuple

from app.validators import ascii_text

RUN = re.compile(r"[^\W_]+")  # letters and digits of any script; the underscore separates
# Only a text's beginning is indexed: PostgreSQL keeps token positions up to 16,383 (beyond, phrases fail).
INDEXED_CHARS = 15_000


class QueryRun(NamedTuple):
    """One run of a search term: the bigrams that must stand in a row, or one character as a prefix."""

    tokens: tuple[str, ...]
    prefix: bool


def runs(text: str | None) -> list[str]:
    """The runs of letters and digits of ``text``, normalised (NFKC, ASCII digits, case-folded)."""
    return RUN.findall(ascii_text(text).casefold())


def run_tokens(run: str) -> list[str]:
    """The overlapping bigrams of ``run``, then its last character (a one-character run: itself)."""
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def index_tokens(text: str | None) -> str:
    """``text`` (its first :data:`INDEXED_CHARS` characters) as the space-separated tokens of its runs, in order."""
    return " ".join(token for run in runs((text or "")[:INDEXED_CHARS]) for token in run_tokens(run))


def query_runs(term: str | None) -> list[QueryRun]:
    """A search term as the runs to match, all of them: a phrase of bigrams, or one character as a prefix."""
    found = []
    for run in runs(term):
        if len(run) == 1:
            found.append(QueryRun((run,), True))
        else:
            found.append(QueryRun(tuple(run[i : i + 2] for i in range(len(run) - 1)), False))
    return found
