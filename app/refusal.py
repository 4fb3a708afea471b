"""The one shape of a refused step (a lifecycle action, a clue triage, a reward decision)."""


class Refusal(Exception):
    """A step was refused; ``message`` says why, in the user's language, and nothing was written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
