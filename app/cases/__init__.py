"""Cases: the state machine (actions table, lifecycle, extensions), opening and numbering, staff intake,
督办, tracking."""
