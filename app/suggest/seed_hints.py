"""Starting keyword hints per level-2 category code, loaded into the admin-editable hints table.

STUB written by the lead; the corpus helper fills HINTS.
"""

HINTS: dict[str, list[str]] = {}
