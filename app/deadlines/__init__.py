"""Deadlines: policies, the work calendar, each stage's clock, the sweep and who hears of each rung."""
