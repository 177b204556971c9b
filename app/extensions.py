"""Extensions are created once here and bound to an app in create_app()."""
import ipaddress
from collections.abc import Callable

from flask import current_app, request
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()


def client_address() -> str:
    """Who is asking, for rate limits and sign-in slow-downs: the client's IP address (made real
    behind a proxy by ProxyFix), or its /64 network for IPv6, since one home or server is given a
    whole /64 and can change address within it at will."""
    address = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def configured_limit(key: str) -> Callable[[], str]:
    """A Flask-Limiter limit read from the app's config on each request, e.g. "10/minute;50/hour"."""
    return lambda: str(current_app.config[key])


# Settings come from the app's RATELIMIT_* config (see app.config.Defaults).
limiter = Limiter(key_func=client_address)
