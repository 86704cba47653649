"""What every app the tests make would otherwise do again: compile the same templates and the same
URL rules.

Each test builds its own app (``create_app``), as production builds one per process, so that no
setting, template global or extension state leaks from one test to the next. But a new app starts
with an empty Jinja cache and compiles its ~180 URL rules afresh, and measured with cProfile that was
about 40% of the suite's time: Jinja compiling templates (30%) and Werkzeug compiling a URL builder
per rule (10%). Both results depend only on their input, so the test process keeps them:

- a Jinja bytecode cache shared by every app, keyed by template and checked against the template
  source's checksum (an edited template is compiled again), in memory and on disk (Jinja's own
  ``FileSystemBytecodeCache``), so that the next test process does not compile them again;
- Werkzeug's compiled URL builder function, keyed by everything it is built from. The function takes
  the rule as an argument (it is bound to each new rule), so no state is shared between apps;
- Werkzeug's parse of each rule's text (its parts, the trace the builder is made from and its
  converters), keyed by the text and the map's converter classes: half of making an app once the
  API document waits until it is read. Each new rule gets its own copy of the converters, bound
  to its own map; the parts are only read.

Pages render exactly as before; only the compiling is not repeated.

And one engine (one pool of connections) per database and set of engine options in the process,
kept from one test's app to the next: a new PostgreSQL connection costs some 5 ms, and its
server process then loads each table's description again on first use, which made a DPS services
test about a sixth slower. What one test could leave in a kept connection is undone: a ``SET``,
a role, a temporary table, a ``LISTEN`` or a session's advisory lock (``_RESET``, the first time
each test takes a connection), an uncommitted transaction (the pool rolls back what it is given
back), a connection never given back or a listener added to the engine (``release``: the engine
is dropped, and the next test makes its own).

Installed by tests/conftest.py.
"""

import os
import tempfile
from pathlib import Path

import flask
import jinja2
import psycopg
from flask_sqlalchemy.extension import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from werkzeug.routing.rules import Rule

from app import pinging


class SharedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory for every app in this process, and on disk for the
    next test process (the other xdist worker, the year-ahead run, the next `make test`) with
    Jinja's own ``FileSystemBytecodeCache``, which checks each template's checksum on loading."""

    def __init__(self, directory):
        self._codes = {}
        directory.mkdir(mode=0o700, exist_ok=True)
        self._disk = jinja2.FileSystemBytecodeCache(str(directory))

    def load_bytecode(self, bucket):
        found = self._codes.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]
            return
        self._disk.load_bytecode(bucket)
        if bucket.code is not None:
            self._codes[bucket.key] = (bucket.checksum, bucket.code)

    def dump_bytecode(self, bucket):
        self._codes[bucket.key] = (bucket.checksum, bucket.code)
        self._disk.dump_bytecode(bucket)


_bytecode_cache = SharedBytecodeCache(
    Path(tempfile.gettempdir()) / f"vcse-dps-templates-{os.getuid()}"
)
_builders = {}
_parsed = {}


def _cached_parse_rule(original):
    def parse_rule(self, rule):
        key = (rule, tuple(sorted(self.map.converters.items())))
        found = _parsed.get(key)
        if found is None:
            trace_from, known = len(self._trace), set(self._converters)
            parts = list(original(self, rule))
            converters = [(n, c) for n, c in self._converters.items() if n not in known]
            _parsed[key] = (parts, self._trace[trace_from:], converters)
            yield from parts
            return
        parts, trace, converters = found
        self._trace.extend(trace)
        for name, converter in converters:
            bound = object.__new__(type(converter))
            bound.__dict__.update(converter.__dict__, map=self.map)
            self._converters[name] = bound
            self.arguments.add(name)
        yield from parts

    return parse_rule


def _cached_compile_builder(original):
    def compile_builder(self, append_unknown=True):
        key = (
            self.rule,
            self.subdomain,
            self.host,
            self.map.host_matching,
            tuple(self._trace),
            repr(sorted((self.defaults or {}).items())),
            append_unknown,
        )
        built = _builders.get(key)
        if built is None:
            built = _builders[key] = original(self, append_unknown)
        return built

    return compile_builder


def _with_shared_cache(original):
    def create_jinja_environment(self):
        environment = original(self)
        environment.bytecode_cache = _bytecode_cache
        return environment

    return create_jinja_environment


_engines = {}  # repr of the options -> (engine, how many listeners it had when made)
_test = [0]  # the number of the current test (``next_test``)


def _listeners(engine):
    return sum(
        len(getattr(target.dispatch, name))
        for target in (engine, engine.pool)
        for name in target.dispatch._event_names
    )


# psycopg's own prepared statements stay (DISCARD ALL would drop them under it).
_RESET = (
    "RESET ALL; RESET SESSION AUTHORIZATION; RESET ROLE; DISCARD TEMP; UNLISTEN *; "
    "SELECT pg_advisory_unlock_all()"
)


def _reset_once_per_test(dbapi_connection, record, _proxy):
    if record.info.get("test") != _test[0]:
        try:
            dbapi_connection.execute(_RESET)
            dbapi_connection.commit()
        except psycopg.OperationalError:
            # A connection lent untested (app.pinging) that a test ended or whose database it
            # replaced: the pool lends another instead, as its own test would have made it do.
            if dbapi_connection.closed or dbapi_connection.broken:
                raise DisconnectionError("a kept connection was lost") from None
            raise
        record.info["test"] = _test[0]


def _kept_engine(original):
    def make_engine(self, bind_key, options, app):
        if not str(options.get("url", "")).startswith("postgresql"):
            return original(self, bind_key, options, app)
        key = repr(sorted((name, repr(value)) for name, value in options.items()))
        kept = _engines.get(key)
        if kept is None:
            # Last in, first out: the connection a test took last is the warmest.
            engine = original(self, bind_key, {**options, "pool_use_lifo": True}, app)
            # As the app does (app.pinging), and first: a connection a test left dead is
            # replaced before it is reset.
            pinging.install(engine)
            event.listen(engine, "checkout", _reset_once_per_test)
            kept = _engines[key] = (engine, _listeners(engine))
        return kept[0]

    return make_engine


def next_test():
    _test[0] += 1


def release(engine):
    """At the end of a test, for each engine its apps used: a kept engine stays open unless the
    test left a connection out or a listener on it; any other engine is closed."""
    key = next((key for key, (kept, _) in _engines.items() if kept is engine), None)
    if key is not None:
        if not engine.pool.checkedout() and _listeners(engine) == _engines[key][1]:
            return
        del _engines[key]
    engine.dispose()


def install():
    if getattr(Rule._compile_builder, "_tests_cached", False):
        return
    SQLAlchemy._make_engine = _kept_engine(SQLAlchemy._make_engine)
    Rule._compile_builder = _cached_compile_builder(Rule._compile_builder)
    Rule._compile_builder._tests_cached = True
    Rule._parse_rule = _cached_parse_rule(Rule._parse_rule)
    flask.Flask.create_jinja_environment = _with_shared_cache(flask.Flask.create_jinja_environment)
