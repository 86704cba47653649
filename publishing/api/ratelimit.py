"""How many requests a token may make: a fixed window per token (``API_RATE_LIMIT``, say
"120 per minute"), counted in Redis (``API_RATE_LIMIT_STORAGE_URI``, the app's Redis) with the
``limits`` library that Flask-Limiter is built on. Over the limit, a request is refused with 429
and ``Retry-After``. If Redis cannot be reached the request goes ahead and a warning is logged:
the API, like signing in, never fails closed because a counter is down."""

import logging
import math
import time

from flask import current_app
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

log = logging.getLogger(__name__)
_KEY = "publishing_api_rate_limiter"


def _limiter(app):
    limiter = app.extensions.get(_KEY)
    if limiter is None:
        uri = app.config.get("API_RATE_LIMIT_STORAGE_URI") or app.config["REDIS_URL"]
        options = {}
        if uri.startswith("redis"):
            options = {
                "socket_connect_timeout": app.config["REDIS_CONNECT_TIMEOUT"],
                "socket_timeout": app.config["REDIS_TIMEOUT"],
            }
        limiter = FixedWindowRateLimiter(storage_from_string(uri, **options))
        app.extensions[_KEY] = limiter
    return limiter


def hit(token_id):
    """Count a request by the token. Returns None when it may go ahead, or the whole seconds to
    wait before the next one will be allowed."""
    app = current_app._get_current_object()
    item = parse(app.config["API_RATE_LIMIT"])
    limiter = _limiter(app)
    try:
        if limiter.hit(item, "api-token", str(token_id)):
            return None
        reset = limiter.get_window_stats(item, "api-token", str(token_id)).reset_time
    except Exception:  # Redis down or not answering: never fail closed
        log.warning("API rate limit storage unreachable; token %s not counted", token_id)
        return None
    return max(1, math.ceil(reset - time.time()))
