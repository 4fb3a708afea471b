"""Background jobs (deadline sweep, reminders, daily report) arrive with the deadlines issue.

Jobs will be plain functions of (database, now); the scheduler only decides when to call them.
"""
