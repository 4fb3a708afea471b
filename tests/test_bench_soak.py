"""The soak's measuring parts (``bench.soak``) on their own: nearest-rank percentiles, the open-loop pacing
(a slow server does not slow the schedule, late starts are counted, what never started is shed), what
counts as an error, and the visitor's form reading and multipart body (``tests.topology.client``)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.parser import BytesParser
from email.policy import HTTP

from bench.soak import Recorder
from bench.soak import open_loop
from bench.soak import percentile
from tests.topology.client import Response
from tests.topology.client import hidden_fields
from tests.topology.client import letter_fields
from tests.topology.client import multipart
from tests.topology.client import photo_bytes


def test_percentiles_are_nearest_rank():
    values = [n / 1000 for n in range(100, 0, -1)]  # 0.001 … 0.1, unsorted
    assert [percentile(values, p) for p in (50, 95, 99, 100)] == [0.05, 0.095, 0.099, 0.1]
    assert percentile([0.2], 99) == 0.2 and percentile([], 50) == 0


def test_the_schedule_keeps_its_rate_when_the_server_is_slow_and_counts_late_starts():
    recorder, stop, started = Recorder(), threading.Event(), []

    def slow(i):
        started.append((i, time.monotonic()))
        time.sleep(0.3)  # a server four times slower than the schedule

    with ThreadPoolExecutor(1) as pool:
        began = time.monotonic()
        futures = open_loop(20, 0.5, slow, pool, recorder, stop)
        submitted_in = time.monotonic() - began
        for future in futures:
            future.result()
    assert len(futures) == 10 and submitted_in < 0.6  # open loop: all ten scheduled on time
    assert recorder.started == 10 and recorder.late >= 8 and recorder.max_late > 2
    assert [i for i, _ in started] == list(range(10))


def test_on_schedule_nothing_is_late():
    recorder = Recorder()
    with ThreadPoolExecutor(4) as pool:
        for future in open_loop(50, 0.4, lambda i: None, pool, recorder, threading.Event()):
            future.result()
    assert recorder.started == 20 and recorder.late == 0


def test_tasks_not_started_by_the_end_are_shed():
    pool = ThreadPoolExecutor(1)
    futures = open_loop(100, 0.1, lambda i: time.sleep(0.2), pool, Recorder(), threading.Event())
    pool.shutdown(wait=True, cancel_futures=True)
    shed = sum(f.cancelled() for f in futures)
    assert len(futures) == 10 and 7 <= shed <= 9  # one or two ran; the rest never reached the server


def test_every_status_but_2xx_and_3xx_and_every_connection_error_is_an_error():
    recorder = Recorder()
    assert recorder.timed("GET /a", lambda: Response(302, {}, b"")) is not None
    assert recorder.timed("GET /a", lambda: Response(503, {}, "维护中".encode())) is None
    assert recorder.timed("GET /b", lambda: (_ for _ in ()).throw(ConnectionResetError("reset"))) is None
    assert recorder.errors == {"GET /a": 1, "GET /b": 1}
    assert recorder.examples == ["GET /a: 503 '维护中'", "GET /b: ConnectionResetError: reset"]
    (row_a, row_b) = recorder.table()
    assert (row_a["count"], row_a["errors"], row_b["count"]) == (1, 1, 0)


FORM = """<form><input id="csrf_token" name="csrf_token" type="hidden" value="tok&amp;en">
<input name="submission_key" type="hidden" value="abc"><input name="title" type="text" value="x">
<select name="category"><option selected value="">请选择</option><option value="17">a</option></select>
<select name="street"><option value="2">光明街道</option></select></form>"""


def test_a_letter_carries_the_forms_hidden_fields_and_a_real_choice():
    assert hidden_fields(FORM) == {"csrf_token": "tok&en", "submission_key": "abc"}
    fields = letter_fields(FORM, 42)
    assert fields["csrf_token"] == "tok&en" and fields["category"] == "17" and fields["street"] == "2"
    assert fields["citizen_phone"] == "13900000042" and len(fields["content"]) >= 10


def test_the_multipart_body_parses_back_to_the_fields_and_the_photo():
    photo = photo_bytes(5000, seed=1)
    body, content_type = multipart({"title": "路灯不亮"}, [("attachments", "现场.jpg", photo)])
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    parts = {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}
    assert parts["title"].get_payload(decode=True).decode() == "路灯不亮"  # UTF-8, as browsers send it
    assert parts["attachments"].get_payload(decode=True) == photo and len(photo) == 5000
    assert photo.startswith(b"\xff\xd8\xff")  # read as a JPEG by the upload check
