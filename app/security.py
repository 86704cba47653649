"""Security headers on every response, and a fresh CSP nonce for the page's scripts."""

import secrets

from flask import g


def _new_nonce():
    g.csp_nonce = secrets.token_urlsafe(16)


def init_app(app):
    # The nonce is made before any other before-request hook runs: CSRF protection and the rate
    # limiter refuse requests in theirs, and the error pages they lead to carry scripts too.
    app.before_request_funcs.setdefault(None, []).insert(0, _new_nonce)

    @app.after_request
    def _headers(response):
        if "csp_nonce" not in g:
            _new_nonce()
        csp = (
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{g.csp_nonce}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; "
            "connect-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; "
            "frame-ancestors 'none'"
        )
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if app.config.get("HSTS"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response
