"""Configuration classes; environment variables are read only by `from_environment`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar

DEFAULT_SECRET_KEY = "development-only-secret-key-do-not-deploy"  # noqa: S105 (refused in production)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
)


class BaseConfig:
    SECRET_KEY = DEFAULT_SECRET_KEY
    # None means: a SQLite file in the instance folder (resolved by create_app).
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 15_000

    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600

    # Where rate-limit counters are kept. "memory://" keeps them in each process, which is
    # right for one process only: production refuses it (ProductionConfig).
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Login limits. Per account, failed attempts only, and strictly: a guesser gets 5 tries a
    # minute and 20 an hour on one account. Per address, generously: a convention hall of
    # delegates may come from one NAT address, so every attempt from one address counts
    # against a budget a whole hall fits in, and failures against a smaller one.
    LOGIN_LIMIT_PER_ACCOUNT = "5 per minute; 20 per hour"
    LOGIN_LIMIT_PER_ADDRESS = "3000 per 10 minutes"
    LOGIN_FAILURE_LIMIT_PER_ADDRESS = "300 per 10 minutes"
    TOKEN_LIMIT_PER_ADDRESS = "20 per minute"  # noqa: S105 (a rate, not a secret)

    # argon2id parameters: OWASP's recommendation (and ASVS 5.0 appendix C's minimum for t=2),
    # m=19 MiB, t=2, p=1. One verification takes about 20 ms of one core here, against 170 ms
    # for RFC 9106's 64 MiB, t=3, p=4: a hall of 1,500 delegates logs in within a minute on two
    # cores. Hashes made with other parameters are rehashed at the member's next login.
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19 * 1024
    ARGON2_PARALLELISM = 1

    # Reverse proxies in front of the app that set X-Forwarded-For and X-Forwarded-Proto;
    # only that many hops are believed, so rate limits key on the real client address.
    # 0 (the default) believes none: the address is the connection's.
    TRUSTED_PROXIES = 0

    # Prometheus metrics at /metrics (deliberate/metrics/): measured on every request when on;
    # readable only from these addresses or networks (CIDR), as ProxyFix resolved the client's
    # address. Any other address gets 404. Empty: nobody reads them.
    METRICS_ENABLED = True
    METRICS_ALLOWED_ADDRESSES: ClassVar[tuple[str, ...]] = ("127.0.0.1", "::1")
    # Log lines: "text" (Flask's default) or "json" (one JSON object a line, each with the
    # request id of the request or the worker's job it belongs to: deliberate/logs.py).
    LOG_FORMAT = "text"

    INVITATION_VALID_FOR = timedelta(days=14)
    PASSWORD_RESET_VALID_FOR = timedelta(hours=24)
    MIN_PASSWORD_LENGTH = 10
    MAX_IMPORT_ROWS = 5000
    # Searches of the member directory one member may make; each answers a question about
    # what the search matches, so it is not an endless oracle.
    DIRECTORY_SEARCH_LIMIT_PER_MEMBER = "30 per minute"

    # Debate: the longest comment, comments per thread page, the deepest indentation shown
    # before "continue this thread", and how fast one member may post and ask for previews.
    COMMENT_MAX_LENGTH = 10_000
    THREAD_PAGE_SIZE = 100
    THREAD_MAX_INDENT = 6
    COMMENT_LIMIT_PER_MEMBER = "10 per minute"
    PREVIEW_LIMIT_PER_MEMBER = "120 per minute"

    CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY

    # The API (/api/v1/): its OpenAPI description (flask-smorest) and requests per token.
    API_TITLE = "Deliberate API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    API_LIMIT_PER_TOKEN = "600 per minute"  # noqa: S105 (a rate, not a secret)
    ORGANIZATION_NAME = "Deliberate"
    # The organization's time zone (an IANA name): times are entered and shown in it, unless a
    # member chooses their own in their settings. Stored times stay UTC.
    ORGANIZATION_TIME_ZONE = "UTC"

    # Seconds a process may show a tendency's size without counting again (its own changes of
    # membership are seen at once): counting 90,000 memberships on every page costs more than
    # a figure that moves slowly is worth.
    TENDENCY_SIZES_SECONDS = 30

    # Rendered page parts (a draft's text, a thread's comments) each process keeps until what
    # they show changes (deliberate/fragments.py); 0 renders every part on every request.
    FRAGMENT_CACHE_SIZE = 2000

    # Every page's navigation counts what waits for the member (counted again only after a
    # change that may alter it: deliberate/main/watches.py); an operator may turn it off,
    # and the home page still lists it all.
    NEEDS_IN_NAVIGATION = True

    # Characters per numbered line of a draft; fixed into each version when it is made.
    DRAFT_LINE_WIDTH = 80
    # A long draft's page shows its text this many paragraphs at a time, and at most
    # DRAFT_AMENDMENTS_SHOWN amendments of each state (the others one click away).
    DRAFT_TEXT_PAGE = 50
    DRAFT_AMENDMENTS_SHOWN = 20
    # Seconders (besides the proposer) an amendment needs before it goes to the floor.
    AMENDMENT_SECONDS_REQUIRED = 2
    # A secret vote's breakdown by tendency shows only tendencies with at least this many
    # voters; the others are merged as "others".
    SECRET_BREAKDOWN_MIN = 10
    # The archive of decision records: readable without logging in when ARCHIVE_PUBLIC is
    # set (sealed records only, never who voted what in a secret ballot), and naming the
    # members in commitments and disagreements there only when ARCHIVE_PUBLIC_NAMES is set too.
    ARCHIVE_PUBLIC = False
    ARCHIVE_PUBLIC_NAMES = False

    # Where members reach the site: the links in mail are made from it.
    SITE_URL = "http://127.0.0.1:5000"
    # Webhooks (deliberate/webhooks): each delivery waits a few seconds at most for its
    # receiver; a refused one is tried again after RETRY_SECONDS, doubling each time, up to
    # MAX_ATTEMPTS. ALLOW_LOOPBACK lets http://127.0.0.1 and localhost receive them (tests and
    # local receivers only: otherwise only public HTTPS addresses are accepted).
    WEBHOOKS_ALLOW_LOOPBACK = False
    WEBHOOKS_TIMEOUT_SECONDS = 5
    WEBHOOKS_MAX_ATTEMPTS = 8
    WEBHOOKS_RETRY_SECONDS = 30
    WEBHOOKS_CLAIM_SECONDS = 60
    # Mail (Flask-Mailman). With no MAIL_SERVER, messages go to the letter box: the admins'
    # mail page (MAIL_LETTERBOX, by default the instance folder's mail/) and the log.
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "deliberate@localhost"
    MAIL_TIMEOUT = 30
    MAIL_LETTERBOX: str | None = None
    # The task queue: empty for a SQLite file in the instance folder (no other service),
    # redis://... in production, "memory" in the tests.
    TASK_QUEUE_URL = ""
    # The queue's name, which prefixes its keys in Redis: two deployments (or a deployment and
    # its rehearsal) may share one Redis if their names differ.
    TASK_QUEUE_NAME = "deliberate"
    # Members an event is expanded to per transaction; mails a worker claims at a time, and
    # for how long before another worker may take what it did not send.
    NOTIFY_BATCH = 2000
    MAIL_BATCH = 50
    MAIL_CLAIM_SECONDS = 300
    # Other workers a worker calls in when it finds more mail than one batch; set it to the
    # worker processes you run, less one.
    MAIL_HELPERS = 3
    # A mail the server refuses is tried again after 1, 2, 4... minutes, then given up on.
    MAIL_MAX_ATTEMPTS = 5
    MAIL_RETRY_SECONDS = 60
    # Where late bounces come back (each mail's envelope sender is this address tagged with
    # its delivery, deliberate/notifications/bounces.py); empty: MAIL_DEFAULT_SENDER, and
    # late bounces are not read. After this many of a member's messages bounced for good, no
    # more mail goes to their address until they resume it.
    MAIL_BOUNCE_ADDRESS = ""
    MAIL_BOUNCE_LIMIT = 3
    # Reminders: a vote closing within this; an evaluation due within this. Digests at this
    # hour (UTC). Unsubscribe links work this long.
    VOTE_REMINDER_BEFORE = timedelta(hours=24)
    EVALUATION_NOTICE = timedelta(days=7)
    DIGEST_HOUR = 7
    UNSUBSCRIBE_VALID_FOR = timedelta(days=180)


class DevelopmentConfig(BaseConfig):
    DEBUG = False


class TestingConfig(BaseConfig):
    TESTING = True
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1
    TENDENCY_SIZES_SECONDS = 0
    TASK_QUEUE_URL = "memory"
    WEBHOOKS_ALLOW_LOOPBACK = True


class ProductionConfig(BaseConfig):
    LOG_FORMAT = "json"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    # Production runs several processes (gunicorn's workers, several instances): rate-limit
    # counters must be shared between them, or a guesser gets 5 tries per process instead of
    # 5. The local Redis unless RATELIMIT_STORAGE_URI names another; create_app refuses to
    # start if it does not answer, or if it is "memory://".
    RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"


CONFIGS: Mapping[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def database_url(url: str) -> str:
    """Normalize a DATABASE_URL so PostgreSQL uses the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Settings taken from the process environment, applied over the chosen config class."""
    environ = os.environ if environ is None else environ
    settings: dict[str, Any] = {}
    if environ.get("SECRET_KEY"):
        settings["SECRET_KEY"] = environ["SECRET_KEY"]
    if environ.get("DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = database_url(environ["DATABASE_URL"])
    for name in ("RATELIMIT_STORAGE_URI", "RATELIMIT_KEY_PREFIX"):
        if environ.get(name):
            settings[name] = environ[name]
    if environ.get("TRUSTED_PROXIES"):
        settings["TRUSTED_PROXIES"] = int(environ["TRUSTED_PROXIES"])
    if environ.get("METRICS_ALLOWED_ADDRESSES") is not None:
        listed = environ["METRICS_ALLOWED_ADDRESSES"].replace(",", " ").split()
        settings["METRICS_ALLOWED_ADDRESSES"] = tuple(listed)
    if environ.get("LOG_FORMAT"):
        settings["LOG_FORMAT"] = environ["LOG_FORMAT"].strip().lower()
    for name in ("ORGANIZATION_NAME", "ORGANIZATION_TIME_ZONE"):
        if environ.get(name):
            settings[name] = environ[name].strip()
    for name in (
        "SITE_URL",
        "MAIL_SERVER",
        "MAIL_USERNAME",
        "MAIL_PASSWORD",
        "MAIL_DEFAULT_SENDER",
        "MAIL_BOUNCE_ADDRESS",
        "MAIL_LETTERBOX",
        "TASK_QUEUE_URL",
        "TASK_QUEUE_NAME",
    ):
        if environ.get(name):
            settings[name] = environ[name]
    for name in (
        "MAIL_PORT",
        "MAIL_CLAIM_SECONDS",
        "MAIL_BATCH",
        "MAIL_MAX_ATTEMPTS",
        "MAIL_HELPERS",
        "MAIL_BOUNCE_LIMIT",
    ):
        if environ.get(name):
            settings[name] = int(environ[name])
    for flag in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
        if environ.get(flag):
            settings[flag] = environ[flag].strip().lower() in ("1", "true", "yes", "on")
    flags = ("ARCHIVE_PUBLIC", "ARCHIVE_PUBLIC_NAMES", "NEEDS_IN_NAVIGATION", "METRICS_ENABLED")
    for flag in flags:
        if environ.get(flag):
            settings[flag] = environ[flag].strip().lower() in ("1", "true", "yes", "on")
    return settings
