"""The rows of a SQLAlchemy Core SELECT, read on the pooled connection's own psycopg connection.

For a new search, SQLAlchemy's execution (its execution context, the cursor's description of
every column, its result and row objects) took about as much CPU as everything else the web
process did to read the rows (``bench/RESULTS.md``). Here a statement is compiled once per
process, and its SQL and constant parameters kept; each call binds the values given (through
each parameter's own bind processing), runs the SQL on a psycopg cursor and applies each
column's result processing (enums, UTC moments) to plain tuples that name their columns, as
SQLAlchemy's rows do. A psycopg error is raised as SQLAlchemy would raise it (a lost connection
or a statement timeout is then the service-unavailable page, as on every other page).

Only for statements whose lists (``IN``) are constants: the SQL is kept with them expanded.
Any other database or driver (SQLite for ``make run``) reads through SQLAlchemy.
"""

import weakref
from collections import namedtuple
from typing import NamedTuple

import psycopg
import sqlalchemy as sa


class _Prepared(NamedTuple):
    sql: str
    constants: dict  # the parameters the statement itself holds, bind-processed
    given: tuple  # the names of those the caller gives
    binds: dict  # name -> bind processor
    results: tuple  # each column's result processor, or None
    row: type


# By statement, for as long as the statement lives (the search keeps its own per kind of search),
# and by dialect.
_PREPARED = weakref.WeakKeyDictionary()


def rows(connection, statement, values):
    """The rows of ``statement`` with ``values`` (name -> value), on ``connection`` (a Core
    connection in autocommit: the statement is its own transaction)."""
    if connection.dialect.driver != "psycopg":
        return connection.execute(statement, values).all()
    kept = _PREPARED.setdefault(statement, {})
    prepared = kept.get(connection.dialect.name)
    if prepared is None:
        prepared = kept[connection.dialect.name] = _prepare(connection.dialect, statement, values)
    parameters = dict(prepared.constants)
    for name in prepared.given:
        value = values.get(name)
        bind = prepared.binds.get(name)
        parameters[name] = bind(value) if bind is not None and value is not None else value
    driver = connection.connection.driver_connection
    # SQLAlchemy's cursor events, for whoever listens (SQL logging, tracing, the tests).
    events = connection.dispatch
    try:
        with driver.cursor() as cursor:
            if events.before_cursor_execute:
                events.before_cursor_execute(
                    connection, cursor, prepared.sql, parameters, None, False
                )
            cursor.execute(prepared.sql, parameters)
            fetched = cursor.fetchall()
            if events.after_cursor_execute:
                events.after_cursor_execute(
                    connection, cursor, prepared.sql, parameters, None, False
                )
    except psycopg.Error as error:
        raise sa.exc.DBAPIError.instance(
            prepared.sql, parameters, error, psycopg.Error, dialect=connection.dialect
        ) from error
    results, row = prepared.results, prepared.row
    if not any(results):
        return [row._make(values) for values in fetched]
    return [
        row._make(value if result is None else result(value) for result, value in zip(results, raw))
        for raw in fetched
    ]


def _prepare(dialect, statement, values):
    compiled = statement.compile(dialect=dialect)
    given = tuple(
        name
        for name, bind in compiled.binds.items()
        if bind.value is None and bind.callable is None and not bind.expanding
    )
    expanded = compiled.construct_expanded_state(values)
    binds = dict(expanded.processors)
    constants = {
        name: binds[name](value) if name in binds and value is not None else value
        for name, value in expanded.parameters.items()
        if name not in given
    }
    columns = list(statement.selected_columns)
    results = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
    )
    row = namedtuple("Row", [str(column.key) for column in columns], rename=True)
    return _Prepared(expanded.statement, constants, given, binds, results, row)
