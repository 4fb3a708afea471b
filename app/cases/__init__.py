"""Cases: the state machine (actions table, transitions, extensions), opening, staff intake, tracking."""
