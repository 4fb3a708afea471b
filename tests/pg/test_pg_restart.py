"""PostgreSQL restarted during a burst of letters: every accepted letter is in the database with its photo,
every failure is a 503 page with Retry-After that keeps what the citizen typed (sending it again saves it
once), nothing is a 500, and the app serves again without a restart."""

import io
import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from html import unescape
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import select

from app.extensions import db
from app.intake import uploads
from models.case import Attachment
from models.case import Case
from models.org import Category
from tests.conftest import FreshContextClient
from tests.support import factories
from tests.support.factories import make_mailbox
from tests.support.factories import png_bytes
from tests.support.pg_server import PG_BIN
from tests.support.pg_server import PostgresCluster
from tests.support.pg_server import _as_postgres
from tests.support.pg_server import app_on
from tests.support.pg_server import create_database

pytestmark = [pytest.mark.pg, pytest.mark.xdist_group("servers")]

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@pytest.fixture
def restartable(tmp_path):
    """The app on its own PostgreSQL cluster (so restarting it disturbs no other test), and the cluster."""
    root = Path(tempfile.mkdtemp(prefix="suqiu-pg-restart-"))
    cluster = PostgresCluster(root)
    cluster.init()
    cluster.start()
    try:
        settings = {"UPLOAD_FOLDER": str(tmp_path / "uploads"), "SUBMIT_LIMIT_PER_IP": "100000/hour"}
        application = app_on(create_database(cluster.url), **settings)
        application.test_client_class = FreshContextClient
        with application.app_context():
            flask_migrate.upgrade()
            factories.build_org()
            make_mailbox("qzxx", real_name_required=False)
            db.session.commit()
            yield application, cluster
            db.session.remove()
            db.engine.dispose()
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def restart(cluster) -> None:
    """A fast restart: every connection is cut, the server is back on the same port."""
    command = _as_postgres(
        PG_BIN / "pg_ctl", "-D", cluster.data, "-l", cluster.log, "-m", "fast", "-w", "-t", "60", "restart"
    )
    subprocess.run(command, capture_output=True, timeout=90, check=True)  # -l: the server keeps no pipe


def letter(i: int, where: dict) -> dict:
    return {
        **where,
        "request_type": "complaint",
        "title": f"路灯不亮<第{i}封>",  # with markup characters: the kept text must come back escaped
        "content": f"幸福路 {i} 号门口路灯坏了一周，晚上很黑。",
        "submission_key": uuid.uuid4().hex,
        "attachments": (io.BytesIO(png_bytes()), f"现场{i}.png"),
    }


def test_a_restart_during_a_burst_loses_nothing_and_every_failure_is_a_503_that_keeps_the_text(restartable):
    app, cluster = restartable
    client = app.test_client()
    where = {
        "category": db.session.scalar(select(Category.id).where(Category.code == "CSGL-ZDJY")),
        "street": factories.dept("SA").id,
        "community": factories.dept("CA").id,
    }
    db.session.remove()
    accepted, failed = [], []
    errors = []

    def restart_soon():
        time.sleep(0.5)
        try:
            restart(cluster)
        except Exception as error:  # reported below, in the test's own thread
            errors.append(error)

    restarter = threading.Thread(target=restart_soon)
    began = time.monotonic()
    restarter.start()
    i = 0
    while restarter.is_alive() or i < 40:
        sent = letter(i, where)
        response = client.post("/m/qzxx", data=sent, content_type="multipart/form-data")
        assert response.status_code in (302, 503), re.findall(
            r"invalid-feedback[^<]*<[^>]*>[^<]*|id=\"form-refusal\"[^<]*", response.get_data(as_text=True)
        )
        (accepted if response.status_code == 302 else failed).append((sent, response))
        i += 1
        time.sleep(0.02)
    restarter.join()
    assert not errors, errors
    print(f"{len(accepted)} accepted, {len(failed)} refused with 503 in {time.monotonic() - began:.1f} s")
    assert failed, "the restart fell between two letters: no failure was tested"

    for sent, response in failed:
        assert response.headers["Retry-After"].isdigit()
        html = response.get_data(as_text=True)
        assert "<第" not in html and unescape(html).count(sent["title"]) >= 2  # shown, and in the form
        kept = {name: unescape(value) for name, value in HIDDEN.findall(html)}
        assert kept["title"] == sent["title"] and kept["submission_key"] == sent["submission_key"]

    with app.app_context():
        for sent, _response in accepted:
            case = db.session.scalar(select(Case).where(Case.title == sent["title"]))
            assert case is not None, sent["title"]
            files = db.session.scalars(select(Attachment).where(Attachment.case_id == case.id)).all()
            assert len(files) == 1 and uploads.path_of(files[0].stored_name).read_bytes() == png_bytes()

    # the app recovered by itself; each kept form sent again is saved once (its submission key)
    for _sent, response in failed:
        kept = dict(HIDDEN.findall(response.get_data(as_text=True)))
        again = client.post("/m/qzxx", data={k: unescape(v) for k, v in kept.items()})
        assert again.status_code == 302
    with app.app_context():
        for sent, _response in failed:
            assert len(db.session.scalars(select(Case.id).where(Case.title == sent["title"])).all()) == 1
