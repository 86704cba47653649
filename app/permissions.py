"""Who may do what in the shell: the one place its permission rules live. Views call these;
services call them too. The features keep their own rules beside them (``lots.*.permissions``,
``notifications.permissions``), built on these.

A check returns a bool (``can_*``, ``is_*``) or raises Forbidden (``require_*``), which the error
handler turns into the GOV.UK 403 page (or a JSON 403). Nothing here touches a template.
"""

from functools import wraps

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from app.documents import access
from app.documents.models import DocumentPurpose, DocumentStatus
from app.extensions import db, login_manager
from app.organisations.models import Membership, Role

# --- People and organisations ------------------------------------------------------------------


def signed_in(user):
    return bool(user is not None and getattr(user, "is_authenticated", False))


def membership(user, organisation_id):
    if not signed_in(user):
        return None
    return db.session.execute(
        sa.select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation_id
        )
    ).scalar_one_or_none()


def is_admin(user):
    """A platform administrator (the DPS operator): the admin pages, the audit log, the jobs."""
    return signed_in(user) and bool(user.is_admin)


def is_member(user, organisation_id):
    return membership(user, organisation_id) is not None


def can_view_organisation(user, organisation_id):
    return is_admin(user) or is_member(user, organisation_id)


def can_manage_organisation(user, organisation_id):
    """Owners edit the profile, invite and remove colleagues, and hand over ownership."""
    m = membership(user, organisation_id)
    return m is not None and m.role == Role.OWNER


def can_create_organisation(user):
    """Anyone signed in may register an organisation, and becomes its owner."""
    return signed_in(user)


def can_accept_invitation(user, invitation):
    """Only the person the invitation was sent to: signed in with the invited email address."""
    return signed_in(user) and user.email == (invitation.email or "").strip().lower()


# --- Documents ---------------------------------------------------------------------------------

# What the operator reads of a supplier's documents, to decide its applications.
ADMIN_READABLE_DOCUMENTS = frozenset(
    {
        DocumentPurpose.SELECTION_EVIDENCE,
        DocumentPurpose.INSURANCE_CERTIFICATE,
        DocumentPurpose.ACCOUNTS,
        DocumentPurpose.POLICY,
        DocumentPurpose.AWARD_LETTER,
    }
)


def can_upload_document(user, organisation_id):
    """Into an organisation's library: its members."""
    return is_member(user, organisation_id)


def can_read_document(user, document):
    """Members of the owner organisation; administrators, for what the operator decides on; and
    whoever a feature's rule lets in (``app.documents.access.register_reader``: a buyer reads bid
    attachments after the deadline, invited suppliers read tender documents). Nobody signed out,
    and nobody at all once it is deleted. Every download goes through here."""
    if document is None or document.status == DocumentStatus.DELETED or not signed_in(user):
        return False
    if is_member(user, document.owner_organisation_id):
        return True
    if is_admin(user) and document.purpose in ADMIN_READABLE_DOCUMENTS:
        return True
    return access.a_reader_rule_allows(user, document)


def can_manage_document(user, document):
    """Delete or replace: members of the owner organisation."""
    return (
        document is not None
        and document.status != DocumentStatus.DELETED
        and is_member(user, document.owner_organisation_id)
    )


# --- Raising -----------------------------------------------------------------------------------


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
            return login_manager.unauthorized()
        require(is_admin(current_user))
        return view(*args, **kwargs)

    return wrapper
