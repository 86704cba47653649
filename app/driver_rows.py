"""The rows of a SQLAlchemy Core SELECT, read on the pooled connection's own psycopg connection.

For a new search, SQLAlchemy's execution (its execution context, the cursor's description of
every column, its result and row objects) took about as much CPU as everything else the web
process did to read the rows (``bench/RESULTS.md``). Here a statement is compiled once per
process, and its SQL and constant parameters kept; each call binds the values given (through
each parameter's own bind processing, as SQLAlchemy would), runs the SQL on a psycopg cursor and
applies each column's result processing (enums, UTC moments) to plain tuples named as
SQLAlchemy's rows are. As SQLAlchemy does:

- its ``before_cursor_execute`` and ``after_cursor_execute`` events are sent, for whoever
  listens (SQL logging, tracing, recorded queries), with a context object they may mark (not an
  execution context: a listener that rewrites the SQL, ``retval=True``, is not followed);
- a psycopg error is raised as SQLAlchemy's (a statement timeout or a lost connection is then
  the service-unavailable page), and a lost connection is invalidated, never lent again.

Only for statements whose values are all given by name, or fixed in the statement: a list
(``IN``) or literal-execute value that a caller would give is refused when the statement is first
prepared, and a value missing is refused as SQLAlchemy refuses it. Any other database or driver
(SQLite for ``make run``) reads through SQLAlchemy.
"""

import weakref
from collections import namedtuple
from types import SimpleNamespace
from typing import NamedTuple

import psycopg
import sqlalchemy as sa


class _Prepared(NamedTuple):
    sql: str
    constants: dict  # the parameters the statement itself holds, bind-processed
    given: tuple  # the names of those the caller gives
    binds: dict  # name -> bind processor
    columns: list  # the selected columns' types


class _Rows(NamedTuple):
    """How rows come back, known after the first execution (from the cursor's description)."""

    processed: tuple  # (index, result processor) of each column that has one
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
    dialect = connection.dialect
    prepared = kept.get(dialect.name)
    if prepared is None:
        prepared = kept[dialect.name] = _prepare(dialect, statement, values)
    parameters = dict(prepared.constants)
    for name in prepared.given:
        if name not in values:
            raise sa.exc.InvalidRequestError(f"A value is required for bind parameter {name!r}")
        value = values[name]
        bind = prepared.binds.get(name)
        parameters[name] = bind(value) if bind is not None else value
    driver = connection.connection.driver_connection
    events = connection.dispatch
    context = SimpleNamespace(statement=prepared.sql, parameters=parameters)
    cursor = driver.cursor()
    try:
        if events.before_cursor_execute:
            events.before_cursor_execute(
                connection, cursor, prepared.sql, parameters, context, False
            )
        cursor.execute(prepared.sql, parameters)
        shape = kept.get((dialect.name, "rows"))
        if shape is None:
            shape = kept[(dialect.name, "rows")] = _rows(dialect, prepared, cursor.description)
        fetched = cursor.fetchall()
        if events.after_cursor_execute:
            events.after_cursor_execute(
                connection, cursor, prepared.sql, parameters, context, False
            )
    except psycopg.Error as error:
        lost = dialect.is_disconnect(error, driver, cursor)
        if lost:
            connection.invalidate(error)  # closed, never lent again
        raise sa.exc.DBAPIError.instance(
            prepared.sql,
            parameters,
            error,
            psycopg.Error,
            connection_invalidated=lost,
            dialect=dialect,
        ) from error
    finally:
        cursor.close()
    processed, row = shape
    make = row._make
    if not processed:
        return [make(raw) for raw in fetched]
    made = []
    for raw in fetched:
        values = list(raw)
        for i, result in processed:
            values[i] = result(values[i])
        made.append(make(values))
    return made


def _prepare(dialect, statement, values):
    compiled = statement.compile(dialect=dialect)
    given, fixed_lists = [], []
    for name, bind in compiled.binds.items():
        from_caller = bind.value is None and bind.callable is None
        if from_caller and (bind.expanding or bind.literal_execute):
            fixed_lists.append(name)
        elif from_caller:
            given.append(name)
    if fixed_lists:
        raise ValueError(
            f"{', '.join(fixed_lists)}: a list or literal value the caller gives is kept in the "
            "SQL; read this statement through SQLAlchemy"
        )
    expanded = compiled.construct_expanded_state(values)
    # Every parameter's bind processing: the statement's own (``_bind_processors``, as
    # SQLAlchemy's execution applies them) and that of the expanded lists' items.
    binds = {**compiled._bind_processors, **expanded.processors}
    constants = {
        name: binds[name](value) if name in binds else value
        for name, value in expanded.parameters.items()
        if name not in given
    }
    return _Prepared(
        expanded.statement,
        constants,
        tuple(given),
        binds,
        [column.type for column in statement.selected_columns],
    )


def _rows(dialect, prepared, description):
    """Each column's result processing, given the driver's type of each (as SQLAlchemy's result
    asks it), and a row type named by the columns the statement returns."""
    results = (
        type_.dialect_impl(dialect).result_processor(dialect, column.type_code)
        for type_, column in zip(prepared.columns, description, strict=True)
    )
    processed = tuple((i, result) for i, result in enumerate(results) if result is not None)
    return _Rows(processed, namedtuple("Row", [column.name for column in description], rename=True))
