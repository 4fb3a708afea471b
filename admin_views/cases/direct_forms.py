"""Forms of the case-page buttons for 即接即办 (a direct answer at intake)."""

FORMS: dict = {}
