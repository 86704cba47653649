"""Who may read a document. The one place this is decided; every download goes through it.

Members of the owner organisation may read its documents; administrators may read what the
operator needs to decide applications. Features register further readers per purpose (a buyer
reads bid attachments only after the deadline; assigned evaluators; invited suppliers read
tender documents) with ``register_reader``.
"""

from collections import defaultdict

from app.documents.models import DocumentPurpose, DocumentStatus
from app.permissions import is_admin, membership

ADMIN_READABLE = {
    DocumentPurpose.SELECTION_EVIDENCE,
    DocumentPurpose.INSURANCE_CERTIFICATE,
    DocumentPurpose.ACCOUNTS,
    DocumentPurpose.POLICY,
    DocumentPurpose.AWARD_LETTER,
}

_readers = defaultdict(list)


def register_reader(purpose, rule):
    """``rule(user, document) -> bool``: another way someone may read documents of a purpose."""
    rules = _readers[DocumentPurpose(purpose)]
    if rule not in rules:  # every app built in one process registers it again
        rules.append(rule)


def can_read(user, document):
    if document is None or document.status == DocumentStatus.DELETED:
        return False
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if membership(user, document.owner_organisation_id) is not None:
        return True
    if is_admin(user) and document.purpose in ADMIN_READABLE:
        return True
    return any(rule(user, document) for rule in _readers[document.purpose])


def can_manage(user, document):
    """Delete or replace: members of the owner organisation."""
    return (
        document is not None
        and document.status != DocumentStatus.DELETED
        and membership(user, document.owner_organisation_id) is not None
    )
