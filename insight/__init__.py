"""Social value that counts, read across contracts: the public page of each place (promised and
delivered per shared priority measure, by buyer and by quarter), where the benefit landed (the
share in the most deprived neighbourhoods), and the dashboards of buyers, suppliers and the
operator, each chart with its figures in a table and as CSV; and the community wish list's pages
(``insight.wish_views``).

Sits above what it reads: ``lots.awards`` (contracts, commitments, accepted returns),
``app.places`` and the shell's reference data. Nothing below imports it."""

from pathlib import Path

HERE = Path(__file__).resolve().parent


def init_app(app):
    from app.templating import add_template_folder
    from insight.views import bp
    from insight.wish_views import bp as wishes_bp

    add_template_folder(app, HERE / "templates")
    app.register_blueprint(bp)
    app.register_blueprint(wishes_bp)
