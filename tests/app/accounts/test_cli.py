"""`flask create-admin`: the only way a platform administrator is made."""

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from tests.app.accounts.helpers import path_of
from tests.conftest import Browserless
from tests.factories import make_user
from tests.reading import audit_events


def users():
    return db.session.execute(sa.select(User)).scalars().all()


def test_create_admin_makes_a_confirmed_administrator_who_can_sign_in(app, client):
    result = app.test_cli_runner().invoke(
        args=[
            "create-admin",
            "Ops@Example.org",
            "--name",
            "Olu Ops",
            "--password",
            "violet engine harbour",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "ops@example.org is now a platform administrator." in result.output

    [user] = users()
    assert (user.email, user.name, user.is_admin, user.is_confirmed) == (
        "ops@example.org",
        "Olu Ops",
        True,
        True,
    )
    assert user.password_hash.startswith("$argon2id$")
    [event] = audit_events("create_admin")
    assert event.subject_id == user.id
    assert event.detail["by"] == "cli"

    signed_in = Browserless(client).post(
        "/sign-in", {"email": "ops@example.org", "password": "violet engine harbour"}
    )
    assert path_of(signed_in.location) == "/organisations"
    assert client.get("/admin/audit").status_code == 200


def test_create_admin_refuses_a_weak_password_and_says_why(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "ops@example.org", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "Password must be 10 characters or more" in result.output
    assert users() == []


def test_create_admin_reads_the_password_from_the_environment(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "ops@example.org"], env={"ADMIN_PASSWORD": "violet engine harbour"}
    )
    assert result.exit_code == 0, result.output
    assert users()[0].is_admin


def test_create_admin_promotes_an_existing_account_without_changing_its_password(app):
    user = make_user("sam@example.org")
    before = user.password_hash
    result = app.test_cli_runner().invoke(args=["create-admin", "sam@example.org"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    [user] = users()
    assert user.is_admin
    assert user.password_hash == before
