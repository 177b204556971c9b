"""A wheel built from the repository (`pip install .`, not editable) carries its templates, static
files and migrations: installed on its own, it migrates a database and serves styled pages."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run inside the installed copy only: it must find everything it needs in its own files.
SERVE = """
import app, sys
from pathlib import Path
assert Path(app.__file__).resolve().is_relative_to(Path(sys.argv[1]).resolve()), app.__file__
from app.cli import main
try:
    main(["db", "upgrade"], standalone_mode=False)
except SystemExit:
    pass
from app import create_app
client = create_app().test_client()
start = client.get("/")
css = client.get("/static/css/app.css")
login = client.get("/staff/login")
print(start.status_code, css.status_code, login.status_code, len(css.data) > 1000)
print(start.get_data(as_text=True))
"""


def test_an_installed_wheel_migrates_and_serves_pages(tmp_path, database_url):
    built = tmp_path / "dist"
    # setuptools reuses build/ in the checkout; stale files there could hide a missing one.
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(built)], check=True, cwd=tmp_path, capture_output=True)
    [wheel] = built.glob("*.whl")
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(target), "SECRET_KEY": "w" * 40, "PUBLIC_URL": "https://als.example.org",
           "DATABASE_URL": database_url, "ALS_INSTANCE_PATH": str(tmp_path / "instance")}
    result = subprocess.run([sys.executable, "-c", SERVE, str(target)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    statuses, page = result.stdout.split("\n", 1)
    assert statuses == "200 200 200 True"
    assert "Apply" in page
