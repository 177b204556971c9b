"""Action Learning Sets: the Flask application factory."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import apply_environment, check_public_url, check_secret_key
from app.database import engine_options
from app.extensions import csrf, db, limiter, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _template_folder() -> Path:
    # A wheel installs the templates inside the package; a checkout keeps them at the top.
    installed = Path(__file__).resolve().parent / "templates"
    return installed if installed.is_dir() else PROJECT_ROOT / "templates"


def _instance_path() -> str | None:
    # A checkout keeps instance/ beside the code; an installed wheel uses ALS_INSTANCE_PATH or
    # Flask's default (<prefix>/var/app-instance), never site-packages.
    if os.environ.get("ALS_INSTANCE_PATH"):
        return os.environ["ALS_INSTANCE_PATH"]
    return str(PROJECT_ROOT / "instance") if (PROJECT_ROOT / "pyproject.toml").exists() else None


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=_instance_path(),
        template_folder=str(_template_folder()),
    )
    app.config.from_object("app.config.Defaults")
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "als.sqlite3")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        apply_environment(app.config)
    else:
        # Tests all come from one address: rate limits are off unless a test turns them on.
        app.config.from_mapping({"RATELIMIT_ENABLED": False, **test_config})
    check_secret_key(app.config)
    check_public_url(app.config, app.debug)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("SQLALCHEMY_ENGINE_OPTIONS")
    )
    os.makedirs(app.instance_path, exist_ok=True)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind a proxy that terminates HTTPS: believe its X-Forwarded-* headers, and no more.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,  # type: ignore[method-assign]
                                x_port=proxies, x_prefix=proxies)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)

    from app import database, web

    database.init_app(app)
    web.init_app(app)

    from app import auth, cli, outbox
    from app.applications import bp as applications_bp
    from app.public import bp as public_bp
    from app.downloads import bp as downloads_bp
    from app.facilitate import bp as facilitate_bp
    from app.finance import bp as finance_bp
    from app.offers import bp as offers_bp
    from app.settings import bp as settings_bp
    from app.review import bp as review_bp
    from app.schedule import bp as schedule_bp
    from app.running.views import bp as running_bp
    from app.sets import bp as sets_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(applications_bp)
    auth.init_app(app)
    app.register_blueprint(review_bp)
    app.register_blueprint(sets_bp)
    app.register_blueprint(schedule_bp)
    app.register_blueprint(running_bp)
    app.register_blueprint(finance_bp)
    app.register_blueprint(downloads_bp)
    app.register_blueprint(offers_bp)
    app.register_blueprint(settings_bp)
    app.register_blueprint(facilitate_bp)
    cli.init_app(app)
    from app.downloads import cli as downloads_cli
    from app.finance import cli as finance_cli

    finance_cli.init_app(app)
    from app.offers import cli as offers_cli

    offers_cli.init_app(app)
    downloads_cli.init_app(app)
    from app.privacy import cli as privacy_cli

    privacy_cli.init_app(app)
    from app.review import cli as review_cli

    review_cli.init_app(app)
    outbox.init_app(app)
    return app
