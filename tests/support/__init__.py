"""Shared test support: factories, a PostgreSQL server, a live HTTP server, and our import-linter contracts."""
