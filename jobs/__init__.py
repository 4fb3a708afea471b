"""Background jobs: the scheduler (one process, under a database lease), the job table and thin job tasks.

Each job is a plain function of ``now`` in :mod:`jobs.tasks` that calls its domain and commits; the
scheduler (:mod:`jobs.scheduler`) only decides when to call them; ``flask jobs tick`` runs them once.
"""
