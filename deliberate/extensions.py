"""Unbound Flask extensions, initialised by create_app."""

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from deliberate.database import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def login_account_key() -> str:
    """Rate-limit key for the account named in a login form (case-insensitive email)."""
    return "account:" + (request.form.get("email") or "").strip().lower()[:320]
