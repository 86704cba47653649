"""Accounts: registering, confirming, signing in, and passwords. Each function is one transaction."""

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts import passwords, sessions, tokens
from app.accounts.models import User
from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.outbox.services import queue_email
from app.timeutil import utcnow
from app.unitofwork import commit
from app.urls import absolute_url


def normalise_email(email):
    return (email or "").strip().lower()


def find_user(email):
    return db.session.execute(
        sa.select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def register(email, name, password, browser=None):
    """Create an unconfirmed account and email a confirmation link.

    ``browser`` is a random value the registering browser keeps in its session: the link carries
    a hash of it, so that it signs the person in only in that browser (see ``confirm_email``).

    If the address already has an account, nothing is created and that address is told instead,
    so the page the person sees is the same either way (no account enumeration)."""
    email = normalise_email(email)
    problem = passwords.password_problem(password, email)
    if problem:
        raise ServiceError(problem, "password")
    existing = find_user(email)
    if existing is not None:
        # Take as long as making an account does, so timing does not say the address is known.
        passwords.hash_password(password)
        queue_email(
            email,
            "account_exists",
            {
                "sign_in_url": absolute_url("accounts.sign_in"),
                "reset_url": absolute_url("accounts.forgot_password"),
            },
            idempotency_key=f"account_exists:{existing.id}:{utcnow():%Y%m%d%H}",
        )
        commit()
        return None
    user = User(
        email=email,
        name=name.strip(),
        password_hash=passwords.hash_password(password),
        password_changed_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    record(E.REGISTER_ACCOUNT, subject=user, actor=user)
    _queue_confirmation(user, browser=browser)
    commit()
    return user


def _queue_confirmation(user, attempt="0", browser=None):
    payload = {"u": user.id, "e": user.email}
    if browser:
        # Only the registration's own link can sign in: bound to the browser that registered and
        # to the password chosen there.
        payload["b"] = tokens.fingerprint(browser)
        payload["h"] = tokens.fingerprint(user.password_hash)
    token = tokens.make_token("confirm-email", payload)
    queue_email(
        user.email,
        "confirm_email",
        {
            "name": user.name,
            "confirm_url": absolute_url("accounts.confirm_email", token=token),
            "valid_days": current_app.config["CONFIRM_TOKEN_MAX_AGE"] // 86400,
        },
        idempotency_key=f"confirm_email:{user.id}:{attempt}",
    )


def resend_confirmation(email):
    """Send a fresh link to an unconfirmed account; do nothing visible otherwise."""
    user = find_user(email)
    if user is None or user.is_confirmed:
        return
    _queue_confirmation(user, attempt=f"{utcnow():%Y%m%d%H%M}")
    commit()


def confirm_email(token, browser=None, address=None):
    """Confirm the address the link was sent to, and sign the person in if the link may.

    Returns (user, signed_in). With ``signed_in`` this request's session has been replaced by a
    fresh one held on the server (as signing in does); the caller tells Flask-Login.

    The link confirms the address for CONFIRM_TOKEN_MAX_AGE, as often as it is followed. It signs
    in only when all of these hold, and otherwise the person signs in with their password:
    - it is the link sent on registering, opened in the browser that registered (``browser`` is the
      value that browser kept): someone who registers another person's address cannot have that
      person signed in to an account whose password they know;
    - it was made at most CONFIRM_SIGN_IN_MAX_AGE ago, and the password has not changed since;
    - nobody has ever signed in to the account: it signs in once, and not after any sign-in. One
      conditional UPDATE decides it, so two tabs following the link cannot both sign in.
    """
    payload, age = tokens.read_token_with_age(
        "confirm-email", token, current_app.config["CONFIRM_TOKEN_MAX_AGE"]
    )
    user = db.session.get(User, payload.get("u"))
    if user is None or user.email != payload.get("e"):
        raise tokens.InvalidToken()
    now = utcnow()
    if not user.is_confirmed:
        user.email_confirmed_at = now
        record(E.CONFIRM_EMAIL, subject=user, actor=user)
    signed_in = _may_sign_in_by_link(user, payload, age, browser) and _claim_first_sign_in(
        user, now
    )
    if signed_in:
        sessions.rotate()
        sessions.start(user, address)
        record(E.SIGN_IN, subject=user, actor=user, detail={"by": "confirmation_link"})
    commit()
    return user, signed_in


def _may_sign_in_by_link(user, payload, age, browser):
    return (
        bool(browser)
        and payload.get("b") == tokens.fingerprint(browser)
        and payload.get("h") == tokens.fingerprint(user.password_hash)
        and age.total_seconds() <= current_app.config["CONFIRM_SIGN_IN_MAX_AGE"]
        and user.last_signed_in_at is None
    )


def _claim_first_sign_in(user, now):
    """Mark the account signed in if nobody ever has; False if someone got there first."""
    claimed = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, User.last_signed_in_at.is_(None))
        .values(last_signed_in_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed:
        set_committed_value(user, "last_signed_in_at", now)
    return claimed == 1


def authenticate(email, password):
    """Return the user if the email and password match, else None. Audits both outcomes."""
    user = find_user(email)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok:
        record(
            E.SIGN_IN_FAILED,
            subject=user,
            actor=user,
            detail={"email": normalise_email(email)[:320]},
        )
        commit()
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return user


def mark_signed_in(user, address):
    """Start a session held on the server for ``user`` signing in from ``address``."""
    user.last_signed_in_at = utcnow()
    sessions.start(user, address)
    record(E.SIGN_IN, subject=user, actor=user)
    commit()


def mark_signed_out(user):
    """End this session on the server, so a copy of its cookie no longer signs anyone in."""
    sessions.end()
    record(E.SIGN_OUT, subject=user, actor=user)
    commit()


def request_password_reset(email):
    """Email a single-use reset link if the account exists. Says nothing either way."""
    user = find_user(email)
    if user is None:
        return
    token = tokens.make_token(
        "reset-password", {"u": user.id, "h": tokens.fingerprint(user.password_hash)}
    )
    queue_email(
        user.email,
        "reset_password",
        {
            "name": user.name,
            "reset_url": absolute_url("accounts.reset_password", token=token),
            "valid_minutes": current_app.config["RESET_TOKEN_MAX_AGE"] // 60,
        },
        idempotency_key=f"reset_password:{user.id}:{tokens.fingerprint(token)}",
    )
    record(E.REQUEST_PASSWORD_RESET, subject=user, actor=user)
    commit()


def user_for_reset_token(token):
    payload = tokens.read_token("reset-password", token, current_app.config["RESET_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload.get("u"))
    if user is None or tokens.fingerprint(user.password_hash) != payload.get("h"):
        raise tokens.InvalidToken()
    return user


def reset_password(token, new_password):
    user = user_for_reset_token(token)
    _set_password(user, new_password)
    # Following the emailed link proves the address.
    if not user.is_confirmed:
        user.email_confirmed_at = utcnow()
    record(E.RESET_PASSWORD, subject=user, actor=user)
    commit()
    return user


def change_password(user, current_password, new_password):
    if not passwords.verify_password(user.password_hash, current_password):
        raise ServiceError("Your current password is not correct", "current_password")
    _set_password(user, new_password)
    record(E.CHANGE_PASSWORD, subject=user, actor=user)
    queue_email(
        user.email,
        "password_changed",
        {"name": user.name, "reset_url": absolute_url("accounts.forgot_password")},
        idempotency_key=f"password_changed:{user.id}:{user.session_version}",
    )
    commit()
    return user


def _set_password(user, new_password):
    problem = passwords.password_problem(new_password, user.email)
    if problem:
        raise ServiceError(problem, "password")
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = utcnow()
    # Every other session signs out.
    user.session_version = (user.session_version or 1) + 1


def create_admin(email, name, password):
    """Made only by the CLI: a platform administrator (the DPS operator)."""
    email = normalise_email(email)
    user = find_user(email)
    if user is None:
        problem = passwords.password_problem(password, email)
        if problem:
            raise ServiceError(problem, "password")
        user = User(
            email=email,
            name=name,
            password_hash=passwords.hash_password(password),
            password_changed_at=utcnow(),
        )
        db.session.add(user)
    user.is_admin = True
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    db.session.flush()
    record(E.CREATE_ADMIN, subject=user, detail={"by": "cli"})
    commit()
    return user


def load_user(user_id):
    """Flask-Login's loader: the id carries the session version, so old sessions stop working."""
    try:
        uid, version = (int(part) for part in str(user_id).split(":"))
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or user.session_version != version or not sessions.is_live(uid):
        return None
    return user
