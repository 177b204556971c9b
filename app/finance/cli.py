from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Registers the finance commands (`als import-payments`)."""
