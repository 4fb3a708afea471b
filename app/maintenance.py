"""Database upkeep the app does for itself: planner statistics."""

from app.extensions import db


def refresh_planner_statistics() -> str:
    """Gather table statistics so the planner picks the small side of a scoped query.

    SQLite never gathers them on its own (``PRAGMA optimize`` before 3.46 skips never-analysed tables);
    ``analysis_limit`` samples each index, so this takes milliseconds even on a million cases.
    """
    dialect = db.engine.dialect.name
    with db.engine.connect() as conn:
        if dialect == "sqlite":
            conn.exec_driver_sql("PRAGMA analysis_limit=1000")
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.exec_driver_sql("ANALYZE")
        conn.commit()
    return dialect
