"""Flask's signed-cookie session, with its signer kept.

Flask's ``SecureCookieSessionInterface`` builds an itsdangerous serializer (and its key list) for
every request, signed in or not, before it even looks for the cookie: a fiftieth of a new
search's CPU in the web process (``bench/RESULTS.md``, session 18). This one keeps the serializer
for as long as the app's keys (``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS``) stay the same; the
cookie, its signing and its lifetime are Flask's own.
"""

from flask.sessions import SecureCookieSessionInterface

_KEPT = "cookie_session_signer"


class KeptSignerSessionInterface(SecureCookieSessionInterface):
    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = app.extensions.get(_KEPT)
        if kept is None or kept[0] != keys:
            kept = app.extensions[_KEPT] = (keys, super().get_signing_serializer(app))
        return kept[1]


def init_app(app):
    app.session_interface = KeptSignerSessionInterface()
