"""`flask records ...`: expiring call-offs' records when their retention period is over.
`flask social-value rebuild-figures`: the figures social value reports read, from the records."""

from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from lots.awards import figures, retention

records_cli = AppGroup("records", help="Records retention.")
social_value_cli = AppGroup("social-value", help="Social value delivered.")


@social_value_cli.command("rebuild-figures")
def rebuild_figures():
    """Store every commitment's figures (what its delivery records come to) from its records,
    each buyer's sums of them and its numbers of accepted returns: after upgrading to the
    release that keeps them, or as a repair. Safe to run again."""
    figures.rebuild_all()
    wrong = figures.differences()
    sums = figures.sum_differences()
    counts = figures.return_count_differences()
    coverage = figures.coverage_differences()
    click.echo(
        f"Figures rebuilt; {len(wrong)} commitment(s) disagree with their records, "
        f"{len(sums)} sum(s) with the figures, {len(counts)} count(s) of accepted returns "
        f"with the returns, {len(coverage)} coverage row(s) with the commitments."
    )


@records_cli.command("expire")
@click.option("--dry-run", is_flag=True, help="Say what would be done; change nothing.")
@click.option(
    "--on",
    "on",
    default=None,
    metavar="YYYY-MM-DD",
    help="Run as if today were this date (default: today in the DPS's timezone).",
)
def expire(dry_run, on):
    """Erase the personal data in the records of call-offs kept for RECORDS_RETENTION_YEARS
    after their contract ended (or they closed without award), and delete the documents of
    their unsuccessful bids. Safe to run again: each call-off is done once."""
    try:
        day = date.fromisoformat(on) if on else None
    except ValueError as exc:
        raise click.BadParameter(
            "Give the date as YYYY-MM-DD, like 2029-12-24", param_hint="--on"
        ) from exc
    years = current_app.config["RECORDS_RETENTION_YEARS"]
    if dry_run:
        expiries = retention.due(day)
        click.echo(f"Dry run: nothing is changed. Records are kept {years} years.")
    else:
        expiries = retention.expire_records(day)
    for expiry in expiries:
        click.echo(("Would expire " if dry_run else "Expired ") + expiry.describe())
    n = len(expiries)
    click.echo(
        f"{n} call-off{'' if n == 1 else 's'} "
        + ("would have " if dry_run else "had ")
        + "their records expired."
    )
