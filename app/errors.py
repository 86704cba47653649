"""One family of errors for the rules of the service.

A service refuses a change by raising one of these, naming the field (or sub-field) the refusal is
about when there is one; ``app.web.refused`` turns it into a GOV.UK error summary on a page
(and ``app.web.refused_json`` into a JSON error body). Nobody finds out what went wrong by
reading a message's text.
"""


class ServiceError(ValueError):
    """A rule stopped the change; the message is fit to show the person who asked for it."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class NotAllowed(ServiceError):
    """The person may not do this (a 403 on a page)."""


class NotFound(ServiceError):
    """The thing asked about does not exist, or the person may not know that it does (a 404)."""


class Conflict(ServiceError):
    """The change clashes with the state of things (already done, changed by someone else)."""


class DeadlinePassed(NotAllowed):
    """The deadline for this has passed."""
