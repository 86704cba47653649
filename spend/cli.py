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


def _load(register, path):
    from spend import registers

    try:
        count = registers.load(register, path)
    except (registers.NotARegisterFile, UnicodeDecodeError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Loaded {count:,} organisation{'' if count == 1 else 's'} from {path}.")


@spend_cli.command("load-charities")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def load_charities_command(path):
    """Load the Charity Commission's register extract (publicextract.charity.txt, or its zip),
    replacing the charities loaded before."""
    _load("charity", path)


@spend_cli.command("load-companies")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def load_companies_command(path):
    """Load Companies House's basic company data (BasicCompanyData…csv, or its zip), replacing
    the companies loaded before."""
    _load("company", path)


@spend_cli.command("load-mutuals")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def load_mutuals_command(path):
    """Load the Mutuals Public Register's society list (SocietyList.csv), replacing the mutuals
    loaded before."""
    _load("mutual", path)


@spend_cli.command("rebuild-sums")
def rebuild_sums_command():
    """Rebuild the sums the reports read (by supplier and by kind of supplier) from every buyer's
    spend lines (a repair: the services keep them in step with the lines)."""
    from app.extensions import db
    from spend import summaries

    summaries.rebuild_all()
    db.session.commit()
    click.echo("The spend sums agree with the lines.")


@spend_cli.command("rebuild-kinds")
def rebuild_kinds_command():
    """Build again the sums by kind of supplier of every buyer whose are out of date (safe to
    run again; the recoverer does it every minute)."""
    from spend.summaries import rebuild_stale

    done = rebuild_stale()
    click.echo(f"Built the sums of {done} buyer{'' if done == 1 else 's'}.")
