"""A search is planned for its own words every time, on the primary and on a replica: never
with the one generic plan PostgreSQL may adopt for a prepared statement run many times (it
cannot know how common the words are; at 100,000 opportunities it made a common word twelve
times slower, see ``config.engine_options``)."""

import sqlalchemy as sa

from app.extensions import db
from app.replica import ENGINE, reads
from lots.search.queries import Filters, search
from tests.lots.helpers import NOW
from tests.lots.search.test_queries import _publish, world  # noqa: F401  (a fixture)


def test_a_search_run_many_times_on_one_connection_is_never_given_a_generic_plan(
    app,
    world,  # noqa: F811
):
    lots, buyer = world
    for title in ("Befriending for older people", "Meals and befriending", "Garden care"):
        _publish(lots[0], buyer, title, region_code="TLE")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_custom_plan"
        # Pages read out of order cost about what the next one does (``config.engine_options``).
        assert conn.exec_driver_sql("SHOW random_page_cost").scalar() == "1.1"
    db.session.commit()
    # psycopg prepares a text run five times; PostgreSQL may then go generic after five more.
    for word in ["befriending", "meals", "garden", "care"] * 5:
        results = search(Filters(q=word, region_code="TLE", sort="relevance"), now=NOW)
        assert results.total >= 1
    plans = (
        reads()
        .execute(  # on the connection the searches ran on
            sa.text(
                "SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0) "
                "FROM pg_prepared_statements WHERE statement LIKE '%search_vector%'"
            )
        )
        .one()
    )
    assert plans[1] > 0, "the search was prepared on the server (so the setting matters)"
    assert plans[0] == 0


def test_a_replica_is_reached_with_the_same_setting(app, make_app):
    replicated = make_app(DATABASE_REPLICA_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    engine = replicated.extensions[ENGINE]
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_custom_plan"
            assert conn.exec_driver_sql("SHOW random_page_cost").scalar() == "1.1"
    finally:
        engine.dispose()
