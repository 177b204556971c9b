"""Writes a random SECRET_KEY into instance/config.py on first run (`python -m app.instance_setup`).

Runs before the app exists, because create_app() refuses to start without a key.
"""
from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path


def ensure_secret_key(instance_path: Path) -> bool:
    """Create instance/config.py with a new key unless it already sets one. True if written."""
    instance_path.mkdir(parents=True, exist_ok=True)
    config_file = instance_path / "config.py"
    if config_file.exists() and "SECRET_KEY" in config_file.read_text(encoding="utf-8"):
        return False
    line = f"SECRET_KEY = {secrets.token_hex(32)!r}\n"
    header = "" if config_file.exists() else "# Local settings for this installation; never commit this file.\n"
    with open(config_file, "a", encoding="utf-8") as handle:
        handle.write(header + line)
    os.chmod(config_file, 0o600)
    return True


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    target = Path(os.environ.get("ALS_INSTANCE_PATH", root / "instance"))
    if ensure_secret_key(target):
        print(f"Wrote a new random SECRET_KEY to {target / 'config.py'}", file=sys.stderr)
