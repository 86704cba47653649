"""Who else may read the tender documents attached to an opportunity: the suppliers invited to it.

The buyer's own members read its tender documents as the owner organisation; this adds every
member of an invited supplier. Registered by ``lots.init_app``.
"""

from lots.opportunities import queries


def invited_supplier_may_read(user, document):
    if document.subject_type != queries.OPPORTUNITY_SUBJECT or document.subject_id is None:
        return False
    return queries.user_is_invited(user.id, document.subject_id)
