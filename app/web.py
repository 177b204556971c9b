"""Templates, security headers and error pages shared by every blueprint."""
from __future__ import annotations

import math
import secrets
import time

from flask import Flask, Response, current_app, g, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from markupsafe import Markup, escape

from app.clock import format_date, format_london
from app.extensions import limiter


def format_money(pence: int) -> str:
    """£50, £300, £1,234.50: whole pounds without pence, as people write fees."""
    pounds, rest = divmod(abs(pence), 100)
    text = f"£{pounds:,}" if rest == 0 else f"£{pounds:,}.{rest:02d}"
    return f"-{text}" if pence < 0 else text


def nl2br(value: object) -> Markup:
    lines = str(value or "").split("\n")
    return Markup("<br>").join(escape(line) for line in lines)


# Pages that show personal data or carry a private token: never kept by browsers or proxies.
PRIVATE_PATHS = ("/application/", "/apply", "/manage", "/staff", "/facilitate")


class SessionCookieInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request came over HTTPS (directly or through a
    trusted proxy), as well as when SESSION_COOKIE_SECURE says so."""

    def get_cookie_secure(self, app: Flask) -> bool:  # type: ignore[override]
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    app.session_interface = SessionCookieInterface()
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(app.template_folder),  # type: ignore[arg-type]
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    # GOV.UK's template reads many optional parameters; missing ones must render as nothing.
    app.jinja_env.undefined = ChainableUndefined
    app.jinja_env.filters["london"] = format_london
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["nl2br"] = nl2br
    WTFormsHelpers(app)

    @app.before_request
    def make_nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.context_processor
    def inject_nonce() -> dict[str, str]:
        return {"cspNonce": g.get("csp_nonce", "")}

    @app.template_global()
    def has_endpoint(name: str) -> bool:
        """Whether a page exists, so the navigation can link to a feature only once it is there."""
        return name in current_app.view_functions

    @app.template_global()
    def history_lines(events: list) -> list:
        """Audit events in words (see app.review.history), for any page that shows a history."""
        from app.review.history import describe

        return describe(events)

    @app.after_request
    def security_headers(response: Response) -> Response:
        nonce = g.get("csp_nonce", "")
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        # Private links carry a secret token in the URL: never send it to other sites. Same-origin
        # requests keep their Referer, which Flask-WTF's CSRF check demands over HTTPS.
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = f"max-age={app.config['HSTS_MAX_AGE']}"
        if request.path.startswith(PRIVATE_PATHS):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # type: ignore[no-untyped-def]
        return render_template("errors/session_expired.html"), 400

    @app.errorhandler(403)
    def forbidden(error):  # type: ignore[no-untyped-def]
        return render_template("errors/forbidden.html"), 403

    @app.errorhandler(404)
    def not_found(error):  # type: ignore[no-untyped-def]
        return render_template("errors/not_found.html"), 404

    @app.errorhandler(413)
    def too_large(error):  # type: ignore[no-untyped-def]
        return render_template("errors/too_large.html"), 413

    @app.errorhandler(429)
    def too_many_requests(error):  # type: ignore[no-untyped-def]
        # Flask-Limiter knows when the breached limit's window ends; say so, and in Retry-After.
        breached = limiter.current_limit
        seconds = max(1, math.ceil(breached.reset_at - time.time())) if breached is not None else 60
        page = render_template("errors/too_many_requests.html", minutes=max(1, round(seconds / 60)))
        return page, 429, {"Retry-After": str(seconds)}

    @app.errorhandler(500)
    def server_error(error):  # type: ignore[no-untyped-def]
        return render_template("errors/server_error.html"), 500
