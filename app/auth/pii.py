"""Personal data shown per role: which fields each role sees in full, masked or not at all.

The same rules for numbers typed into free text: :mod:`app.auth.redaction`.
"""

from models.enums import Role

FULL, MASKED = "full", "masked"

# field -> role -> how it is shown. A role missing from a field's map sees it masked.
POLICY = {
    "citizen_phone": {
        Role.ADMIN: FULL,
        Role.SUPERVISOR: FULL,
        Role.CLERK: FULL,
        Role.HANDLER: FULL,  # handlers must call the citizen back
        Role.LEADER: MASKED,
    },
    "citizen_id_no": {Role.ADMIN: FULL, Role.SUPERVISOR: FULL, Role.CLERK: FULL},
    "volunteer_phone": {
        Role.ADMIN: FULL,
        Role.SUPERVISOR: FULL,
        Role.CLERK: FULL,
        Role.HANDLER: FULL,
    },
    "volunteer_id_number": {Role.ADMIN: FULL},
}


# Columns that hold a field of POLICY, by model name and attribute: what a role may not search by.
COLUMNS = {
    ("Case", "citizen_phone"): "citizen_phone",
    ("Case", "citizen_id_no"): "citizen_id_no",
    ("Volunteer", "phone"): "volunteer_phone",
    ("Volunteer", "id_number"): "volunteer_id_number",
}


# A case's fields that name, reach or locate the citizen, and its free-text content: the case timeline says
# only that one of them changed, never the values (the audit trail keeps them).
PERSONAL_CASE_FIELDS = frozenset({"citizen_name", "citizen_phone", "citizen_id_no", "address", "content"})
# Personal columns that no role sees masked (names, addresses), beside those of POLICY.
NAMED_COLUMNS = frozenset({("Case", "citizen_name"), ("Case", "address"), ("Volunteer", "name")})
ID_NUMBER_FIELDS = frozenset({"citizen_id_no", "volunteer_id_number"})


def sees_in_full(field: str, user) -> bool:
    """Whether ``user``'s role sees ``field`` unmasked."""
    return POLICY.get(field, {}).get(getattr(user, "role", None), MASKED) == FULL


def may_search(model_name: str, attribute: str, user) -> bool:
    """A role that sees a column masked may not search, sort, filter or look up by it (it would reveal it)."""
    field = COLUMNS.get((model_name, attribute))
    return field is None or sees_in_full(field, user)


def personal_in_full(model_name: str, attributes, user) -> list[str]:
    """Which of ``attributes`` of ``model_name`` carry personal data ``user`` gets unmasked (e.g. in an export)."""
    found = []
    for attribute in attributes:
        field = COLUMNS.get((model_name, attribute))
        if (model_name, attribute) in NAMED_COLUMNS or (field is not None and sees_in_full(field, user)):
            found.append(attribute)
    return found


def mask(value: str | None) -> str:
    """Keep the first three and last four characters, star the rest (138****5678)."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[0] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def reveal(field: str, value: str | None, user) -> str:
    """Return ``value`` as ``user`` may see it."""
    if not value:
        return ""
    return value if sees_in_full(field, user) else mask(value)
