"""The rules of the DPS and admission, one module per stage:

- ``setup``: the operator creates a DPS, its lots and questionnaire versions;
- ``applying``: a supplier answers the questionnaire, chooses lots and submits;
- ``deciding``: the operator clarifies, extends and decides each lot;
- ``standing``: staying admitted: exclusion, suspension, renewal, expiring documents, leaving.
"""


class DpsError(ValueError):
    """A rule stopped the change; the message is fit to show the user."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class NotAllowed(DpsError):
    pass
