"""The features' ways into documents. Who may read a document is decided in
``app.permissions.can_read_document``: members of the owner organisation, administrators for what
the operator decides on, and then the rules registered here by the features, per purpose (a buyer
reads bid attachments only after the deadline; assigned evaluators; invited suppliers read tender
documents). The shell cannot name those rules itself: they belong to packages above it.
"""

from collections import defaultdict

from app.documents.models import DocumentPurpose

_readers = defaultdict(list)


def register_reader(purpose, rule):
    """``rule(user, document) -> bool``: another way someone signed in may read documents of a
    purpose (never a deleted one)."""
    rules = _readers[DocumentPurpose(purpose)]
    if rule not in rules:  # every app built in one process registers it again
        rules.append(rule)


def a_reader_rule_allows(user, document):
    return any(rule(user, document) for rule in _readers[document.purpose])
