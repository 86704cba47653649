"""The JSON API (``/api/v1``), its OpenAPI 3.1 document (``/api/v1/openapi.json``, written by
flask-smorest from the schemas the routes validate with), its documentation page (``/api``,
rendered here from that document) and API tokens for buyers' own systems (pages in the
organisation area, for owners)."""

import threading
from pathlib import Path

from flask_smorest import Api

from publishing.api.schemas import ErrorsSchema

HERE = Path(__file__).resolve().parent
PREFIX = "/api/v1"


class OpenApi(Api):
    """flask-smorest's Api, with two changes.

    - It leaves the app's error pages alone: it would answer every error of the whole site in its
      own JSON. The API's errors are shaped by ``publishing.api.errors``.
    - The document is written when it is first read, not when the app is made. Describing the
      routes (apispec converting every schema) took about a third of making an app, paid by
      every web process, worker and test for a document most of them never serve. The routes
      themselves are registered at once; only their description waits, and is written in the
      same order as before, so the document is the same."""

    ERROR_SCHEMA = ErrorsSchema

    def __init__(self, app=None, **kwargs):
        self._undescribed = []
        self._describing = threading.Lock()
        super().__init__(app, **kwargs)

    @property
    def spec(self):
        if self._undescribed:
            with self._describing:
                while self._undescribed:
                    self._undescribed.pop(0)()
        return self._spec

    @spec.setter
    def spec(self, value):
        self._spec = value

    def register_blueprint(self, blp, *, parameters=None, **options):
        """As flask-smorest's own, with the description of the blueprint's routes left until the
        document is read."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)

        def describe():
            blp.register_views_in_doc(self, self._app, self._spec, name=name, parameters=parameters)
            self._spec.tag({"name": name, "description": blp.description})

        self._undescribed.append(describe)

    def _register_error_handlers(self):
        pass


def init_app(app):
    from app.error_pages import shape_json_errors
    from app.extensions import csrf
    from app.templating import add_template_folder
    from publishing.api import auth, docs, errors, token_views  # noqa: F401  (their pages)
    from publishing.api.blueprint import bp as pages
    from publishing.api.views import bp

    app.config.setdefault("API_TITLE", f"{app.config['SERVICE_NAME']} API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": "Opportunities, lots, DPSs, suppliers and contracts, open to "
                "all; drafts for buyers' own systems, with an API token.",
            },
            "servers": [{"url": "/"}],
        },
    )
    api = OpenApi(app)
    api.spec.components.security_scheme(
        auth.BEARER,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token made by an owner of a buyer organisation",
        },
    )
    csrf.exempt(bp)
    api.register_blueprint(bp)
    shape_json_errors(PREFIX + "/", errors.shape)
    add_template_folder(app, HERE / "templates")
    app.register_blueprint(pages)
    app.extensions["publishing_api"] = api
