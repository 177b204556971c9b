"""Packages for the wheel. The Jinja templates live at the top of the repository (one folder per
blueprint) and are installed as app/templates, beside the static files and migrations, so a wheel
(`pip install .`, not editable) serves pages and runs migrations on its own."""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["app", "app.*", "selection", "selection.*", "exports", "exports.*"]) + ["app.templates"],
    package_dir={"app.templates": "templates"},
)
