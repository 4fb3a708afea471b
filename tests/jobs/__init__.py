"""The job table, the scheduler's lease, and the jobs run once."""
