"""How the organisation services hold their transaction: a refusal leaves nothing behind, and a
change to an organisation's people locks the organisation's row first, so two owners acting at
once are checked one after the other."""

import functools

import sqlalchemy as sa

from app.errors import NotFound
from app.extensions import db
from app.organisations.models import Organisation


def one_transaction(service):
    """A refusal (a broken rule, a 403) leaves nothing behind: the transaction is rolled back,
    which also releases any row lock the service took."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except Exception:
            db.session.rollback()
            raise

    return wrapper


def locked_organisation(organisation_id):
    """The organisation, locked for this transaction, so two owners changing members at once
    cannot both pass the "keeps an owner" check."""
    organisation = db.session.execute(
        sa.select(Organisation)
        .where(Organisation.id == organisation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if organisation is None:
        raise NotFound("This organisation no longer exists")
    return organisation


def reloaded(model, row_id):
    """The row as it is now (another transaction may have changed it), or None."""
    return db.session.execute(
        sa.select(model).where(model.id == row_id).execution_options(populate_existing=True)
    ).scalar_one_or_none()
