"""Who may manage API tokens: the owners of a buyer organisation, and nobody else (members,
suppliers and administrators included). The one place this rule lives."""

from app.errors import NotAllowed
from app.organisations.models import Organisation, OrganisationKind, Role
from app.permissions import membership


def may_manage_tokens(user, organisation):
    m = membership(user, organisation.id)
    return (
        isinstance(organisation, Organisation)
        and organisation.kind == OrganisationKind.BUYER
        and m is not None
        and m.role == Role.OWNER
    )


def require_token_manager(user, organisation):
    if not may_manage_tokens(user, organisation):
        raise NotAllowed("Only an owner of a buyer organisation can manage its API tokens")


def token_may_act(token):
    """A token works only while the person who made it is still an owner of its organisation."""
    m = membership(token.created_by, token.organisation_id)
    return m is not None and m.role == Role.OWNER
