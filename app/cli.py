"""Flask CLI commands: create-admin, seed-demo, audit verify, outbox relay (the same as `flask jobs
recover`), worker."""

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
from app.schedule import schedule_cli


def init_app(app):
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(audit_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(worker)
    app.cli.add_command(schedule_cli)


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

    accounts = seed()
    click.echo(
        "Demo data is loaded. Sign in with any of these (password for all: "
        f"{accounts['password']}):"
    )
    width = max((len(email) for _, email in accounts["accounts"]), default=0)
    for role, email in accounts["accounts"]:
        click.echo(f"  {email:<{width}}  {role}")
    if accounts.get("alerts"):
        click.echo("Email alerts (read them at /dev/outbox; change them at /account/alerts):")
        width = max(len(email) for _, email in accounts["alerts"])
        for what, email in accounts["alerts"]:
            click.echo(f"  {email:<{width}}  {what}")


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
