"""Settings in the panel: organisation, users, deadline policies, calendar, front door, keys, audit trail."""
