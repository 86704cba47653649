"""What every app the tests make would otherwise do again: compile the same templates and the same
URL rules.

Each test builds its own app (``create_app``), as production builds one per process, so that no
setting, template global or extension state leaks from one test to the next. But a new app starts
with an empty Jinja cache and compiles its ~180 URL rules afresh, and measured with cProfile that was
about 40% of the suite's time: Jinja compiling templates (30%) and Werkzeug compiling a URL builder
per rule (10%). Both results depend only on their input, so the test process keeps them:

- a Jinja bytecode cache shared by every app, keyed by template and checked against the template
  source's checksum (an edited template is compiled again), as Jinja's own ``BytecodeCache`` does
  on disk;
- Werkzeug's compiled URL builder function, keyed by everything it is built from. The function takes
  the rule as an argument (it is bound to each new rule), so no state is shared between apps.

Pages render exactly as before; only the compiling is not repeated. Installed by tests/conftest.py.
"""

import flask
import jinja2
from werkzeug.routing.rules import Rule


class SharedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory for every app in this process."""

    def __init__(self):
        self._codes = {}

    def load_bytecode(self, bucket):
        found = self._codes.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]

    def dump_bytecode(self, bucket):
        self._codes[bucket.key] = (bucket.checksum, bucket.code)


_bytecode_cache = SharedBytecodeCache()
_builders = {}


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


def install():
    if getattr(Rule._compile_builder, "_tests_cached", False):
        return
    Rule._compile_builder = _cached_compile_builder(Rule._compile_builder)
    Rule._compile_builder._tests_cached = True
    flask.Flask.create_jinja_environment = _with_shared_cache(flask.Flask.create_jinja_environment)
