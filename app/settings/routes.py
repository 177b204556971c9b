"""Programme settings and email wording pages."""
from __future__ import annotations
