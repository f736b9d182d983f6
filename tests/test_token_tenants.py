"""``manage.py scim_token create NAME --tenant KEY``: a client bound to a tenant (RFC 7644 §6).

The key names the tenant's identity namespace (``User@acme``) and may appear in the
URL (``scim/acme/v2/``), so a key with "@" or "/", surrounding whitespace or more than
64 characters is refused before anything is created. A client created without
``--tenant`` is bound to none, as before.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from django_scim.models import SCIMClient
from tests.conftest import body
from tests.factories import SCIMClientFactory, UserFactory
from tests.test_commands import bearer, run


def test_create_with_tenant_binds_the_client(db):
    run("create", "Acme Okta", "--tenant", "acme")
    assert SCIMClient.objects.get(name="Acme Okta").tenant == "acme"


def test_create_with_tenant_and_token_uses_both(db):
    given = "scim_provided-by-the-idp-0123456789"
    assert run("create", "Acme Okta", "--tenant", "acme", "--token", given).strip() == given
    client = SCIMClient.objects.get(name="Acme Okta")
    assert client.tenant == "acme"
    assert bearer(given).get("Users").status_code == 200


def test_tenant_client_sees_only_its_tenants_users(db):
    """RFC 7644 §6: a user the tenant never provisioned is not among its resources."""
    UserFactory(username="outsider")
    bound = run("create", "Acme Okta", "--tenant", "acme").strip()
    unbound = run("create", "Site IdP").strip()
    assert body(bearer(bound).get("Users"))["totalResults"] == 0
    assert body(bearer(unbound).get("Users"))["totalResults"] == 1


def test_create_without_tenant_binds_none(db):
    run("create", "Okta")
    assert SCIMClient.objects.get(name="Okta").tenant == ""


def test_create_with_tenant_names_it_on_stderr_only(db):
    """stdout stays the token alone, so ``$(manage.py scim_token create ...)`` still works."""
    out, err = StringIO(), StringIO()
    call_command("scim_token", "create", "Acme Okta", "--tenant", "acme", stdout=out, stderr=err)
    assert out.getvalue().count("\n") == 1 and "acme" not in out.getvalue()
    assert "for tenant 'acme'" in err.getvalue()


def test_a_key_of_64_characters_is_accepted(db):
    run("create", "Long", "--tenant", "k" * 64)
    assert SCIMClient.objects.get(name="Long").tenant == "k" * 64


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("k" * 65, "at most 64 characters"),
        ("acme@eu", "cannot contain '@'"),
        ("acme/eu", "or '/'"),
        (" acme", "whitespace"),
        ("acme\t", "whitespace"),
        ("", "needs a key"),
        ("   ", "needs a key"),
    ],
)
def test_create_with_a_bad_tenant_key_fails_and_creates_nothing(db, key, message):
    """An empty key is refused too: ``--tenant "$UNSET"`` must not make a client that
    sees every organisation's people."""
    with pytest.raises(CommandError, match=message):
        run("create", "Okta", "--tenant", key)
    assert not SCIMClient.objects.exists()


def test_list_shows_each_clients_tenant(db):
    SCIMClientFactory(name="Acme Okta", tenant="acme")
    SCIMClientFactory(name="Site IdP")
    lines = {line.split("\t")[0]: line for line in run("list").splitlines()}
    assert lines["Acme Okta"].endswith("\ttenant acme")
    assert lines["Site IdP"].endswith("\tno tenant")
