"""Configuration, read from environment variables.

Every setting is documented in the README's configuration table. ``APP_ENV`` picks the defaults:
development embeds everything (SQLite, a local storage folder, inline jobs, an outbox you read at
/dev/outbox); test and production expect real services.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSECURE_DEFAULT_SECRET = "dev-secret-do-not-use-in-production"


def _env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def _bool(name, default=False):
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _normalise_db_url(url):
    """SQLAlchemy needs the psycopg 3 driver named explicitly."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    APP_ENV = "development"
    SECRET_KEY = _env("SECRET_KEY", INSECURE_DEFAULT_SECRET)
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(
        _env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'vcse_dps.sqlite3'}")
    )
    # Optional: a read replica that search and public pages read (app/replica.py); empty: none.
    DATABASE_REPLICA_URL = _normalise_db_url(_env("DATABASE_REPLICA_URL", ""))
    # Built from the timeouts below by ``engine_options`` when the app is made.
    SQLALCHEMY_ENGINE_OPTIONS = {}
    REDIS_URL = _env("REDIS_URL", "redis://127.0.0.1:6379/0")
    # Jobs: "inline" runs them in the web process after commit; "rq" sends them to Redis.
    QUEUE_BACKEND = _env("QUEUE_BACKEND", "inline")
    QUEUE_NAME = _env("QUEUE_NAME", "default")

    STORAGE = _env("STORAGE", "local")
    STORAGE_LOCAL_PATH = _env("STORAGE_LOCAL_PATH", str(BASE_DIR / "instance" / "storage"))
    S3_BUCKET = _env("S3_BUCKET", "vcse-dps-documents")
    S3_REGION = _env("S3_REGION", "eu-west-2")
    S3_ENDPOINT_URL = _env("S3_ENDPOINT_URL")
    S3_ACCESS_KEY_ID = _env("S3_ACCESS_KEY_ID")  # none: boto3's usual credential chain
    S3_SECRET_ACCESS_KEY = _env("S3_SECRET_ACCESS_KEY")
    MAX_UPLOAD_BYTES = int(_env("MAX_UPLOAD_BYTES", str(25 * 1024 * 1024)))
    # Werkzeug refuses bigger requests outright (the 413 page) before reading them; the upload
    # checks enforce MAX_UPLOAD_BYTES itself, with room here for the rest of the form.
    MAX_CONTENT_LENGTH = MAX_UPLOAD_BYTES + 1024 * 1024
    # The largest debarment list (CSV) the operator may load.
    DEBARMENT_LIST_MAX_BYTES = int(_env("DEBARMENT_LIST_MAX_BYTES", str(5 * 1024 * 1024)))
    # Spend files: the largest a buyer may upload, and the number of rows from which a file is
    # imported by a background job (with a progress bar) rather than while the page waits.
    SPEND_FILE_MAX_BYTES = int(_env("SPEND_FILE_MAX_BYTES", str(20 * 1024 * 1024)))
    SPEND_BACKGROUND_ROWS = int(_env("SPEND_BACKGROUND_ROWS", "2000"))
    # A category of a buyer's spend is a gap (spend.gaps) when at least this much of a year's
    # spend in it goes to large or distant suppliers and VCSEs hold a lot that covers it.
    SPEND_GAP_MIN_PENCE = int(_env("SPEND_GAP_MIN_PENCE", str(10_000 * 100)))
    # Integrity flags (spend.integrity): one supplier winning more than this per cent of a
    # buyer's awarded call-offs in a lot, once there are at least this many.
    INTEGRITY_WIN_PERCENT = int(_env("INTEGRITY_WIN_PERCENT", "50"))
    INTEGRITY_MIN_CALL_OFFS = int(_env("INTEGRITY_MIN_CALL_OFFS", "3"))
    # Presigned download links live this long.
    DOWNLOAD_URL_SECONDS = int(_env("DOWNLOAD_URL_SECONDS", "60"))
    # Virus scanning: a clamd daemon over TCP (host:port) or a Unix socket path; none by default.
    CLAMD_ADDRESS = _env("CLAMD_ADDRESS")

    MAIL_BACKEND = _env("MAIL_BACKEND", "outbox")
    MAIL_FROM = _env("MAIL_FROM", "VCSE DPS <no-reply@vcse-dps.example>")
    SMTP_HOST = _env("SMTP_HOST", "localhost")
    SMTP_PORT = int(_env("SMTP_PORT", "25"))
    SMTP_USERNAME = _env("SMTP_USERNAME")
    SMTP_PASSWORD = _env("SMTP_PASSWORD")
    SMTP_STARTTLS = _bool("SMTP_STARTTLS", False)
    NOTIFY_API_KEY = _env("NOTIFY_API_KEY")
    NOTIFY_TEMPLATE_ID = _env("NOTIFY_TEMPLATE_ID")
    NOTIFY_BASE_URL = _env("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
    # Evaluation: a price this many per cent below the mean of the others is flagged as possibly
    # abnormally low; evaluators score answers from 0 to SCORE_SCALE_MAX (5, or 10). Both are
    # defaults for a new draft call-off: each call-off publishes and keeps its own.
    ABNORMALLY_LOW_PERCENT = int(_env("ABNORMALLY_LOW_PERCENT", "30"))
    SCORE_SCALE_MAX = int(_env("SCORE_SCALE_MAX", "5"))
    # Notify's API rate limit is 3,000 messages a minute per service; every worker shares it.
    NOTIFY_RATE_LIMIT_PER_MINUTE = int(_env("NOTIFY_RATE_LIMIT_PER_MINUTE", "3000"))
    # Temporary send failures are retried this many times, waiting longer each time.
    MAIL_MAX_ATTEMPTS = int(_env("MAIL_MAX_ATTEMPTS", "5"))

    # Call-offs: the law's floors and thresholds, as configuration (see DOMAIN.md).
    SOCIAL_VALUE_MIN_WEIGHT = int(_env("SOCIAL_VALUE_MIN_WEIGHT", "10"))
    MIN_TENDER_DAYS = int(_env("MIN_TENDER_DAYS", "10"))
    QUICK_QUOTE_MIN_DAYS = int(_env("QUICK_QUOTE_MIN_DAYS", "10"))
    # Thresholds from 1 January 2026, including VAT, in pence.
    THRESHOLD_CENTRAL_GOVERNMENT_PENCE = int(_env("THRESHOLD_CENTRAL_GOVERNMENT_PENCE", "13501800"))
    THRESHOLD_OTHER_PUBLIC_PENCE = int(_env("THRESHOLD_OTHER_PUBLIC_PENCE", "20772000"))
    THRESHOLD_WORKS_PENCE = int(_env("THRESHOLD_WORKS_PENCE", "519300000"))
    THRESHOLD_LIGHT_TOUCH_PENCE = int(_env("THRESHOLD_LIGHT_TOUCH_PENCE", "66354000"))
    # Below the threshold, a notice is mandatory from these values (including VAT).
    NOTICE_THRESHOLD_CENTRAL_GOVERNMENT_PENCE = int(
        _env("NOTICE_THRESHOLD_CENTRAL_GOVERNMENT_PENCE", "1200000")
    )
    NOTICE_THRESHOLD_OTHER_PENCE = int(_env("NOTICE_THRESHOLD_OTHER_PENCE", "3000000"))
    # Supported employment providers (s32): the least share of the workforce disabled or
    # disadvantaged. Public service mutuals (s33): the longest contract, and the years in which
    # a buyer may not award the same mutual a comparable reserved contract again.
    SUPPORTED_EMPLOYMENT_MIN_PERCENT = int(_env("SUPPORTED_EMPLOYMENT_MIN_PERCENT", "30"))
    MUTUAL_MAX_CONTRACT_MONTHS = int(_env("MUTUAL_MAX_CONTRACT_MONTHS", "60"))
    MUTUAL_REPEAT_AWARD_YEARS = int(_env("MUTUAL_REPEAT_AWARD_YEARS", "3"))
    VAT_RATE_PERCENT = int(_env("VAT_RATE_PERCENT", "20"))
    # Contract conditions: a new call-off's payment terms in days (a buyer may choose fewer;
    # never more than 30, this product's policy).
    PAYMENT_TERMS_DAYS = int(_env("PAYMENT_TERMS_DAYS", "30"))
    # An SME (Procurement Act 2023): fewer than this many staff, and turnover up to the first
    # figure or a balance sheet total up to the second (pence). Profiles give bands: a band
    # counts only if all of it is within the figure.
    SME_STAFF_FEWER_THAN = int(_env("SME_STAFF_FEWER_THAN", "250"))
    SME_TURNOVER_MAX_PENCE = int(_env("SME_TURNOVER_MAX_PENCE", "4400000000"))
    SME_BALANCE_SHEET_MAX_PENCE = int(_env("SME_BALANCE_SHEET_MAX_PENCE", "3800000000"))
    # Records of a call-off are kept this many years after its contract ends (or it closes without
    # award); then the personal data in them are erased and unsuccessful bids' documents deleted.
    RECORDS_RETENTION_YEARS = int(_env("RECORDS_RETENTION_YEARS", "3"))
    # Hostile input (issue 15): the longest answer a bid may hold, far above any word limit (a
    # 2,000-word answer is about 13,000 characters), and the furthest ahead a deadline or a
    # contract may be set (deadlines only move later, so a typo of a year would be forever).
    BID_ANSWER_MAX_CHARACTERS = int(_env("BID_ANSWER_MAX_CHARACTERS", "50000"))
    DEADLINE_MAX_DAYS_AHEAD = int(_env("DEADLINE_MAX_DAYS_AHEAD", "365"))
    CONTRACT_MAX_YEARS = int(_env("CONTRACT_MAX_YEARS", "10"))
    # Invitations and alerts are written to the outbox in chunks of this many people.
    FANOUT_CHUNK = int(_env("FANOUT_CHUNK", "1000"))
    # Search results are kept this many seconds in Redis (0: not at all).
    SEARCH_CACHE_SECONDS = int(_env("SEARCH_CACHE_SECONDS", "30"))
    # Alerts: emails sent per job, when digests go (Europe/London), and the scheduled reminders.
    ALERT_SEND_BATCH = int(_env("ALERT_SEND_BATCH", "100"))
    DIGEST_TIME = _env("DIGEST_TIME", "07:00")
    WEEKLY_DIGEST_DAY = _env("WEEKLY_DIGEST_DAY", "monday")
    BID_REMINDER_DAYS = _env("BID_REMINDER_DAYS", "3,1")
    # A supplier's social value return is due this many days after its period ends.
    SOCIAL_VALUE_RETURN_DAYS = int(_env("SOCIAL_VALUE_RETURN_DAYS", "30"))
    # A buyer's pipeline lists call-offs it expects to publish within this many months.
    PIPELINE_MONTHS = int(_env("PIPELINE_MONTHS", "18"))
    BASE_URL = _env("BASE_URL", "http://localhost:5000").rstrip("/")
    DPS_TIMEZONE = _env("DPS_TIMEZONE", "Europe/London")
    SERVICE_NAME = _env("SERVICE_NAME", "Find and win VCSE contracts")
    CONTACT_EMAIL = _env("CONTACT_EMAIL", "support@vcse-dps.example")
    # The operator's brand (app/brand.py): never the crown, the Royal Arms or Crown copyright.
    # Colours are #rrggbb and are checked for WCAG 2.2 AA contrast when the app starts.
    OPERATOR_NAME = _env("OPERATOR_NAME", "VCSE DPS")
    OPERATOR_URL = _env("OPERATOR_URL", "")
    # Open data (publishing/): each OCDS ocid is this prefix (registered with the Open Contracting
    # Partnership) and a stable id; notices go nowhere else unless a publisher is set ("none").
    OCDS_OCID_PREFIX = _env("OCDS_OCID_PREFIX", "ocds-vcsedp")
    OPERATOR_PARTY_ID = _env("OPERATOR_PARTY_ID", "")  # e.g. GB-COH-12345678
    NOTICE_PUBLISHER = _env("NOTICE_PUBLISHER", "none")
    BRAND_LOGO_PATH = _env("BRAND_LOGO_PATH", "")  # an SVG file; empty: the neutral default mark
    BRAND_LOGO_ALT = _env("BRAND_LOGO_ALT", "")  # empty: the logo is decorative beside the name
    BRAND_COLOUR = _env("BRAND_COLOUR", "#0b3c5d")
    BRAND_TEXT_COLOUR = _env("BRAND_TEXT_COLOUR", "#ffffff")
    BRAND_LINK_COLOUR = _env("BRAND_LINK_COLOUR", "#1d70b8")
    BRAND_PHASE = _env("BRAND_PHASE", "Beta")  # empty: no phase banner
    BRAND_LICENCE = _env("BRAND_LICENCE", "")  # empty: "© the operator"
    BRAND_FOOTER_LINKS = _env("BRAND_FOOTER_LINKS", "[]")  # JSON: [{"text": ..., "href": ...}]
    # The operator as the data controller, named on the privacy notice (/privacy): its postal
    # address (lines separated by commas), where to write about personal data, its data
    # protection officer if it has one, and its registration number with the ICO if given.
    OPERATOR_ADDRESS = _env("OPERATOR_ADDRESS", "")
    OPERATOR_EMAIL = _env("OPERATOR_EMAIL", _env("CONTACT_EMAIL", "support@vcse-dps.example"))
    DPO_NAME = _env("DPO_NAME", "")
    DPO_EMAIL = _env("DPO_EMAIL", "")
    ICO_REGISTRATION = _env("ICO_REGISTRATION", "")
    # The accessibility statement (/accessibility): when the service was last tested against
    # WCAG 2.2 AA and the statement reviewed (YYYY-MM-DD). Change them when you test again.
    ACCESSIBILITY_TESTED_ON = _env("ACCESSIBILITY_TESTED_ON", "2026-12-05")
    ACCESSIBILITY_STATEMENT_ON = _env("ACCESSIBILITY_STATEMENT_ON", "2026-12-05")

    # --- Timeouts, in seconds: every call to a service outside the app gives up before gunicorn
    # kills the web worker (WEB_TIMEOUT, the Procfile's --timeout), so a hung database, Redis,
    # S3 or SMTP server ends in the service's own error page, not a bare "Internal Server
    # Error". Set here and nowhere else; tests/faults/test_timeouts.py checks each worst case is
    # shorter than WEB_TIMEOUT.
    WEB_TIMEOUT = int(_env("WEB_TIMEOUT", "30"))
    DATABASE_CONNECT_TIMEOUT = int(_env("DATABASE_CONNECT_TIMEOUT", "3"))  # libpq's least is 2
    DATABASE_STATEMENT_TIMEOUT = float(_env("DATABASE_STATEMENT_TIMEOUT", "15"))  # 0: none
    REDIS_CONNECT_TIMEOUT = float(_env("REDIS_CONNECT_TIMEOUT", "2"))
    REDIS_TIMEOUT = float(_env("REDIS_TIMEOUT", "3"))
    S3_CONNECT_TIMEOUT = float(_env("S3_CONNECT_TIMEOUT", "3"))
    S3_READ_TIMEOUT = float(_env("S3_READ_TIMEOUT", "5"))
    S3_MAX_ATTEMPTS = int(_env("S3_MAX_ATTEMPTS", "2"))  # boto3's: the first try included
    SMTP_TIMEOUT = float(_env("SMTP_TIMEOUT", "10"))
    # /healthz answers within this, whatever its checks are waiting for.
    HEALTH_TIMEOUT = float(_env("HEALTH_TIMEOUT", "0.8"))

    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # When Redis is down, limits are counted in this process's memory instead (and a warning is
    # logged): signing in keeps working, never failing closed. Errors while counting are logged,
    # not shown.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_timeout": 1, "socket_connect_timeout": 1}
    # How many proxies (load balancers) in front of the app to trust for the client's address
    # (X-Forwarded-For) and scheme: 0 trusts none, so a forged header changes nothing.
    TRUSTED_PROXIES = int(_env("TRUSTED_PROXIES", "0"))
    # Addresses an account signed in from within this many days count as its owner's own: wrong
    # passwords from other addresses do not lock the owner out (see app/accounts/views.py).
    KNOWN_ADDRESS_DAYS = int(_env("KNOWN_ADDRESS_DAYS", "90"))
    # Requests each API token may make, counted in Redis (the app's own unless this names another
    # store; "memory://" counts in each process, as development does without Redis).
    API_RATE_LIMIT = _env("API_RATE_LIMIT", "120 per minute")
    API_RATE_LIMIT_STORAGE_URI = _env("API_RATE_LIMIT_STORAGE_URI", "")
    SIGNIN_LIMIT_PER_ACCOUNT = _env("SIGNIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    # Failed sign-ins per address; every sign-in per address, successful ones included, against a
    # much higher limit, so a training room behind one address can all sign in at once.
    SIGNIN_LIMIT_PER_ADDRESS = _env("SIGNIN_LIMIT_PER_ADDRESS", "30 per 15 minutes")
    SIGNIN_ATTEMPTS_PER_ADDRESS = _env("SIGNIN_ATTEMPTS_PER_ADDRESS", "300 per 15 minutes")
    # Emailed links (password reset, new confirmation link) per address asked for, so nobody
    # can flood someone else's inbox.
    EMAIL_LINK_LIMIT_PER_ACCOUNT = _env("EMAIL_LINK_LIMIT_PER_ACCOUNT", "3 per hour")

    CONFIRM_TOKEN_MAX_AGE = int(_env("CONFIRM_TOKEN_MAX_AGE", str(7 * 24 * 3600)))
    # Opened within this many seconds, in the browser that registered, a confirmation link also
    # signs the person in (once); later it only confirms the address.
    CONFIRM_SIGN_IN_MAX_AGE = int(_env("CONFIRM_SIGN_IN_MAX_AGE", str(3600)))
    RESET_TOKEN_MAX_AGE = int(_env("RESET_TOKEN_MAX_AGE", str(3600)))
    INVITE_VALID_DAYS = int(_env("INVITE_VALID_DAYS", "7"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    HSTS = True
    DEV_OUTBOX = False


class DevelopmentConfig(Config):
    APP_ENV = "development"
    # The demo runs as a fictional operator.
    OPERATOR_NAME = _env("OPERATOR_NAME", "Three Rivers Community Partnership (demo)")
    OPERATOR_URL = _env("OPERATOR_URL", "https://three-rivers.example")
    OPERATOR_ADDRESS = _env(
        "OPERATOR_ADDRESS", "Three Rivers House, 12 Wellington Street, Leeds, LS1 4DL"
    )
    OPERATOR_EMAIL = _env("OPERATOR_EMAIL", "privacy@three-rivers.example")
    DPO_NAME = _env("DPO_NAME", "Nkechi Obi")
    DPO_EMAIL = _env("DPO_EMAIL", "dpo@three-rivers.example")
    ICO_REGISTRATION = _env("ICO_REGISTRATION", "ZX000000 (demo)")
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = False
    HSTS = False
    DEV_OUTBOX = True
    SEARCH_CACHE_SECONDS = int(_env("SEARCH_CACHE_SECONDS", "0"))  # no Redis in `make run`
    API_RATE_LIMIT_STORAGE_URI = _env("API_RATE_LIMIT_STORAGE_URI", "memory://")


class TestConfig(Config):
    APP_ENV = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    QUEUE_BACKEND = _env("QUEUE_BACKEND", "rq")
    MAIL_BACKEND = _env("MAIL_BACKEND", "outbox")
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    SERVER_NAME = None


class ProductionConfig(Config):
    APP_ENV = "production"
    QUEUE_BACKEND = _env("QUEUE_BACKEND", "rq")
    MAIL_BACKEND = _env("MAIL_BACKEND", "smtp")
    RATELIMIT_STORAGE_URI = _env(
        "RATELIMIT_STORAGE_URI", _env("REDIS_URL", "redis://127.0.0.1:6379/0")
    )


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_for(name=None):
    return CONFIGS[(name or _env("APP_ENV", "development")).lower()]


def engine_options(config):
    """SQLAlchemy's engine options: on PostgreSQL, a connect timeout, a statement timeout and TCP
    keepalives (a server that vanishes is noticed), from the timeouts above; a plan made for
    each statement's own values; and the cost of reading a page out of order as on SSD.

    psycopg prepares a statement on the server once a connection has run its text five times,
    and PostgreSQL then plans it five more times with their values before it may switch to one
    generic plan for every value. A search's text is the same for every word (only its
    parameters differ), and the generic plan cannot know how common the words are: at 100,000
    opportunities a common word with a region went from 25 ms to 300 ms a search once a worker
    had run ten of them (``bench/RESULTS.md``). ``plan_cache_mode=force_custom_plan`` keeps the
    prepared statement (parsed once) and plans it for its values every time. PostgreSQL's checks
    of each written row's foreign keys follow it too: a statement writing thousands of rows
    first lets them keep one plan (``app.unitofwork.many_rows_ahead``).

    ``random_page_cost`` is PostgreSQL's estimate of what reading a page out of order costs next
    to reading the next one (4 by default, for spinning disks). The tables that pages read are
    held in memory (or on SSD), where the two cost about the same, and with the default the
    planner walked every closed opportunity's id to find a region's newest matches rather than
    read only the region's from their own index (at 1,000,000 opportunities, 117 ms against 15 ms:
    migration 0039); 1.1 is the figure PostgreSQL's tuning guides give for SSD."""
    options = {}  # (each pooled connection is tested as it is lent: ``app.pinging``)
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        connect_args = {
            "connect_timeout": config["DATABASE_CONNECT_TIMEOUT"],
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
        }
        settings = ["-c plan_cache_mode=force_custom_plan", "-c random_page_cost=1.1"]
        statement_ms = int(config["DATABASE_STATEMENT_TIMEOUT"] * 1000)
        if statement_ms:
            settings.append(f"-c statement_timeout={statement_ms}")
        connect_args["options"] = " ".join(settings)
        options["connect_args"] = connect_args
        options["pool_timeout"] = config["DATABASE_CONNECT_TIMEOUT"]
    return options


def redis_options(config):
    """Socket timeouts for every Redis connection: the job queue's and the rate limiter's."""
    return {
        "socket_connect_timeout": config["REDIS_CONNECT_TIMEOUT"],
        "socket_timeout": config["REDIS_TIMEOUT"],
    }


def worst_cases(config):
    """The longest each kind of outside call can take before it gives up, in seconds."""
    return {
        "database connect": config["DATABASE_CONNECT_TIMEOUT"],
        "database statement": config["DATABASE_STATEMENT_TIMEOUT"],
        "redis": config["REDIS_CONNECT_TIMEOUT"] + config["REDIS_TIMEOUT"],
        "storage": (config["S3_CONNECT_TIMEOUT"] + config["S3_READ_TIMEOUT"])
        * config["S3_MAX_ATTEMPTS"],
        "smtp": config["SMTP_TIMEOUT"],
        "health check": config["HEALTH_TIMEOUT"],
    }


class ConfigError(RuntimeError):
    """The app refuses to start with an unsafe configuration."""


def check_production(config):
    """Return the reasons a production configuration is unsafe (empty when it is fine)."""
    problems = []
    secret = config.get("SECRET_KEY")
    if not secret or secret == INSECURE_DEFAULT_SECRET or len(secret) < 32:
        problems.append("SECRET_KEY must be set to a random value of at least 32 characters.")
    if config.get("SQLALCHEMY_DATABASE_URI", "").startswith("sqlite"):
        problems.append("DATABASE_URL must point to PostgreSQL, not SQLite.")
    if config.get("DATABASE_REPLICA_URL", "").startswith("sqlite"):
        problems.append("DATABASE_REPLICA_URL must point to PostgreSQL, not SQLite.")
    if config.get("QUEUE_BACKEND") != "rq":
        problems.append("QUEUE_BACKEND must be 'rq': inline jobs would run in the web process.")
    for call, seconds in worst_cases(config).items():
        if seconds >= config["WEB_TIMEOUT"]:
            problems.append(
                f"The {call} timeout ({seconds:g} s) must be shorter than WEB_TIMEOUT "
                f"({config['WEB_TIMEOUT']} s)."
            )
    if config.get("MAIL_BACKEND") == "outbox":
        problems.append(
            "MAIL_BACKEND must be 'smtp' or 'notify': the outbox backend sends nothing."
        )
    return problems
