"""Who may do what in the DPS: the one place its rules about people live.

Two kinds of people act here. The DPS operator (a platform administrator) sets up a DPS and its
lots, works the admission queue, reviews and decides applications, and manages suppliers'
standing; it may read a supplier's applications and lots but not change them. A member of a
supplier organisation acts for it: applies, answers the operator's questions, renews its
declaration and leaves lots.

Services call the ``require_*`` guards, which raise ``app.errors.NotAllowed``; views call the
``may_*`` questions only to decide what to show (a link, a button, a 404 for what a person may not
know exists), and ``operator_page`` guards the operator's pages.
"""

from app.errors import NotAllowed, ServiceError
from app.permissions import admin_required, can_view_organisation, is_admin, is_member

# --- The operator ---------------------------------------------------------------------------------


def may_operate(user):
    """Set up a DPS, work the admission queue, review and decide applications, and manage
    suppliers' standing: the DPS operator."""
    return is_admin(user)


def require_operator(user, message="Only the DPS operator can do this"):
    if not may_operate(user):
        raise NotAllowed(message)


def operator_page(view):
    """A page of the operator's: signed-out people are sent to sign in, anyone else gets a 403."""
    return admin_required(view)


# --- A supplier organisation ----------------------------------------------------------------------


def may_act_for(user, organisation_id):
    """Apply, change a draft, answer the operator's questions, renew the declaration and leave
    lots for an organisation: its members (the operator reads, but does not change)."""
    return is_member(user, organisation_id)


def require_acting_for(user, organisation_id):
    if not may_act_for(user, organisation_id):
        raise NotAllowed("You are not a member of this organisation")


def may_see_for(user, organisation_id):
    """An organisation's applications, lots and renewal requests: its members and the operator.
    Anyone else is told they do not exist."""
    return can_view_organisation(user, organisation_id)


def may_apply_for(user, organisation):
    """Apply to join a DPS for an organisation: a member of a supplier organisation."""
    return organisation.is_supplier and may_act_for(user, organisation.id)


def require_applying_for(user, organisation):
    require_acting_for(user, organisation.id)
    if not organisation.is_supplier:
        raise ServiceError("Only supplier organisations can apply to join a DPS")


# --- An application -------------------------------------------------------------------------------


def may_see_application(user, application):
    return may_see_for(user, application.organisation_id)


def may_change_application(user, application):
    return may_act_for(user, application.organisation_id)
