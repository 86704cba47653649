"""Names and titles refuse hidden formatting characters (issue 15, item 11): a right-to-left
override or a zero-width space would let a name show backwards or let "Acme" and "Ac\u200bme"
differ unseen. One place (app.forms.Checked) applies it to every field whose name ends in
``name`` or ``title``, in every form, so every form must be one of the app's."""

import importlib
import pkgutil

import pytest
import sqlalchemy as sa
import wtforms

from app.accounts.models import User
from app.extensions import db
from app.forms import Form, SubForm
from tests.app.accounts.helpers import fresh_client
from tests.conftest import Browserless
from tests.pages import soup, text

HIDDEN = {
    "right-to-left override": "\u202e",
    "right-to-left mark": "\u200f",
    "first strong isolate": "\u2068",
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "byte order mark": "\ufeff",
}


def register(client, name, email="nia@example.org"):
    return Browserless(client).post(
        "/register", {"name": name, "email": email, "password": "tangerine walrus 26"}
    )


@pytest.mark.parametrize("character", HIDDEN.values(), ids=HIDDEN.keys())
def test_a_name_with_a_hidden_character_is_refused_and_kept_to_correct(app, character):
    page = register(fresh_client(app), f"Nia{character} New")
    assert page.status_code == 200
    summary = text(soup(page).select_one(".govuk-error-summary"))
    assert "must not include hidden formatting characters" in summary
    assert db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar_one() == 0


def test_ordinary_names_in_any_script_are_taken(app):
    names = ["Siobhán Ní Bhriain", "Zoë O'Neil-Smith", "محمد علي", "李小龍"]
    for i, name in enumerate(names):
        response = register(fresh_client(app), name, email=f"person{i}@example.org")
        assert response.status_code == 302, name
    assert set(db.session.execute(sa.select(User.name)).scalars()) == set(names)


def _import_all(package):
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        importlib.import_module(info.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_in_the_app_is_checked():
    """Every WTForms form the packages define derives from app.forms.Form or SubForm, so its
    names and titles (and its choices) are checked; a form made some other way would not be."""
    for package in ("app", "dps", "lots", "notifications"):
        _import_all(package)
    ours = [
        cls
        for cls in _subclasses(wtforms.Form)
        if cls.__module__.split(".")[0] in ("app", "dps", "lots", "notifications")
    ]
    assert len(ours) > 40
    unchecked = [
        f"{cls.__module__}.{cls.__name__}" for cls in ours if not issubclass(cls, (Form, SubForm))
    ]
    assert unchecked == []
