"""Absolute links for emails, built from BASE_URL so they work from a worker with no request."""

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def absolute_url(endpoint, **values):
    base = current_app.config["BASE_URL"]
    parts = urlsplit(base)
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        adapter = current_app.url_map.bind(
            parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
        )
        path = adapter.build(endpoint, values)
    return f"{parts.scheme}://{parts.netloc}{path}" if path.startswith("/") else path


def absolute_url_of(endpoint, name):
    """``absolute_url(endpoint, **{name: number})`` as a function of the number, with the URL
    built once: for the thousands of links in a download. (A whole number, like an id.)"""
    sample = 987654321
    head, _, tail = absolute_url(endpoint, **{name: sample}).rpartition(str(sample))
    return lambda number: f"{head}{int(number)}{tail}"


def is_safe_redirect(target):
    """Only a path on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not isinstance(target, str):
        return False
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and not any(ord(c) < 32 for c in target)
