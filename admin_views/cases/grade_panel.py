"""The case page's panel for this intake aid. STUB written by the lead; the grading helper fills it in."""


def context(case) -> dict:
    """The template values of the panel for ``case`` (empty: the panel is not shown)."""
    return {}
