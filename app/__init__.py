"""Action Learning Sets: the Flask application factory."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from app.config import apply_environment, check_secret_key
from app.extensions import csrf, db, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("ALS_INSTANCE_PATH", str(PROJECT_ROOT / "instance")),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_object("app.config.Defaults")
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "als.sqlite3")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        apply_environment(app.config)
    else:
        app.config.from_mapping(test_config)
    check_secret_key(app.config)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)

    from app import database, web

    database.init_app(app)
    web.init_app(app)

    from app import auth, cli, outbox
    from app.applications import bp as applications_bp
    from app.public import bp as public_bp
    from app.downloads import bp as downloads_bp
    from app.finance import bp as finance_bp
    from app.review import bp as review_bp
    from app.schedule import bp as schedule_bp
    from app.sets import bp as sets_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(applications_bp)
    auth.init_app(app)
    app.register_blueprint(review_bp)
    app.register_blueprint(sets_bp)
    app.register_blueprint(schedule_bp)
    app.register_blueprint(finance_bp)
    app.register_blueprint(downloads_bp)
    cli.init_app(app)
    from app.downloads import cli as downloads_cli
    from app.finance import cli as finance_cli

    finance_cli.init_app(app)
    downloads_cli.init_app(app)
    outbox.init_app(app)
    return app
