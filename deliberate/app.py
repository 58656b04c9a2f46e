"""The application factory: configuration, extensions, the wiring of the domains, blueprints."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix

import config
from deliberate import wiring
from deliberate.database import configure_sqlite, write_intent
from deliberate.extensions import csrf, db, limiter, login_manager, mailman, migrate
from deliberate.routing import IdConverter
from deliberate.timezones import is_zone_name

PROJECT_ROOT = Path(__file__).resolve().parent.parent
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints. No database writes."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.url_map.converters["int"] = IdConverter  # before any route is added
    overrides = dict(overrides or {})
    env_name = overrides.pop("ENV_NAME", None) or os.environ.get("DELIBERATE_ENV", "development")
    if env_name not in config.CONFIGS:
        raise RuntimeError(f"DELIBERATE_ENV must be one of {sorted(config.CONFIGS)}")
    app.config.from_object(config.CONFIGS[env_name])
    app.config.update(config.from_environment())
    app.config.update(overrides)
    app.config["ENV_NAME"] = env_name
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'deliberate.db'}"
        )
    if env_name == "production" and app.config["SECRET_KEY"] in (
        config.DEFAULT_SECRET_KEY,
        "",
        None,
    ):
        raise RuntimeError("Set SECRET_KEY: production refuses to start with the default key.")
    if not is_zone_name(app.config["ORGANIZATION_TIME_ZONE"]):
        raise RuntimeError(
            "ORGANIZATION_TIME_ZONE must be an IANA time zone such as Europe/Paris, not "
            f"{app.config['ORGANIZATION_TIME_ZONE']!r}."
        )

    from deliberate import logs

    logs.init_app(app)  # first: every later line, and every request's, in the chosen format

    if app.config.get("TRUSTED_PROXIES"):
        hops = int(app.config["TRUSTED_PROXIES"])
        # The ignore: Flask types wsgi_app as its own method; wrapping it is Werkzeug's way.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    _init_extensions(app)
    if env_name == "production":
        _require_shared_rate_limits(app)
    wiring.connect()
    from deliberate.notifications.queue import make_queue

    make_queue(app)
    _register_blueprints(app)
    _register_hooks(app)
    if app.config["METRICS_ENABLED"]:
        from deliberate.metrics import views as metrics

        metrics.init_app(app)
    from deliberate.cli import register_commands
    from deliberate.filters import register_filters
    from deliberate.http_errors import register_error_handlers

    register_error_handlers(app)
    register_filters(app)
    register_commands(app)
    logging.getLogger("deliberate").setLevel(logging.INFO)
    return app


def _init_extensions(app: Flask) -> None:
    from deliberate.accounts import passwords
    from deliberate.decisions import schema

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        include_name=schema.include_name,
    )
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Log in to see this page."
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    limiter.init_app(app)
    mailman.init_app(app)
    passwords.configure(
        app.config["ARGON2_TIME_COST"],
        app.config["ARGON2_MEMORY_COST"],
        app.config["ARGON2_PARALLELISM"],
    )
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    import deliberate.auth
    import deliberate.models  # noqa: F401 (register every model with the metadata)


def _require_shared_rate_limits(app: Flask) -> None:
    """Production runs several processes: refuse per-process rate-limit counters, and a
    shared store that does not answer, with a message that says what to do."""
    uri = app.config["RATELIMIT_STORAGE_URI"]
    if not uri or uri.startswith("memory://"):
        raise RuntimeError(
            "Production needs rate-limit counters shared by every process (each gunicorn "
            "worker and each instance): with RATELIMIT_STORAGE_URI=memory:// a guesser gets "
            "5 tries per process instead of 5. Set RATELIMIT_STORAGE_URI=redis://host:6379/0, "
            "or leave it unset for the local Redis (redis://127.0.0.1:6379/0)."
        )
    if not limiter.storage.check():
        raise RuntimeError(
            f"Production keeps rate-limit counters in Redis, and {_without_password(uri)} does "
            "not answer. Start Redis there, or set RATELIMIT_STORAGE_URI to one that answers "
            "(unset, it is the local Redis, redis://127.0.0.1:6379/0)."
        )


def _without_password(uri: str) -> str:
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def _register_blueprints(app: Flask) -> None:
    from deliberate.accounts.views import admin_bp as accounts_admin_bp
    from deliberate.accounts.views import bp as accounts_bp
    from deliberate.audit.views import bp as audit_bp
    from deliberate.bodies.views import bp as bodies_bp
    from deliberate.debate.views import bp as debate_bp
    from deliberate.decisions.views import bp as decisions_bp
    from deliberate.drafts.views import bp as drafts_bp
    from deliberate.health import bp as health_bp
    from deliberate.main.views import bp as main_bp
    from deliberate.notifications.views import bp as notifications_bp
    from deliberate.papers.views import bp as papers_bp
    from deliberate.tendencies.views import bp as tendencies_bp
    from deliberate.voting.nomination_views import bp as nominations_bp
    from deliberate.voting.views import bp as votes_bp

    for blueprint in (main_bp, accounts_bp, accounts_admin_bp, tendencies_bp, audit_bp):
        app.register_blueprint(blueprint)
    for blueprint in (debate_bp, papers_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(drafts_bp)
    app.register_blueprint(bodies_bp)
    app.register_blueprint(votes_bp)
    app.register_blueprint(nominations_bp)
    app.register_blueprint(decisions_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(health_bp)
    from deliberate.api.endpoints import register
    from deliberate.api.views import bp as tokens_bp
    from deliberate.api.views import reference_bp
    from deliberate.webhooks.views import bp as webhooks_bp

    app.register_blueprint(tokens_bp)
    app.register_blueprint(reference_bp)
    app.register_blueprint(webhooks_bp)
    register(app)


def _register_hooks(app: Flask) -> None:
    @app.before_request
    def _declare_write_intent() -> None:
        write_intent.set(request.method not in READ_ONLY_METHODS)

    @app.before_request
    def _refuse_oversized_bodies() -> None:
        # Werkzeug checks the limit only when a view reads the body; refuse every view alike.
        limit = app.config["MAX_CONTENT_LENGTH"]
        if request.content_length is not None and request.content_length > limit:
            abort(413)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", app.config["CONTENT_SECURITY_POLICY"])
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.method not in READ_ONLY_METHODS or response.status_code >= 400:
            headers.setdefault("Cache-Control", "no-store")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.context_processor
    def _site() -> dict[str, Any]:
        return {"organization_name": app.config["ORGANIZATION_NAME"]}
