"""The citizens' pages: mailbox forms (``/m/<slug>``), tracking and rating (``/track``), volunteers' clues
(``/v/<token>``). No login; abuse is held off by CSRF, honeypots, rate limits and the ban list."""
