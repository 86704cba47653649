"""Where the money goes: spend analysis. Spend lines from the contracts awarded through the DPS
and from buyers' own spend files, their suppliers matched to organisations and classified (VCSE,
SME, local, deprivation of their neighbourhood), and the reports of buyers and the operator.

Sits above what it reads: ``lots`` (contracts), ``dps`` (who counts as a VCSE, name matching)
and the shell.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent


def init_app(app):
    """Add the spend pages, templates, the contract hook, the command, the recoverers and the
    watch on the facts behind a classification."""
    # Imported here, when the app is built, so that importing the models never loads the views.
    from app import recovery
    from app.templating import add_template_folder
    from lots.awards.hooks import on_contract_entered
    from spend import kinds, services, summaries
    from spend.cli import spend_cli
    from spend.views import bp

    add_template_folder(app, HERE / "templates")
    app.register_blueprint(bp)
    app.cli.add_command(spend_cli)
    on_contract_entered(services.add_contract_spend)
    recovery.add(
        app,
        recovery.Recoverer(
            "spend-imports", services.recover_imports, "spend files queued but not imported"
        ),
        recovery.Recoverer(
            "spend-class-sums",
            summaries.recover_class_sums,
            "spend sums by kind of supplier built before a supplier's facts changed",
        ),
    )
    kinds.watch(summaries.rebuild_stale)
