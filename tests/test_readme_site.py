"""README's "Add it to your site", applied literally to a new ``startproject`` site.

The snippets are taken from README.md by their ``<!-- readme-test: NAME -->``
markers, so this test fails when README drifts from what works: a snippet
that no longer pastes cleanly, a command that changed, a marker removed. The
site runs in subprocesses (its own settings, its own SQLite file) and serves
Entra ID's first requests through Django's test client: nothing listens on
the network.

SCIM_README_PYTHON names another interpreter to build the site with (one
with the package installed from a wheel, say); the default is this one.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SMOKE = Path(__file__).with_name("smoke_site.py")
MARKED = re.compile(r"<!-- readme-test: ([\w-]+) -->\n```(\w+)\n(.*?)\n```", re.DOTALL)
PROJECT = "mysite"


def snippets() -> dict[str, str]:
    found = {name: code for name, _lang, code in MARKED.findall(README.read_text())}
    missing = {"install", "settings", "urls", "commands"} - found.keys()
    assert not missing, f"README.md lost its readme-test markers: {sorted(missing)}"
    return found


def commands(block: str) -> list[list[str]]:
    """The shell lines of a README block, comments dropped, split as a shell would."""
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


def run(argv: list[str], cwd: Path, **env: str) -> str:
    completed = subprocess.run(
        argv,
        cwd=cwd,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": f"{PROJECT}.settings"} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, f"{argv}\n{completed.stdout}\n{completed.stderr}"
    return completed.stdout


@pytest.fixture(scope="module")
def python(tmp_path_factory) -> str:
    """The interpreter; another one must import the package from its own installation."""
    other = os.environ.get("SCIM_README_PYTHON")
    if not other:
        return sys.executable
    where = tmp_path_factory.mktemp("import-check")
    found = run([other, "-c", "import django_scim; print(django_scim.__file__)"], where)
    assert not Path(found.strip()).is_relative_to(ROOT), f"not an installed package: {found}"
    return other


@pytest.fixture(scope="module")
def site(tmp_path_factory, python) -> Path:
    """A fresh startproject site with README's settings and urls snippets appended."""
    where = tmp_path_factory.mktemp("readme-site")
    run([python, "-m", "django", "startproject", PROJECT, str(where)], where)
    parts = snippets()
    for name, filename in (("settings", "settings.py"), ("urls", "urls.py")):
        with (where / PROJECT / filename).open("a") as module:
            module.write(f"\n{parts[name]}\n")
    return where


def manage(site: Path, python: str, argv: list[str]) -> str:
    assert argv[:2] == ["python", "manage.py"], f"not a manage.py command: {argv}"
    return run([python, *argv[1:]], site)


def test_readme_install_offers_a_command_that_works_today():
    """Until the package is on PyPI, README must install it from a path or a repository."""
    lines = commands(snippets()["install"])
    assert lines and all(line[:2] == ["pip", "install"] for line in lines)
    assert "django-scim-provider" not in [line[2] for line in lines]


def test_readme_steps_give_a_site_that_passes_check(site, python):
    """The settings and urls snippets, pasted as they are, leave a site Django accepts."""
    manage(site, python, ["python", "manage.py", "check"])


def test_readme_steps_serve_entra_first_requests(site, python):
    """migrate, scim_token create, then Entra's lookup, create, disable, read and delete."""
    token = ""
    for argv in commands(snippets()["commands"]):
        token = manage(site, python, argv).strip()
    assert token, "scim_token create printed no token"
    output = run([python, str(SMOKE), "/scim/v2/"], site, SCIM_TOKEN=token)
    steps = [json.loads(line) for line in output.splitlines()]
    assert [(step["step"], step["status"]) for step in steps] == [
        ("lookup", 200),
        ("create", 201),
        ("disable", 200),
        ("read", 200),
        ("delete", 204),
        ("gone", 404),
    ]
