"""社区发令 · 部门报到: the pages of orders (令) from streets and communities to bureaus."""


def register(admin) -> None:
    """Add the order pages to the panel."""
