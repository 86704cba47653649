"""`flask dps ...`: the DPS's daily run and loading the standard questionnaire."""

from datetime import date

import click
from flask.cli import AppGroup

from app.unitofwork import commit
from dps.services import expiry, renewals
from dps.services.setup import ensure_default_questionnaire

dps_cli = AppGroup("dps", help="The dynamic purchasing system.")


def _count(n, noun):
    return f"{n} {noun}{'' if n == 1 else 's'}"


@dps_cli.command("daily")
@click.option(
    "--on",
    "on",
    default=None,
    metavar="YYYY-MM-DD",
    help="Run as if today were this date (default: today in the DPS's timezone).",
)
def daily(on):
    """Remind and suspend: renewals of the self-declaration, then documents that expire.

    Safe to run more than once a day: each reminder and suspension happens once."""
    try:
        day = date.fromisoformat(on) if on else None
    except ValueError as exc:
        raise click.BadParameter(
            "Give the date as YYYY-MM-DD, like 2026-12-24", param_hint="--on"
        ) from exc
    renewed = renewals.process_renewals(day)
    documents = expiry.process_document_expiry(day)
    click.echo(
        f"Renewals: {renewed['reminded']} reminded, {renewed['lapsed']} lapsed "
        "(suspended from new call-offs)."
    )
    click.echo(
        f"Documents: {_count(documents['reminders'], 'expiry reminder')}, "
        f"{_count(documents['suspended'], 'suspension')} for expired certificates."
    )


@dps_cli.command("load-questionnaire")
def load_questionnaire():
    """Store the standard selection questionnaire, if it is not stored already."""
    questionnaire = ensure_default_questionnaire()
    commit()
    click.echo(f"Questionnaire ‘{questionnaire.name}’ version {questionnaire.version} is loaded.")
