"""`flask dps ...`: the DPS's daily run, loading the standard questionnaire and a new living wage
rate;
`flask debarment load FILE`: the debarment list."""

from datetime import date
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.accounts.models import User
from app.errors import ServiceError
from app.extensions import db
from app.unitofwork import commit
from dps.permissions import may_operate
from dps.services import (
    condition_answers,
    condition_flags,
    debarment,
    expiry,
    renewals,
    wage_rates,
)
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
    wages = condition_flags.check_wages(day)
    click.echo(
        f"Renewals: {renewed['reminded']} reminded, {renewed['lapsed']} lapsed "
        "(suspended from new call-offs)."
    )
    click.echo(
        f"Documents: {_count(documents['reminders'], 'expiry reminder')}, "
        f"{_count(documents['suspended'], 'suspension')} for expired certificates."
    )
    click.echo(f"Living wage: {_count(wages['flagged'], 'supplier')} flagged below a new rate.")


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


def _day(value, option):
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise click.BadParameter("Give the date as YYYY-MM-DD", param_hint=option) from None


@dps_cli.command("load-wage-rate")
@click.option("--year", "rate_year", required=True, help="The year the rate is for: 2026-27.")
@click.option("--announced", required=True, metavar="YYYY-MM-DD", help="When it was announced.")
@click.option("--pay-by", required=True, metavar="YYYY-MM-DD", help="When employers must pay it.")
@click.option("--uk", required=True, help="The Real Living Wage (UK), in pounds: 14.10.")
@click.option("--london", required=True, help="The London Living Wage, in pounds: 15.50.")
@click.option("--by", "by", required=True, metavar="EMAIL", help="The administrator loading it.")
def load_wage_rate(rate_year, announced, pay_by, uk, london, by):
    """Load a newly announced living wage rate, as the page /admin/living-wage-rates does: every
    supplier holding a lot with a living wage condition is emailed the rate and the date by which
    it must pay it."""
    admin = db.session.execute(
        sa.select(User).where(sa.func.lower(User.email) == by.strip().lower())
    ).scalar_one_or_none()
    if admin is None or not may_operate(admin):
        raise click.ClickException(f"{by} is not an administrator")
    try:
        row = wage_rates.load_rate(
            admin,
            rate_year=rate_year,
            announced_on=_day(announced, "--announced"),
            pay_by=_day(pay_by, "--pay-by"),
            uk_pence=condition_answers.parse_pence(uk),
            london_pence=condition_answers.parse_pence(london),
        )
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Loaded the {row.rate_year} rate, to be paid by {row.pay_by.isoformat()}. Every "
        "supplier holding a lot with a living wage condition has been emailed."
    )
