"""gunicorn's settings besides those the Procfile passes (``gunicorn --config gunicorn.conf.py``;
gunicorn also reads this file by itself when started in this folder)."""


def post_worker_init(worker):
    """Before a worker takes its first request: compile the templates and configure the
    mappers (``app.warmup``)."""
    from app.warmup import warm

    warm(worker.wsgi)
