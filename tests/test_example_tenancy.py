"""The example project's organisations as tenants (RFC 7644 §6), as its demo sets them up.

The example project has its own user model and an ``Organisation`` with
members, which the test settings (stock ``auth.User``) do not install, so the
project runs in subprocesses with its own settings and SQLite file: ``migrate``,
the demo command twice (its output is checked), then :func:`scenario`, which
sends requests with the printed tokens through Django's test client and
prints what it saw as one JSON object. Each test checks one part of it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
BASE = "http://127.0.0.1:8000/scim/v2"
SCIM_JSON = "application/scim+json"
DEMO_TOKEN = re.compile(r"^Bearer token:\s+(\S+)$", re.MULTILINE)
TENANT_BLOCK = re.compile(
    r"^(?P<name>.+) \(tenant (?P<slug>\w+)\), client '(?P<client>[^']+)':\n"
    r"  SCIM endpoint: (?P<url>\S+)\n"
    r"  Token:\s+(?P<token>\S+)$",
    re.MULTILINE,
)


def _run(argv: list[str], database: Path, **env: str) -> str:
    completed = subprocess.run(
        [sys.executable, *argv],
        cwd=ROOT,
        env=os.environ
        | {
            "DJANGO_SETTINGS_MODULE": "example_project.settings",
            "SCIM_EXAMPLE_SQLITE": str(database),
        }
        | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, f"{argv}\n{completed.stdout}\n{completed.stderr}"
    return completed.stdout


def _tenants(output: str) -> dict[str, dict[str, str]]:
    return {found["slug"]: found.groupdict() for found in TENANT_BLOCK.finditer(output)}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict[str, Any]:
    """The example project after ``migrate`` and two runs of the demo command, and what
    :func:`scenario` saw with the second run's tokens."""
    database = tmp_path_factory.mktemp("example-tenancy") / "db.sqlite3"
    _run(["manage.py", "migrate", "--noinput", "-v", "0"], database)
    first = _run(["manage.py", "demo_client", "--url", BASE], database)
    second = _run(["manage.py", "demo_client", "--url", BASE], database)
    tenants = _tenants(second)
    script = (
        "import django; django.setup(); from tests.test_example_tenancy import scenario; scenario()"
    )
    seen = _run(
        ["-c", script],
        database,
        SCIM_DEMO_TOKEN=DEMO_TOKEN.findall(second)[0],
        SCIM_ACME_TOKEN=tenants["acme"]["token"],
        SCIM_GLOBEX_TOKEN=tenants["globex"]["token"],
    )
    return {"first": first, "second": second, "seen": json.loads(seen.splitlines()[-1])}


def scenario() -> None:
    """Run in the example project: each tenant's client creates a ``bjensen``; the site
    makes ``carol`` an acme member and ``dave`` a member of nothing; acme's client lists
    and reads, then deletes its bjensen with ``DELETE_MODE = "detach"``."""
    from django.conf import settings
    from django.test import Client, override_settings

    from example_project.accounts.models import Membership, Organisation, User

    def client(variable: str) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {os.environ[variable]}", HTTP_HOST="localhost")

    def user_names(response: Any) -> list[str]:
        return sorted(item["userName"] for item in json.loads(response.content)["Resources"])

    def organisations(username: str) -> list[str]:
        rows = Membership.objects.filter(user__username=username)
        return sorted(rows.values_list("organisation__slug", flat=True))

    acme, globex = client("SCIM_ACME_TOKEN"), client("SCIM_GLOBEX_TOKEN")
    bjensen = json.dumps({"userName": "bjensen"})
    created = acme.post("/scim/acme/v2/Users", bjensen, content_type=SCIM_JSON)
    globex.post("/scim/globex/v2/Users", bjensen, content_type=SCIM_JSON)
    carol = User.objects.create(username="carol")
    Membership.objects.create(organisation=Organisation.objects.get(slug="acme"), user=carol)
    User.objects.create(username="dave")
    seen: dict[str, Any] = {
        "created": [created.status_code, json.loads(created.content)],
        "stored": sorted(
            User.objects.filter(username__endswith="bjensen").values_list("username", flat=True)
        ),
        "acme_member": organisations("acme+bjensen"),
        "acme_sees": user_names(acme.get("/scim/acme/v2/Users")),
        "globex_sees": user_names(globex.get("/scim/v2/Users")),
        "demo_sees": user_names(client("SCIM_DEMO_TOKEN").get("/scim/v2/Users")),
        "acme_at_globex_url": acme.get("/scim/globex/v2/Users").status_code,
        "demo_at_acme_url": client("SCIM_DEMO_TOKEN").get("/scim/acme/v2/Users").status_code,
    }
    location = json.loads(created.content)["meta"]["location"]
    with override_settings(SCIM={**settings.SCIM, "DELETE_MODE": "detach"}):
        seen["detached"] = acme.delete(location).status_code
    seen["after_detach"] = {
        "acme_member": organisations("acme+bjensen"),
        "user": list(
            User.objects.filter(username="acme+bjensen").values_list("is_active", flat=True)
        ),
        "acme_reads": acme.get(location).status_code,
        "acme_sees": user_names(acme.get("/scim/v2/Users")),
        "globex_sees": user_names(globex.get("/scim/v2/Users")),
    }
    print(json.dumps(seen))


def test_the_demo_token_is_still_printed_first(site):
    """README's quick start pastes the token after the first "Bearer token:": the unbound
    "Demo IdP", which sees every user (``demo_sees``)."""
    output = site["second"]
    assert output.startswith(f"SCIM endpoint: {BASE}/\nBearer token:  ")
    assert len(DEMO_TOKEN.findall(output)) == 1
    assert site["seen"]["demo_sees"] == ["acme+bjensen", "carol", "dave", "globex+bjensen"]


def test_the_demo_prints_each_organisations_client_with_its_url(site):
    """After the demo token: acme's and globex's clients, each with its tenant's URL."""
    tenants = _tenants(site["second"])
    assert site["second"].index("Acme Corporation") > site["second"].index("Bearer token:")
    assert {slug: (found["client"], found["url"]) for slug, found in tenants.items()} == {
        "acme": ("Acme Entra ID", "http://127.0.0.1:8000/scim/acme/v2/"),
        "globex": ("Globex Okta", "http://127.0.0.1:8000/scim/globex/v2/"),
    }


def test_every_demo_run_issues_new_tokens(site):
    """Like the demo token, each organisation's token is new on every run."""
    before, after = _tenants(site["first"]), _tenants(site["second"])
    assert DEMO_TOKEN.findall(site["first"]) != DEMO_TOKEN.findall(site["second"])
    assert all(before[slug]["token"] != after[slug]["token"] for slug in ("acme", "globex"))


def test_a_client_bound_to_acme_sees_only_acme_members(site):
    """RFC 7644 §6: acme's client lists its own bjensen and carol, whom the site made an
    acme member; neither globex's bjensen nor dave, who belongs to no organisation."""
    assert site["seen"]["acme_sees"] == ["bjensen", "carol"]
    assert site["seen"]["globex_sees"] == ["bjensen"]


def test_a_user_created_by_the_acme_client_becomes_an_acme_member(site):
    """``attach()``: the POST answers 201 and the new user is a member of acme alone."""
    status, created = site["seen"]["created"]
    assert status == 201
    assert created["userName"] == "bjensen"
    assert site["seen"]["acme_member"] == ["acme"]


def test_each_organisation_has_its_own_bjensen(site):
    """The default ``tenant_name_prefix()``: the example's usernames are login names,
    unique across the site, so each tenant's are stored behind its key."""
    assert site["seen"]["stored"] == ["acme+bjensen", "globex+bjensen"]


def test_a_tenant_url_answers_only_the_tenants_client(site):
    """RFC 7644 §6.1: acme's client at globex's URL, and the unbound client at acme's,
    get 404; resources created at acme's URL are located under it."""
    assert site["seen"]["acme_at_globex_url"] == 404
    assert site["seen"]["demo_at_acme_url"] == 404
    location = site["seen"]["created"][1]["meta"]["location"]
    assert location.startswith("http://localhost/scim/acme/v2/Users/")


def test_detach_removes_the_membership_and_keeps_the_user(site):
    """``DELETE_MODE = "detach"``: 204, bjensen leaves acme (``detach()``) and the account
    stays, active; acme's client no longer finds it, and globex's bjensen is untouched."""
    after = site["seen"]["after_detach"]
    assert site["seen"]["detached"] == 204
    assert after["acme_member"] == []
    assert after["user"] == [True]
    assert after["acme_reads"] == 404
    assert after["acme_sees"] == ["carol"]
    assert after["globex_sees"] == ["bjensen"]
