"""Deadline policies, clocks, the work calendar and the sweep."""
