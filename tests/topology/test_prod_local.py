"""The production topology, started for real through ``deploy.prod_local`` (what ``make prod-local`` runs):
PostgreSQL, redis-server, the jobs process and two gunicorn servers of one worker each, A and B, so that
"through A" and "through B" are surely two different worker processes (one master with two workers would
hand each request to whichever worker accepts it first). CSRF is on, as in production.

Through A a citizen sends a letter with a photo; a clerk logged in on B sees it and downloads the same
bytes (the photo is in the database, not in A's folder). The per-phone limit counts across both (Redis), a
ban added on A refuses the next letter on B, and /healthz on both sees the lease of the jobs process.

One test runs the steps in turn on one topology: xdist's ``loadgroup`` does not keep a group on one worker
under pytest 9 (it renames ``item._nodeid``, which pytest 9 no longer reads), so separate tests sharing a
module fixture could each start a topology of their own on another worker.
"""

import hashlib
import json
import re
import shutil
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from deploy.prod_local import Topology
from deploy.prod_local import missing_parts
from tests.support.redis_server import free_port
from tests.topology.client import Client
from tests.topology.client import hidden_fields
from tests.topology.client import letter_fields
from tests.topology.client import login
from tests.topology.client import photo_bytes

pytestmark = [pytest.mark.pg, pytest.mark.xdist_group("servers")]

TOO_MANY = "短时间内提交次数过多，请稍后再试。"  # the Chinese page's refusals (UI default locale)
BANNED = "该电话号码或网络的提交暂不受理，请拨打热线电话反映。"
REFUSAL = re.compile(r'id="form-refusal">([^<]*)<')


@pytest.fixture
def topology():
    """The topology in a temporary folder on free ports; stopped (every process) at the end."""
    missing = missing_parts()
    if missing:
        pytest.skip(
            f"the production topology cannot run here, missing: {', '.join(missing)} (`make system-deps`)"
        )
    root = Path(tempfile.mkdtemp(prefix="suqiu-prod-local-"))
    topology = Topology(root, port=free_port(), servers=2, workers=1, demo_cases=10)
    try:
        state = topology.start(echo=lambda *_: None)
        yield topology, state
    finally:
        topology.stop()
        stopped = not topology.running()
        shutil.rmtree(root, ignore_errors=True)
    assert stopped, "a process of the topology outlived stop()"


def query(topology, sql: str, *args):
    """Rows of ``sql`` on the topology's database."""
    state = topology.state()
    with psycopg.connect(topology.environment(state)["DATABASE_URL"]) as conn:
        return conn.execute(sql, args).fetchall()


def send(port: int, title: str, phone: str, photo: bytes | None = None) -> str:
    """A citizen's letter through the server on ``port``: "sent", or the refusal shown on the form."""
    citizen = Client(port)
    form = citizen.get("/m/qzxx")
    assert form.status == 200
    fields = {**letter_fields(form.text, 1), "title": title, "citizen_phone": phone}
    files = [("attachments", "现场照片.jpg", photo)] if photo else None
    response = citizen.post("/m/qzxx", fields, files)
    if response.status == 302:
        return "sent"
    assert response.status == 400, response.text[-800:]
    refusal = REFUSAL.search(response.text)
    assert refusal, response.text[-800:]
    return {TOO_MANY: "too many", BANNED: "banned"}.get(refusal.group(1), refusal.group(1))


def a_and_b_are_two_worker_processes(topology, state):
    """Two gunicorn masters, one worker process each, all four different processes."""
    masters = state["web_pids"]
    assert len(set(masters)) == 2 and all(masters)
    workers = [
        [p.name for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(p) == master]
        for master in masters
    ]
    assert [len(w) for w in workers] == [1, 1] and workers[0] != workers[1]


def _parent(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def a_letter_with_a_photo_sent_through_a_is_seen_with_its_photo_through_b(topology, state):
    """The letter is stored with its photo in the database; a clerk on B opens it and downloads the same bytes."""
    a, b = state["web_ports"]
    photo = photo_bytes(300_000, seed=7)  # 300 KB: a chunked file in the database, like a phone photo
    assert send(a, "经A提交的带照片来信", "13900000001", photo) == "sent"
    (case_id,) = query(topology, "SELECT id FROM case_item WHERE title = %s", "经A提交的带照片来信")[0]
    stored = "SELECT sum(length(c.data)) FROM attachment a JOIN attachment_chunk c USING (stored_name) WHERE a.case_id = %s"
    assert query(topology, stored, case_id)[0][0] == len(
        photo
    )  # its bytes are in the database, not in A's folder

    clerk = Client(b)
    login(clerk, "clerk")
    page = clerk.get(f"/admin/case/details/?id={case_id}")
    assert page.status == 200 and "经A提交的带照片来信" in page.text
    links = set(re.findall(r"/admin/case/attachment/(\d+)", page.text))
    assert len(links) == 1, "the case page shows its one photo"
    download = clerk.get(f"/admin/case/attachment/{links.pop()}?download=1")
    assert download.status == 200
    assert hashlib.sha256(download.body).hexdigest() == hashlib.sha256(photo).hexdigest()


def the_phone_limit_holds_across_both_servers(topology, state):
    """Five letters an hour from one phone in total over A and B (SUBMIT_LIMIT_PER_PHONE), counted in Redis."""
    a, b = state["web_ports"]
    outcomes = [send(port, f"限额来信{i}", "13900000002") for i, port in enumerate((a, b, a, b, a, b, a))]
    assert outcomes == ["sent"] * 5 + ["too many"] * 2
    assert query(topology, "SELECT count(*) FROM case_item WHERE title LIKE %s", "限额来信%")[0][0] == 5


def a_ban_added_through_a_refuses_letters_on_b_at_once(topology, state):
    """An administrator bans a phone on A; B refuses its very next letter (and A too)."""
    a, b = state["web_ports"]
    assert send(b, "封禁前来信", "13900000003") == "sent"
    admin = Client(a)
    login(admin, "admin")
    token = hidden_fields(admin.get("/admin/ban_entry/new/").text)["csrf_token"]
    fields = {"csrf_token": token, "kind": "phone", "value": "139 0000 0003", "reason": "测试", "active": "y"}
    assert admin.post("/admin/ban_entry/new/", fields).status == 302
    assert send(b, "封禁后来信", "13900000003") == "banned"
    assert send(a, "封禁后来信", "13900000003") == "banned"
    assert query(topology, "SELECT count(*) FROM case_item WHERE title = %s", "封禁后来信")[0][0] == 0


def healthz_on_both_servers_sees_the_lease_of_the_jobs_process(topology, state):
    """The lease row names the jobs process (host:pid:random), and /healthz on A and B reports it fresh."""
    # the scheduler takes its lease at its first job run (deliveries: every 30 s after it starts)
    deadline = time.monotonic() + 60
    while True:
        holders = query(topology, "SELECT holder FROM job_lock WHERE name = 'scheduler'")
        if holders or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert holders, "the jobs process took no lease within 60 s"
    assert f":{state['jobs_pid']}:" in holders[0][0]  # host:pid:random, the jobs process's own pid
    for port in state["web_ports"]:
        health = json.loads(Client(port).get("/healthz").text)
        assert health["checks"]["scheduler"]["ok"] is True, health
        assert health["checks"]["database"]["ok"] and health["checks"]["migrations"]["ok"]


def test_the_production_topology_on_two_servers(topology):
    topology, state = topology
    a_and_b_are_two_worker_processes(topology, state)
    a_letter_with_a_photo_sent_through_a_is_seen_with_its_photo_through_b(topology, state)
    the_phone_limit_holds_across_both_servers(topology, state)
    a_ban_added_through_a_refuses_letters_on_b_at_once(topology, state)
    healthz_on_both_servers_sees_the_lease_of_the_jobs_process(topology, state)
