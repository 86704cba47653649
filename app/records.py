"""What the privacy notice says is kept, why, and for how long.

Each package that keeps personal data describes what it keeps when the app is built (its
``init_app`` calls ``add``), from the same configuration and constants its own code applies: the
records retention of call-offs, for instance, is described by ``lots.awards.retention`` from
``RECORDS_RETENTION_YEARS`` and the lists of what its expiry erases. So the notice at /privacy
cannot say one thing while the code does another.
"""

from dataclasses import dataclass

from flask import current_app

# Lawful bases (UK GDPR Article 6(1)), in words a person reads on the privacy notice.
PUBLIC_TASK = "Public task (UK GDPR Article 6(1)(e))"
LEGAL_OBLIGATION = "Legal obligation (UK GDPR Article 6(1)(c))"
CONTRACT = "Contract (UK GDPR Article 6(1)(b))"
CONSENT = "Consent (UK GDPR Article 6(1)(a))"

# What the shell keeps has no automatic deletion yet: said as it is.
UNTIL_CLOSED = (
    "For as long as the account is open. Nothing here is deleted automatically yet: ask us to "
    "close an account and we erase what the law does not require us to keep."
)


@dataclass(frozen=True)
class Kept:
    """One kind of record: what it holds, the lawful basis and why, and for how long."""

    what: str
    basis: str
    why: str
    how_long: str


def add(app, *describers):
    """Register functions ``describe(config) -> Kept``, called when the notice is shown (so a
    setting changed for one app is read from that app)."""
    app.extensions.setdefault("records_kept", []).extend(describers)


def kept(app=None):
    """Every kind of record the app keeps, in the order the packages registered them."""
    app = app or current_app
    return [describe(app.config) for describe in app.extensions.get("records_kept", [])]


def _accounts(config):
    return Kept(
        what="Your account: your name, email address, password (only as a one-way hash), the "
        "organisations you belong to and your roles in them",
        basis=PUBLIC_TASK,
        why=f"To run {config['SERVICE_NAME']} and know who does what in it",
        how_long=UNTIL_CLOSED,
    )


def _security(config):
    return Kept(
        what="Sign-ins and the audit log: when you signed in and from which address (held as a "
        "keyed hash), and a tamper-evident record of every change you make",
        basis=PUBLIC_TASK,
        why="To keep the service secure and to be able to show who did what, and when "
        f"(wrong passwords from an address you used in the last {config['KNOWN_ADDRESS_DAYS']} "
        "days do not lock you out)",
        how_long="Events about a call-off are kept as that call-off's records (below). The rest "
        "for as long as the account is open: nothing here is deleted automatically yet.",
    )


def _emails(config):
    return Kept(
        what="Emails we send you: the address, the message and whether it was delivered",
        basis=PUBLIC_TASK,
        why="To tell you about what you asked for or what concerns you, and to show it was sent",
        how_long=UNTIL_CLOSED,
    )


def init_app(app):
    add(app, _accounts, _security, _emails)
