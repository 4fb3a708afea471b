"""即接即办 scopes and 标准用语 (reply templates): the settings pages an administrator keeps."""


def register(admin) -> None:
    """Add the wording settings pages to the panel."""
