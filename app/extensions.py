"""The Flask extensions every part of the app shares, created unbound and bound in create_app()."""

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], strategy="moving-window")


@limiter.request_filter
def _reading():
    """Every limit the app sets is on a form's POST (signing in, emailed links, following a
    search): a GET or HEAD skips the limiter before it resolves the limits of the page, which
    was 55 µs of a search page's CPU against 38 for a page it exempts (``bench/RESULTS.md``,
    session 23). ``tests/app/test_security.py`` checks that no limit is set on them."""
    return request.method in ("GET", "HEAD")
