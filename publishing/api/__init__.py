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
      routes (apispec converting every schema) took about a third of making an app, and the
      default responses (one per HTTP status, each with the error schema) a quarter of what was
      left: paid by every web process, worker and test for a document most of them never
      serve. The routes themselves are registered at once; only their description waits, and
      is written in the same order as before, so the document is the same."""

    ERROR_SCHEMA = ErrorsSchema

    def __init__(self, app=None, **kwargs):
        self._undescribed = []
        self._describing = threading.Lock()
        self._describer = None  # the thread writing the document, while one is
        super().__init__(app, **kwargs)

    @property
    def spec(self):
        # What describes the document reads it too: in the thread writing it, as it is so far.
        if self._undescribed and self._describer != threading.get_ident():
            with self._describing:
                self._describer = threading.get_ident()
                try:
                    while self._undescribed:
                        self._undescribed[0]()
                        self._undescribed.pop(0)  # once done: no other thread reads it half-written
                finally:
                    self._describer = None
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

        self.later(describe)

    def later(self, describe):
        """Call ``describe`` (which adds to the document) when the document is first read, after
        what was left until then before it."""
        self._undescribed.append(describe)

    # flask-smorest's components every document has, left until it is read like the routes.
    def _register_responses(self):
        self.later(super()._register_responses)

    def _register_etag_headers(self):
        self.later(super()._register_etag_headers)

    def _register_pagination_header(self):
        self.later(super()._register_pagination_header)

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
    api.later(
        lambda: api.spec.components.security_scheme(
            auth.BEARER,
            {
                "type": "http",
                "scheme": "bearer",
                "description": "An API token made by an owner of a buyer organisation",
            },
        )
    )
    csrf.exempt(bp)
    api.register_blueprint(bp)
    shape_json_errors(PREFIX + "/", errors.shape)
    add_template_folder(app, HERE / "templates")
    app.register_blueprint(pages)
    app.extensions["publishing_api"] = api
