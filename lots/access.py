"""Who else may read documents attached to opportunities: the suppliers invited to them.

The buyer's own members read its tender documents as the owner organisation; this adds every
member of an invited supplier. Registered once, when the lots views are imported.
"""
from app.documents.access import register_reader
from app.documents.models import DocumentPurpose
from lots import queries


def invited_supplier_may_read(user, document):
    if document.subject_type != queries.OPPORTUNITY_SUBJECT or document.subject_id is None:
        return False
    return queries.user_is_invited(user.id, document.subject_id)


register_reader(DocumentPurpose.TENDER_DOCUMENT, invited_supplier_may_read)
