"""Review from the command line: `als applications ...`."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Registers the `als applications` commands."""
