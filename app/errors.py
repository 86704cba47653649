"""Error pages in the GOV.UK style, and JSON error bodies for API and JSON requests."""
import logging

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("There is a problem with your request", "Go back and try again."),
    403: ("You do not have permission to see this page",
          "If you think you should, ask the owner of your organisation or contact us."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("Sorry, you cannot do that here", "Go back and try again."),
    413: ("The file is too large", "Choose a smaller file and try again."),
    429: ("Too many attempts", "Wait a few minutes, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
}


def wants_json():
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json")


def render_error(status, title=None, message=None):
    default_title, default_message = MESSAGES.get(status, MESSAGES[500])
    title, message = title or default_title, message or default_message
    if wants_json():
        return jsonify({"error": {"status": status, "title": title, "message": message}}), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def init_app(app):
    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return render_error(400, "Your form has expired",
                            "For your security, forms expire. Go back, refresh the page and "
                            "try again. Nothing has been saved.")

    @app.errorhandler(HTTPException)
    def _http(exc):
        if exc.code == 429:
            return render_error(429, message=(
                "You have tried too many times. Wait 15 minutes, then try again. "
                "If you have forgotten your password, you can reset it."))
        if exc.code in MESSAGES:
            return render_error(exc.code)
        return exc

    @app.errorhandler(Exception)
    def _unexpected(exc):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
