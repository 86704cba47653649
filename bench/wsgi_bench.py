"""The app as production runs it, plus a bare `/hello` route: the baseline for load tests.
Only the benchmarks use this module."""

from app import create_app
from app.extensions import csrf, limiter

app = create_app()


@app.route("/hello")
@csrf.exempt
@limiter.exempt
def hello():
    return "hello"
