"""The migrations are the only way the schema is made: they must match the models exactly."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.dbschema import include_object
from app.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"compare_type": True, "render_as_batch": True, "include_object": include_object},
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models differ from migrations; run `flask db migrate`: {diff}"


def test_migrations_build_every_table(app):
    names = set(sa.inspect(db.engine).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= names
    assert "alembic_version" in names


def test_check_constraint_holds_organisation_kind(app):
    """The database, not only the form, refuses a supplier with a buyer type."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError, match="ck_organisations_kind_matches_type"):
        db.session.execute(
            sa.text(
                "INSERT INTO organisations (kind, name, buyer_type, created_at) "
                "VALUES ('supplier', 'X', 'nhs_body', now())"
            )
        )
    db.session.rollback()
