"""``python -m tests.support.jobs_process``: the production jobs process as ``flask jobs run`` starts it (the
real APScheduler and database lease), for fault tests, on the test database ``SUQIU_TEST_DB`` with the
settings ``SUQIU_TEST_SETTINGS`` (JSON). Only the sweep is scheduled, every second, in batches of 10 with a
pause inside each batch's transaction (``SUQIU_SWEEP_PAUSE`` seconds), so a kill lands in the middle of one.
"""

import json
import os
import signal
import time

from app import create_app
from app.deadlines import sweep as sweep_module
from jobs import lease
from jobs import runner
from jobs import scheduler
from jobs import tasks
from tests.conftest import make_config


def main() -> None:
    """Run the scheduler until killed, or until SIGINT (which releases the lease, as ``jobs run`` does)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)  # pytest-xdist's workers pass SIGINT on ignored
    settings = json.loads(os.environ.get("SUQIU_TEST_SETTINGS", "{}"))
    app = create_app(make_config(os.environ["SUQIU_TEST_DB"], **settings))
    pause = float(os.environ.get("SUQIU_SWEEP_PAUSE", "0.3"))
    announce = sweep_module.Run.announce

    def slow_announce(self, rungs):
        announce(self, rungs)
        time.sleep(pause)  # still inside the batch's transaction: a kill now loses the whole batch

    sweep_module.Run.announce = slow_announce
    jobs = {"sweep": (lambda now: tasks.sweep(now, batch=10), 1)}
    runner.JOBS = scheduler.JOBS = jobs
    runner.DAILY = scheduler.DAILY = {}
    with app.app_context():
        sched = scheduler.build(app, blocking=True)
        print(f"holder {sched.holder}", flush=True)
        try:
            sched.start()
        except KeyboardInterrupt:
            pass
        finally:
            lease.release(scheduler.LEASE, sched.holder)


if __name__ == "__main__":
    main()
