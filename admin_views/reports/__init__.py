"""Panel pages of the leaders' picture: rates, scorecards, reports, the dashboard."""
