"""API tokens: made by an owner of a buyer organisation with chosen scopes, shown once, revoked.

A token is ``vcse_`` followed by 43 characters from ``secrets`` (256 bits). The database keeps its
SHA-256 (unique, to look it up by) and its first characters (to tell tokens apart), never the
token: a leaked database gives no working token. A fast hash is right here, unlike for passwords:
the secret is random and long, so there is nothing to guess.
"""

import hashlib
import secrets

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import NotFound, ServiceError
from app.extensions import db
from app.timeutil import utcnow
from app.unitofwork import commit
from publishing.api.models import ApiToken, Scope
from publishing.api.permissions import require_token_manager, token_may_act

TOKEN_PREFIX = "vcse_"
SHOWN_CHARS = 12  # of the token, kept to tell tokens apart ("vcse_Ab3dE6g…")
NAME_MAX = 100


def digest(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user, organisation, name, scopes):
    """Make a token; returns (ApiToken, the token itself), which is shown once and never again."""
    require_token_manager(user, organisation)
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError("Enter a name for the token, like ‘Our tendering system’", "name")
    if len(name) > NAME_MAX:
        raise ServiceError(f"The name must be {NAME_MAX} characters or fewer", "name")
    try:
        chosen = sorted({Scope(s) for s in scopes or []}, key=list(Scope).index)
    except ValueError:
        raise ServiceError("Select what the token may do", "scopes")
    if not chosen:
        raise ServiceError("Select at least one thing the token may do", "scopes")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        organisation_id=organisation.id,
        created_by_id=user.id,
        name=name,
        scopes=[s.value for s in chosen],
        prefix=secret[:SHOWN_CHARS],
        secret_hash=digest(secret),
    )
    db.session.add(token)
    db.session.flush()
    record(
        E.CREATE_API_TOKEN,
        subject=token,
        actor=user,
        organisation=organisation,
        detail={"name": name, "scopes": token.scopes, "prefix": token.prefix},
    )
    commit()
    return token, secret


def revoke_token(user, token):
    organisation = token.organisation
    require_token_manager(user, organisation)
    if token.is_revoked:
        raise ServiceError("This token has already been revoked")
    token.revoked_at, token.revoked_by_id = utcnow(), user.id
    record(
        E.REVOKE_API_TOKEN,
        subject=token,
        actor=user,
        organisation=organisation,
        detail={"name": token.name, "prefix": token.prefix},
    )
    commit()


def tokens_of(organisation_id):
    """The organisation's tokens, working ones first, newest first."""
    return (
        db.session.execute(
            sa.select(ApiToken)
            .where(ApiToken.organisation_id == organisation_id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
        )
        .scalars()
        .all()
    )


def token_of(organisation_id, token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.organisation_id != organisation_id:
        raise NotFound("No such token")
    return token


def authenticate(secret):
    """The working token whose secret this is, or None (unknown, revoked, or its maker is no
    longer an owner of the organisation)."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.execute(
        sa.select(ApiToken).where(ApiToken.secret_hash == digest(secret))
    ).scalar_one_or_none()
    if token is None or token.is_revoked or not token_may_act(token):
        return None
    return token


def record_use(token, method, path, status):
    """Every request made with a token is in the audit log, with what it asked and the answer."""
    token.last_used_at = utcnow()
    record(
        E.USE_API_TOKEN,
        subject=token,
        actor=token.created_by,
        organisation_id=token.organisation_id,
        detail={"method": method, "path": path, "status": status, "prefix": token.prefix},
    )
    commit()
