"""Personal data shown per role: which fields each role sees in full, masked or not at all."""

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
}


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
    if POLICY.get(field, {}).get(user.role, MASKED) == FULL:
        return value
    return mask(value)
