"""Flask CLI commands: create-admin, seed-demo, demo close-call-off, audit verify, outbox relay (the
same as `flask jobs recover`), worker, reference load-postcodes."""

import getpass
import os
import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from app.accounts.services import create_admin as make_admin
from app.accounts.services import find_user
from app.audit.services import verify_chain
from app.errors import ServiceError
from app.queue import AppWorker, redis_connection
from app.recovery import echo_recovery
from app.reference import postcodes
from app.schedule import schedule_cli
from app.timeutil import format_datetime


def init_app(app):
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(demo_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(worker)
    app.cli.add_command(schedule_cli)
    app.cli.add_command(reference_cli)


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="Platform administrator", help="The administrator's name.")
@click.option(
    "--password",
    envvar="ADMIN_PASSWORD",
    default=None,
    help="Read from ADMIN_PASSWORD, or asked for when not given.",
)
def create_admin(email, name, password):
    """Make EMAIL a platform administrator (creating the account if needed)."""
    if password is None and find_user(email) is None:
        if not sys.stdin.isatty():
            raise click.UsageError("Give --password or set ADMIN_PASSWORD.")
        password = getpass.getpass("Password for the new administrator: ")
    try:
        user = make_admin(email, name, password or "")
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{user.email} is now a platform administrator.")


@click.command("seed-demo")
def seed_demo():
    """Load believable demo data. Safe to run again: it adds only what is missing."""
    # The demo seeds every feature package: loaded only when someone asks for it.
    from app.demo import seed

    loaded = seed()
    click.echo(
        "Demo data is loaded. Sign in as any of these people (password for all: "
        f"{loaded['password']}):"
    )
    heading = ("Email", "Name", "Organisation", "What to try")
    click.echo(table([heading, *(tuple(account) for account in loaded["accounts"])]))
    call_off = loaded.get("to_score")
    if call_off is not None:
        click.echo(
            f"Ready to score: {call_off.title} ({call_off.reference}), its deadline passed and "
            f"its bids opened. Sign in as {loaded['evaluator']} and choose it under Closed."
        )
    click.echo(
        "To see what happens after a deadline without waiting: flask demo close-call-off "
        "REFERENCE (flask demo close-call-off --list shows the open ones)."
    )
    click.echo(
        "The JSON API: /api/v1 (documentation at /api, linked from every page's footer). An "
        "owner of a buyer organisation makes API tokens for its own systems on the "
        "organisation's page."
    )
    if loaded.get("alerts"):
        click.echo("Email alerts (read them at /dev/outbox; change them at /account/alerts):")
        width = max(len(email) for _, email in loaded["alerts"])
        for what, email in loaded["alerts"]:
            click.echo(f"  {email:<{width}}  {what}")


def table(rows):
    """Rows of text as columns, each as wide as its widest cell; the first row a heading."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows
    ]
    lines.insert(1, "  " + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


demo_cli = AppGroup("demo", help="The demo's own tools (development only).")


@demo_cli.command("close-call-off")
@click.argument("reference", required=False)
@click.option("--list", "list_open", is_flag=True, help="List the call-offs open for bids.")
def demo_close_call_off(reference, list_open):
    """DEMO ONLY: move the deadline for bids of the open call-off REFERENCE (or its id) to now,
    so you can see what happens after a deadline. Audited; refused unless APP_ENV is
    development."""
    from app.demo import close_call_off, open_call_offs

    if list_open or not reference:
        open_now = open_call_offs()
        if not open_now:
            click.echo("No call-off is open for bids.")
        else:
            click.echo(
                table(
                    [
                        ("Reference", "Deadline for bids", "Title"),
                        *(
                            (o.reference, format_datetime(o.submission_deadline), o.title)
                            for o in open_now
                        ),
                    ]
                )
            )
        if not reference and not list_open:
            raise click.UsageError("Give the reference (or id) of the call-off to close.")
        return
    try:
        opportunity, before = close_call_off(reference)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"{opportunity.reference} ({opportunity.title}) closed: its deadline for bids was "
        f"{format_datetime(before)} and is now {format_datetime(opportunity.submission_deadline)}. "
        "The buyer can open the bids from the call-off's Evaluation page."
    )


audit_cli = AppGroup("audit", help="The audit log.")


@audit_cli.command("verify")
def audit_verify():
    """Check the audit log's hash chain and report the first broken link."""
    checked, broken, reason = verify_chain()
    if broken is None:
        click.echo(f"OK: {checked} audit events, chain intact.")
        return
    click.echo(
        f"BROKEN at audit event {broken.id} ({broken.event_type}, "
        f"{broken.occurred_at.isoformat()}): {reason}. {checked} events before it are intact.",
        err=True,
    )
    sys.exit(1)


outbox_cli = AppGroup("outbox", help="The email outbox.")


@outbox_cli.command("relay")
def outbox_relay():
    """The same as `flask jobs recover`: queue again every kind of pending work, emails included."""
    echo_recovery()


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then stop.")
@click.option("--queue", "queues", multiple=True, help="Queue names (default: the configured one).")
@with_appcontext
def worker(burst, queues):
    """Run an RQ worker inside the app context."""
    names = list(queues) or [current_app.config["QUEUE_NAME"]]
    conn = redis_connection()
    w = AppWorker(names, connection=conn)
    click.echo(f"Worker {os.getpid()} listening on {', '.join(names)}")
    w.work(burst=burst, with_scheduler=True)


reference_cli = AppGroup("reference", help="Reference data the service reads.")


@reference_cli.command("load-postcodes")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def load_postcodes(path):
    """Load the ONS postcode directory (NSPL) from its CSV or the zip it comes in, replacing any
    loaded before: spend analysis then places every UK postcode by full postcode."""
    try:
        loaded = postcodes.load(path)
    except (postcodes.NotAPostcodeFile, UnicodeDecodeError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Loaded {loaded.postcodes:,} postcodes ({loaded.with_decile:,} with a deprivation decile)."
    )
