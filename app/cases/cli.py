"""``flask --app app search reindex [--batch N] [--rebuild]``: build the case search index
(:mod:`app.cases.search_index`) for cases that have no entry, in batches, each committed (resumable), then
merge it (SQLite; worth running now and then, e.g. monthly, on a busy office's database)."""

import time

import click
from flask.cli import AppGroup

from app.cases import search_index
from app.extensions import db

search_group = AppGroup("search", help="The case search index: build it for existing cases.")


@search_group.command("reindex")
@click.option("--batch", default=5000, show_default=True, help="Cases indexed per committed batch.")
@click.option("--rebuild", is_flag=True, help="Empty the index first and index every case again.")
def reindex_command(batch: int, rebuild: bool) -> None:
    """Index the cases without an entry (all of them with --rebuild); an interrupted run resumes where it was."""
    started, total, after = time.perf_counter(), 0, 0
    if rebuild:
        search_index.clear(db.session)
        db.session.commit()
    while True:
        done, after = search_index.index_missing(db.session, after, max(1, batch))
        db.session.commit()
        if not done:
            break
        total += done
        click.echo(f"  {total:,} cases indexed (up to id {after})")
    search_index.optimize(db.session)
    db.session.commit()
    click.echo(f"Search index: {total:,} cases indexed in {time.perf_counter() - started:.1f} s.")
