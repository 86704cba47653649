"""The session cookie's signer is kept while the app's keys stay the same (app.cookie_session),
and the cookie is Flask's own: signed, checked, and refused when tampered with or signed with a
key the app no longer holds."""

from flask import request, session

from app.cookie_session import KeptSignerSessionInterface


def _counting_client(app):
    """A client of ``app`` with a page that counts its visits in the session."""

    @app.route("/_remember")
    def remember():
        session["visits"] = session.get("visits", 0) + 1
        return str(session["visits"])

    return app.test_client()


def test_the_signer_is_made_once_for_the_same_keys(app):
    interface = app.session_interface
    assert isinstance(interface, KeptSignerSessionInterface)
    first = interface.get_signing_serializer(app)
    assert first is not None and interface.get_signing_serializer(app) is first
    app.secret_key = "another key for this test only"
    rotated = interface.get_signing_serializer(app)
    assert rotated is not first
    app.config["SECRET_KEY_FALLBACKS"] = ["an older key"]
    assert interface.get_signing_serializer(app) is not rotated


def test_the_cookie_is_signed_and_checked_with_the_current_keys(make_app):
    app = make_app()
    client = _counting_client(app)
    assert client.get("/_remember").text == "1"
    assert client.get("/_remember").text == "2"  # the signed cookie read back
    cookie = client.get_cookie("session").value
    tampered = app.test_client()
    tampered.set_cookie("session", cookie[:-2] + ("AA" if cookie[-2:] != "AA" else "BB"))
    assert tampered.get("/_remember").text == "1"  # a bad signature: a new, empty session
    # A new key with the old one kept as a fallback still reads it; without it, it is refused.
    old_key = app.secret_key
    app.secret_key = "a rotated key for this test only"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert client.get("/_remember").text == "3"
    app.config["SECRET_KEY_FALLBACKS"] = []
    refused = app.test_client()
    refused.set_cookie("session", cookie)
    assert refused.get("/_remember").text == "1"


def test_without_a_secret_key_there_is_no_session_to_write(app):
    app.secret_key = None
    with app.test_request_context():
        assert app.session_interface.open_session(app, request) is None
