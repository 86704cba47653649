"""Who may choose and stop alerts. Built on the shell's rules (``app.permissions``)."""

from app.organisations.models import OrganisationKind
from app.permissions import is_member
from notifications.models import AlertKind


def may_choose_alerts(user, organisation):
    """Alert preferences are for the people of a supplier organisation, each their own."""
    return organisation.kind == OrganisationKind.SUPPLIER and is_member(user, organisation.id)


def may_stop_search(sub, email=None, user=None):
    """A saved search is stopped by whoever follows it: signed in as its owner (or with its
    address), or through a signed link for its address."""
    if sub.kind != AlertKind.SEARCH:
        return False
    return (email is not None and sub.email == email.lower()) or (
        user is not None and (sub.user_id == user.id or sub.email == user.email)
    )
