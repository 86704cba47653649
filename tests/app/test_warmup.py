"""A web worker compiles its templates and configures its mappers before its first request
(app.warmup, called by gunicorn.conf.py's hook), so no request waits for them."""

import runpy
from pathlib import Path
from types import SimpleNamespace

from app.warmup import warm

ROOT = Path(__file__).resolve().parents[2]


def loads_from_now(app, monkeypatch):
    """The names of the templates loaded (not found compiled) from here on: each such load
    fails the request that needed it."""
    loaded = []

    def load(environment, name, globals=None):
        loaded.append(name)
        raise AssertionError(f"a template loaded during a request: {name}")

    monkeypatch.setattr(app.jinja_env.loader, "load", load)
    return loaded


def test_a_page_needs_no_template_the_warm_up_did_not_compile(app, client, monkeypatch):
    assert warm(app) > 300
    loaded = loads_from_now(app, monkeypatch)
    for path in ("/", "/opportunities", "/opportunities?q=care", "/sign-in", "/pipeline"):
        assert client.get(path).status_code == 200, path
    assert loaded == []


def test_without_the_warm_up_a_first_page_loads_its_templates(app, client, monkeypatch):
    """What the test above rules out does happen on a fresh app (so that test can fail)."""
    loaded = loads_from_now(app, monkeypatch)
    assert client.get("/sign-in").status_code == 500
    assert "accounts/sign_in.html" in loaded


def test_gunicorn_warms_each_worker_before_its_first_request(app, client, monkeypatch):
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    hooks["post_worker_init"](SimpleNamespace(wsgi=app))
    loaded = loads_from_now(app, monkeypatch)
    assert client.get("/opportunities").status_code == 200
    assert loaded == []
    assert "--config gunicorn.conf.py" in (ROOT / "Procfile").read_text()
