"""Writes local settings into instance/config.py on first run (`python -m app.instance_setup`):
a random SECRET_KEY, and PUBLIC_URL (the local address `make run` serves) for links in emails.

Runs before the app exists, because create_app() refuses to start without either.
Environment variables still win, so a real deployment sets its own.
"""
from __future__ import annotations

import os
import re
import secrets
import sys
from pathlib import Path

LOCAL_URL = "http://127.0.0.1:5000"


def _sets(config_text: str, name: str) -> bool:
    return re.search(rf"^\s*{name}\s*=", config_text, re.MULTILINE) is not None


def ensure_local_config(instance_path: Path, public_url: str = LOCAL_URL) -> list[str]:
    """Add SECRET_KEY and PUBLIC_URL to instance/config.py unless it sets them; the names added."""
    instance_path.mkdir(parents=True, exist_ok=True)
    config_file = instance_path / "config.py"
    existing = config_file.read_text(encoding="utf-8") if config_file.exists() else ""
    lines: list[str] = []
    if not _sets(existing, "SECRET_KEY"):
        lines.append(f"SECRET_KEY = {secrets.token_hex(32)!r}")
    if not _sets(existing, "PUBLIC_URL"):
        lines.append(f"PUBLIC_URL = {public_url!r}")
    if lines:
        header = "" if existing else "# Local settings for this installation; never commit this file.\n"
        separator = "\n" if existing and not existing.endswith("\n") else ""
        with open(config_file, "a", encoding="utf-8") as handle:
            handle.write(separator + header + "\n".join(lines) + "\n")
        os.chmod(config_file, 0o600)
    return [line.split(" = ")[0] for line in lines]


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    target = Path(os.environ.get("ALS_INSTANCE_PATH", root / "instance"))
    added = ensure_local_config(target, os.environ.get("PUBLIC_URL") or LOCAL_URL)
    if added:
        print(f"Wrote {' and '.join(added)} to {target / 'config.py'}", file=sys.stderr)
