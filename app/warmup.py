"""What a web process does as it starts, so that its first requests do not: gunicorn calls
``warm`` in each worker before the worker takes a request (``gunicorn.conf.py``).

Left to the first requests, each worker compiled every template a page used the first time it
rendered one (a search page imports some forty GOV.UK Frontend macro files) and SQLAlchemy
configured every mapper on the first query: the first search a fresh worker answered took
0.6-0.8 s (once 3.8 s), against about 0.1 s warmed (``bench/RESULTS.md``, session 21).
Compiling all of them takes a worker some 2.5 s as it boots, while the workers before it (or,
at a restart, the old ones) answer.
"""

import logging

import sqlalchemy.orm

log = logging.getLogger(__name__)


def warm(app):
    """Configure the mappers and compile every template ``app`` can render, as many as its
    Jinja cache holds (a template compiled and then dropped from the cache would be compiled
    again). Returns how many templates were compiled."""
    sqlalchemy.orm.configure_mappers()
    env = app.jinja_env
    if env.cache is None:  # a Jinja that keeps nothing
        return 0
    names = env.list_templates()[: env.cache.capacity]
    for name in names:
        env.get_template(name)
    log.info("warmed: %d templates compiled", len(names))
    return len(names)
