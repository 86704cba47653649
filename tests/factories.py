"""Factory functions for tests: rows made through the services where a rule matters."""
from app.accounts.models import User
from app.accounts.passwords import hash_password
from app.extensions import db
from app.timeutil import utcnow

PASSWORD = "correct horse battery"
_HASH = None


def make_user(email="sam@example.org", name="Sam Supplier", confirmed=True, admin=False,
              password=PASSWORD):
    global _HASH
    if password == PASSWORD:
        _HASH = _HASH or hash_password(PASSWORD)
        password_hash = _HASH
    else:
        password_hash = hash_password(password)
    user = User(email=email.lower(), name=name, password_hash=password_hash,
                email_confirmed_at=utcnow() if confirmed else None, is_admin=admin,
                password_changed_at=utcnow())
    db.session.add(user)
    db.session.commit()
    return user
