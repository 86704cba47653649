"""The rules for lots, buyers and opportunities, one module per concern."""


class LotsError(ValueError):
    """A rule stopped the change; the message is fit to show the user."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class NotAllowed(LotsError):
    pass
