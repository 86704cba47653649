"""The tests' kept engines (tests/speed.py): one test's connection serves the next, without
anything the first one changed in it."""

import psycopg
import sqlalchemy as sa

from app import pinging
from app.extensions import db
from tests import speed


def _backend_and_state(connection):
    return connection.execute(
        sa.text(
            "SELECT pg_backend_pid(), current_setting('enable_seqscan'), current_user, "
            "to_regclass('pg_temp.left_behind') IS NOT NULL, "
            "(SELECT count(*) FROM pg_listening_channels()), "
            "(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
            "AND pid = pg_backend_pid()), "
            "current_setting('plan_cache_mode'), current_setting('statement_timeout')"
        )
    ).one()


def test_the_next_test_gets_the_connection_back_without_what_this_one_left_in_it(make_app):
    with make_app().app_context(), db.engine.connect() as connection:
        pid, _, user, *_ = _backend_and_state(connection)
        for statement in (
            "SET enable_seqscan = off",
            "SET ROLE pg_read_all_data",
            "CREATE TEMPORARY TABLE left_behind (id int)",
            "LISTEN left_behind",
            "SELECT pg_advisory_lock(42)",
        ):
            connection.execute(sa.text(statement))
        connection.commit()
        assert tuple(_backend_and_state(connection)[1:6]) == (
            "off",
            "pg_read_all_data",
            True,
            1,
            1,
        )
    speed.next_test()  # as happens when the next test starts (tests/conftest.py)
    # The pool lends the connection given back last first.
    with make_app().app_context(), db.engine.connect() as connection:
        again, *state, plan_cache_mode, statement_timeout = _backend_and_state(connection)
    assert again == pid
    assert state == ["on", user, False, 0, 0]
    # What the app sets when it connects (config.engine_options) stays.
    assert plan_cache_mode == "force_custom_plan" and statement_timeout != "0"


def test_an_engine_a_test_listened_on_or_left_a_connection_out_of_is_not_kept(make_app):
    with make_app().app_context():
        listened = db.engine
        sa.event.listen(listened, "before_cursor_execute", lambda *args: None)
        db.session.remove()
        speed.release(listened)
    with make_app().app_context():
        kept = db.engine
        assert kept is not listened
        left_out = kept.connect()
        speed.release(kept)
        left_out.close()
    with make_app().app_context():
        fresh = db.engine
        assert fresh is not kept
        db.session.remove()
        speed.release(fresh)
    with make_app().app_context():
        assert db.engine is fresh  # nothing left behind: kept


def test_every_test_moves_the_kept_connections_on_whatever_its_fixtures(request):
    """Not only tests with the ``app`` fixture: a hook before every test (this one asks for no
    app at all) moves the count the reset is keyed by."""
    hooks = [
        impl.function
        for impl in request.config.hook.pytest_runtest_setup.get_hookimpls()
        if impl.function.__module__ == "tests.conftest"
    ]
    assert len(hooks) == 1
    before = speed._test[0]
    hooks[0](request.node)
    assert speed._test[0] == before + 1


def test_a_kept_connection_a_test_ended_is_replaced_when_the_next_test_reads_untested(make_app):
    """A search's read is lent untested (app.pinging): the reset the next test makes first then
    finds the connection ended (as a test that replaces its database ends them), and the pool
    lends a new one instead of failing the read."""
    app = make_app()
    with app.app_context(), db.engine.connect() as connection:
        pid = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as admin:  # not the pool's: it ends the one kept
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    speed.next_test()
    with make_app().app_context(), pinging.untested(), db.engine.connect() as connection:
        again = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
    assert again != pid
