"""`flask dps ...`: the DPS's daily run and loading the standard questionnaire;
`flask debarment load FILE`: the debarment list."""

from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from app.unitofwork import commit
from dps.services import debarment, expiry, renewals
from dps.services.setup import ensure_default_questionnaire

dps_cli = AppGroup("dps", help="The dynamic purchasing system.")
debarment_cli = AppGroup("debarment", help="The debarment list.")


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


@debarment_cli.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
def load_debarment_list(file):
    """Replace the debarment list with FILE (CSV with a header line: supplier_name,
    company_number, charity_number, grounds, from_date, to_date), then check every member and
    applicant against it. Nothing is loaded if any row is wrong."""
    path = Path(file)
    try:
        result = debarment.load_list(None, path.read_bytes(), path.name, from_command_line=True)
    except debarment.DebarmentListError as exc:
        for message in exc.messages():
            click.echo(message, err=True)
        raise click.ClickException("Nothing was loaded: fix the file and try again") from None
    click.echo(
        f"Loaded {_count(result.rows, 'row')} from {path.name} "
        f"(replacing {_count(result.replaced, 'row')})."
    )
    for match in result.definite:
        click.echo(f"Debarred at once (definite match): {match.organisation.display_name}")
    for match in result.possible:
        click.echo(f"Waiting for your review (possible match): {match.organisation.display_name}")
