"""`flask spend ...`: the operator's commands for spend analysis."""

import click
from flask.cli import AppGroup

spend_cli = AppGroup("spend", help="Spend analysis.")


@spend_cli.command("sync-contracts")
def sync_contracts_command():
    """Add the spend of every contract that has none yet (safe to run again)."""
    from spend.services import sync_contract_spend

    added = sync_contract_spend()
    click.echo(f"Added the spend of {added} contract{'' if added == 1 else 's'}.")
