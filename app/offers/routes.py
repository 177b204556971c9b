"""The organiser's offers page."""
from __future__ import annotations
