"""Who may do what: the one place permission checks live. Views call these; services call them too.

A check returns a bool (``can_*``) or raises Forbidden (``require_*``), which the error handler
turns into the GOV.UK 403 page (or a JSON 403). Nothing here touches a template.
"""

from functools import wraps

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from app.extensions import db
from app.organisations.models import Membership, Role


def membership(user, organisation_id):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.execute(
        sa.select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation_id
        )
    ).scalar_one_or_none()


def is_admin(user):
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_admin)


def can_view_organisation(user, organisation_id):
    return is_admin(user) or membership(user, organisation_id) is not None


def can_manage_organisation(user, organisation_id):
    """Owners edit the profile, invite and remove colleagues, and hand over ownership."""
    m = membership(user, organisation_id)
    return m is not None and m.role == Role.OWNER


def is_member(user, organisation_id):
    return membership(user, organisation_id) is not None


def can_create_organisation(user):
    """Anyone signed in may register an organisation, and becomes its owner."""
    return bool(user is not None and getattr(user, "is_authenticated", False))


def can_accept_invitation(user, invitation):
    """Only the person the invitation was sent to: signed in with the invited email address."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.email == (invitation.email or "").strip().lower()
    )


def require(condition):
    if not condition:
        abort(403)


def require_view_organisation(user, organisation_id):
    require(can_view_organisation(user, organisation_id))


def require_manage_organisation(user, organisation_id):
    require(can_manage_organisation(user, organisation_id))


def admin_required(view):
    """A page for platform administrators only: signed-out people are sent to sign in."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            from app.extensions import login_manager

            return login_manager.unauthorized()
        require(is_admin(current_user))
        return view(*args, **kwargs)

    return wrapper
