"""Demo data for `flask seed-demo`: every feature adds to it, so `make run` shows it working."""
import sqlalchemy as sa

from app.accounts.models import User
from app.accounts.passwords import hash_password
from app.extensions import db
from app.timeutil import utcnow

DEMO_PASSWORD = "demo password 2026"


def _user(email, name, admin=False):
    user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = User(email=email, name=name, password_hash=hash_password(DEMO_PASSWORD),
                    email_confirmed_at=utcnow(), password_changed_at=utcnow(), is_admin=admin)
        db.session.add(user)
        db.session.flush()
    return user


def seed():
    accounts = []
    admin = _user("admin@vcse-dps.example", "Ada Administrator", admin=True)
    accounts.append(("Platform administrator", admin.email))
    db.session.commit()
    return {"password": DEMO_PASSWORD, "accounts": accounts}
