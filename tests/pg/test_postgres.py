"""The app on a real PostgreSQL 15: migrations, the state machine, case numbers under load, scoping, locking.

Every test gets its own database, copied in the server from a migrated template that holds the test
organisation. The migrations-versus-models check runs on SQLite too.
"""

import threading
from datetime import UTC
from datetime import datetime

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app import create_app
from app.auth.access import scope_query
from app.cases import lifecycle
from app.extensions import db
from models.case import Case
from models.enums import Status
from tests.conftest import make_config
from tests.support import factories
from tests.support.pg_server import app_on
from tests.support.pg_server import create_database
from tests.support.pg_server import drop_database
from tests.support.pg_server import pg_app_fixture  # noqa: F401  (fixture: the app on a fresh PostgreSQL copy)
from tests.support.pg_server import pg_template_fixture  # noqa: F401
from tests.support.pg_server import pg_url_fixture  # noqa: F401  (provides the pg_url fixture)

RECEIVED = datetime(2026, 11, 22, 2, 30, tzinfo=UTC)  # 10:30 Beijing time


def schema_differences(app) -> list:
    """What Alembic's autogenerate would still change to make the database match the models. A table of one
    database only (``info["only_on"]``; SQLite's FTS5 search tables, which have no place in the metadata)
    is compared on that database only."""
    with app.app_context(), db.engine.connect() as connection:
        dialect = connection.dialect.name

        def include(obj, name, type_, reflected, compare_to):
            if type_ != "table":
                return True
            if reflected and compare_to is None and name.startswith("case_fts"):
                return dialect != "sqlite"
            only_on = obj.info.get("only_on") if not reflected else None
            return only_on in (None, dialect)

        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "compare_server_default": False, "include_object": include},
        )
        return compare_metadata(context, db.metadata)


@pytest.fixture
def app(pg_app):
    """Every test here runs on PostgreSQL."""
    return pg_app


# --- migrations ---------------------------------------------------------------------------------


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
def test_migrations_build_the_models_schema_on_postgres(pg_url):
    url = create_database(pg_url)
    app = app_on(url)
    with app.app_context():
        flask_migrate.upgrade()
        tables = set(db.inspect(db.engine).get_table_names())
        differences = schema_differences(app)
        db.engine.dispose()
    drop_database(url)
    assert {"case_item", "case_event", "department", "counter", "user_account", "alembic_version"} <= tables
    assert differences == []


def test_migrations_build_the_models_schema_on_sqlite(template_db):
    app = create_app(make_config(template_db))
    with app.app_context():
        differences = schema_differences(app)
        db.engine.dispose()
    assert differences == []


# --- the state machine and factories --------------------------------------------------------------


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
def test_factories_and_full_lifecycle_on_postgres(app):
    assert db.engine.dialect.name == "postgresql"
    case = factories.make_case(Status.CLOSED, lead="SA", co=("BA",), title="小区噪音扰民")
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status == Status.CLOSED
    assert case.title == "小区噪音扰民"
    assert case.lead_department.code == "SA"
    assert [d.code for d in case.co_departments] == ["BA"]
    assert [e.action for e in case.events] == [
        "receive",
        "register",
        "dispatch",
        "sign",
        "contact",
        "sign_part",  # the co-department's own part (协办同责) before the lead's reply
        "answer_part",
        "reply",
        "revisit",
    ]
    assert [(p.department.code, p.status) for p in case.parts] == [("BA", "answered")]
    assert all(e.at.tzinfo is not None for e in case.events)
    assert case.events[2].data == {
        "lead_department_id": factories.dept("SA").id,
        "co_department_ids": [factories.dept("BA").id],
    }
    for stamp in ("registered_at", "dispatched_at", "signed_at", "contacted_at", "replied_at", "closed_at"):
        assert getattr(case, stamp) is not None, stamp

    # Reopen, then a duplicate merged into it, then a rejected one: every side path works on PG.
    lifecycle.perform(case, "reopen", factories.user("supervisor"), reason="群众再次来电反映")
    duplicate = factories.make_case(title="小区噪音扰民（重复）")
    lifecycle.perform(duplicate, "merge", factories.user("clerk"), target=case.number)
    rejected = factories.make_case(Status.REJECTED)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == Status.IN_PROGRESS
    assert db.session.get(Case, duplicate.id).merged_into_id == case.id
    assert db.session.get(Case, rejected.id).status == Status.REJECTED
    assert db.session.get(Case, case.id).events[-1].action == "merge_in"


# --- case numbers under concurrency ---------------------------------------------------------------


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
def test_case_numbers_unique_and_consecutive_under_concurrency(app):
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def intake(i: int) -> None:
        try:
            with app.app_context():  # its own app context, so its own session and connection
                clerk = factories.user("clerk")
                case = Case(
                    channel="hotline",
                    request_type="consult",
                    title=f"并发受理 {i}",
                    content="同时来电",
                    received_at=RECEIVED,
                )
                barrier.wait(timeout=30)
                lifecycle.open_case(case, clerk)
                threading.Event().wait(0.05)  # hold the transaction open so the others queue up
                db.session.commit()
                with lock:
                    numbers.append(case.number)
        except BaseException as exc:  # reported by the assertion below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=intake, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(numbers) == threads_count
    assert len(set(numbers)) == threads_count
    assert all(n.startswith("SQ20261122-") for n in numbers), numbers
    sequence = sorted(int(n[-6:]) for n in numbers)
    assert sequence == list(range(sequence[0], sequence[0] + threads_count)), sequence
    # And the next case continues the sequence.
    later = Case(channel="hotline", request_type="consult", title="之后", content="c", received_at=RECEIVED)
    lifecycle.open_case(later, factories.user("clerk"))
    db.session.commit()
    assert int(later.number[-6:]) == sequence[-1] + 1


# --- department scoping ---------------------------------------------------------------------------


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
def test_handler_scope_returns_only_lead_and_co_cases(app):
    lead_sa = factories.make_case(Status.DISPATCHED, lead="SA", title="甲街道牵头")
    co_sa = factories.make_case(Status.IN_PROGRESS, lead="SB", co=("SA",), title="甲街道协办")
    factories.make_case(Status.DISPATCHED, lead="SB", title="乙街道牵头")
    factories.make_case(Status.DISPATCHED, lead="BA", co=("BB",), title="城管局牵头")
    factories.make_case(Status.REGISTERED, title="未派单")
    expected = {lead_sa.id, co_sa.id}

    handler = factories.user("handler", "SA")
    via_query = scope_query(Case, db.session.query(Case), handler).all()
    assert {c.id for c in via_query} == expected
    via_select = db.session.scalars(scope_query(Case, select(Case), handler)).all()
    assert {c.id for c in via_select} == expected
    # The community below SA is not SA: scoping is by exact department, not by subtree.
    assert scope_query(Case, db.session.query(Case), factories.user("handler", "CA")).all() == []
    # Non-handler roles see everything.
    assert scope_query(Case, db.session.query(Case), factories.user("clerk")).count() == 5


# --- optimistic locking ---------------------------------------------------------------------------


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
def test_second_concurrent_change_raises_stale_data_and_first_survives(app):
    case_id = factories.make_case(Status.NEW).id
    db.session.remove()

    with app.app_context():  # session A
        session_a = db.session()
        case_a = db.session.get(Case, case_id)
        assert case_a.version == 1
        with app.app_context():  # session B, loaded while A holds its copy
            case_b = db.session.get(Case, case_id)
            assert db.session() is not session_a and case_b is not case_a
            lifecycle.perform(case_b, "register", factories.user("clerk"))
            db.session.commit()
        # A still believes the case is new at version 1; its change must not overwrite B's.
        with pytest.raises(StaleDataError):
            lifecycle.perform(case_a, "reject", factories.user("clerk"), reason="不属于受理范围")
            db.session.commit()
        db.session.rollback()

    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == Status.REGISTERED
        assert case.version == 2
        assert [e.action for e in case.events] == ["receive", "register"]


# --- the admin on PostgreSQL ----------------------------------------------------------------------


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
def test_admin_case_list_renders_for_clerk(app):
    cases = [
        factories.make_case(Status.CLOSED, lead="SA", co=("BA",)),
        factories.make_case(Status.DISPATCHED, lead="SB", title="乙街道的诉求"),
        factories.make_case(Status.NEW, title="新来电"),
    ]
    numbers = [c.number for c in cases]
    client = app.test_client()
    response = client.post("/login", data={"username": "clerk", "password": factories.PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]

    response = client.get("/admin/case/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for number in numbers:
        assert number in page
    assert "乙街道的诉求" in page

    # Search, filter and the case page go through PostgreSQL too.
    assert numbers[1] in client.get(f"/admin/case/?search={numbers[1]}").get_data(as_text=True)
    response = client.get(f"/admin/case/details/?id={cases[0].id}")
    assert response.status_code == 200
    assert 'data-action="revisit"' in response.get_data(as_text=True)
