"""gunicorn settings shared by the web servers (``--config python:deploy.gunicorn_conf``): a worker that
exits has its Prometheus files marked dead, so ``/metrics`` keeps summing only live processes' gauges."""

import os


def child_exit(server, worker):
    """gunicorn hook: forget a finished worker's live gauges (multiprocess mode only)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
