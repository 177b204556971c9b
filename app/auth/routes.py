from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from app import audit
from app.auth import bp
from app.auth.accounts import LoginRefused, authenticate, end_sessions
from app.auth.forms import LoginForm
from app.clock import utcnow
from app.extensions import client_address, configured_limit, db, limiter
from app.models import Role


def home_for(role: Role) -> str:
    """Where a role starts after signing in: finance at the fees, facilitators at their sets,
    organisers at the applications."""
    from flask import current_app

    if role is Role.FINANCE and "finance.index" in current_app.view_functions:
        return url_for("finance.index")
    if role is Role.FACILITATOR:
        # Never an organiser's page, which would only say "forbidden".
        return url_for("facilitate.index") if "facilitate.index" in current_app.view_functions else url_for("public.start")
    return url_for("review.index")


def _safe_next(target: str | None) -> str | None:
    # Only local paths: never redirect a signed-in user to another site.
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(configured_limit("RATELIMIT_LOGIN"), methods=["POST"])
def login() -> Response | str:
    """Sign in with email and password; guessing is slowed down per email and client address."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user.role))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data or "", form.password.data or "", utcnow(), client_address())
        except LoginRefused as refused:
            form.password.errors = [refused.message]
        else:
            login_user(user)
            audit.record(user.email, "user.login", f"user:{user.email}")
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or home_for(user.role))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    """Sign out: the session token changes, so a copy of this session's cookie stops working too."""
    user = current_user._get_current_object()
    end_sessions(user)
    audit.record(user.email, "user.logout", f"user:{user.email}")
    db.session.commit()
    logout_user()
    return redirect(url_for("auth.login"))
