"""Operations: ``/healthz``, ``/livez`` and ``/metrics``, and the per-request log line and latency."""
