import pytest

import config
from app import create_app


class Unsafe(config.ProductionConfig):
    SECRET_KEY = config.INSECURE_DEFAULT_SECRET
    SQLALCHEMY_DATABASE_URI = "sqlite:///prod.sqlite3"
    QUEUE_BACKEND = "inline"
    MAIL_BACKEND = "smtp"


def test_production_refuses_unsafe_settings_and_says_why():
    with pytest.raises(config.ConfigError) as exc:
        create_app(Unsafe)
    message = str(exc.value)
    assert "SECRET_KEY" in message
    assert "PostgreSQL" in message
    assert "QUEUE_BACKEND" in message


def test_production_refuses_missing_secret():
    class NoSecret(config.ProductionConfig):
        SECRET_KEY = None
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://x@localhost/x"

    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        create_app(NoSecret)


def test_production_starts_with_safe_settings():
    class Safe(config.ProductionConfig):
        SECRET_KEY = "x" * 40
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://x@localhost/x"
        QUEUE_BACKEND = "rq"
        MAIL_BACKEND = "smtp"

    app = create_app(Safe)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["HSTS"] is True


def test_development_defaults_are_embedded(monkeypatch):
    cfg = config.DevelopmentConfig
    assert cfg.QUEUE_BACKEND == "inline" or cfg.QUEUE_BACKEND
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": "sqlite:///:memory:"})
    assert app.config["STORAGE"] == "local"
    assert app.config["MAIL_BACKEND"] == "outbox"
    assert app.config["DEV_OUTBOX"] is True


def test_database_url_is_given_the_psycopg_driver():
    assert config._normalise_db_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert config._normalise_db_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert config._normalise_db_url("sqlite:///x") == "sqlite:///x"
