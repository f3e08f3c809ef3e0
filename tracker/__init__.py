"""Puls: case tracking for Finsam cooperation around aktivitetsersättning."""

import gc
import importlib
import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    import tracker.models  # noqa: F401  (register every table)
    from config import CONFIGS
    from tracker.core import web
    from tracker.core.errors import register_error_handlers
    from tracker.extensions import csrf, db, login_manager, migrate

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_relative_config=True,
    )
    config_name = config_name or os.environ.get("PULS_ENV", "development")
    app.config.from_object(CONFIGS[config_name])
    app.config.from_pyfile("settings.py", silent=True)
    if overrides:
        app.config.update(overrides)
    _check_config(app, config_name)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)

    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    app.url_map.converters["int"] = web.BoundedIntConverter
    web.init_app(app)
    register_error_handlers(app)
    _register_blueprints(app)
    _register_cli(app)
    # What is built by now (modules, models, templates' environment, the app)
    # lives as long as the process: keep it out of the garbage collector's full
    # collections, which otherwise walk ~200,000 objects (~100 ms) every few
    # hundred requests. Also keeps forked workers' pages shared.
    gc.freeze()
    return app


def _check_config(app: Flask, config_name: str) -> None:
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set (environment variable) outside development.")
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'puls.db'}"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # PostgreSQL's JIT compiles the consent policy's OR-of-EXISTS clauses (high cost
        # estimates, ~1 ms to run) for ~13 ms on every page: off for the app's connections.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("options", "-c jit=off")
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}


# One line per domain: the module that defines its blueprint `bp`.
BLUEPRINT_MODULES = [
    "tracker.core.views",
    "tracker.auth.views",
    "tracker.auth.twofactor_views",
    "tracker.auth.admin_views",
    "tracker.audit.views",
    "tracker.people.views",
    "tracker.people.rights_views",
    "tracker.consent.views",
    "tracker.api.views",
    "tracker.api.docs",
    "tracker.benefits.views",
    "tracker.plans.views",
    "tracker.meetings.views",
    "tracker.notifications.views",
    "tracker.referrals.views",
    "tracker.timesheets.views",
    "tracker.reports.views",
    "tracker.imports.views",
]


def _register_blueprints(app: Flask) -> None:
    for module_name in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(module_name).bp)


def _register_cli(app: Flask) -> None:
    from tracker.audit.cli import audit_cli
    from tracker.auth.cli import users_cli
    from tracker.core.backup import backup_command, restore_command
    from tracker.demo import demo_command
    from tracker.people.retention import retention_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(importlib.import_module("tracker.jobs.runner").scheduler_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(retention_cli)
    app.cli.add_command(importlib.import_module("tracker.imports.cli").import_command)
