"""The case state machine, opening, direct inserts and tracking."""
