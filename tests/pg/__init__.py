"""Behaviour on a real PostgreSQL 15 server started by the test run."""
