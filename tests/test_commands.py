"""``manage.py scim_token``: issue, list and revoke client tokens from the shell.

The raw token is printed once on creation (stdout, so it can be piped into a
secret store) and never again: ``list`` shows only the display prefix
(RFC 6819 §5.1.4.1.3).
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from django_scim.constants import USER_SCHEMA
from django_scim.models import SCIMClient
from tests.conftest import SCIMTestClient, body
from tests.factories import SCIMClientFactory


def run(*args: str) -> str:
    out = StringIO()
    call_command("scim_token", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def bearer(raw: str) -> SCIMTestClient:
    client = SCIMTestClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_create_prints_a_token_that_authenticates(db):
    """The printed token is a working bearer token (RFC 6750 §2.1)."""
    raw = run("create", "Okta").strip()
    assert raw.startswith("scim_")
    response = bearer(raw).get("Users")
    assert response.status_code == 200
    assert body(response)["totalResults"] == 0


def test_create_prints_only_the_token_on_stdout(db):
    """stdout is exactly the token and a newline, so ``$(manage.py scim_token create X)`` works."""
    out = run("create", "Okta")
    assert out.count("\n") == 1
    assert " " not in out.strip()


def test_created_client_has_read_write_scope_by_default(db):
    """Without --read-only a client may write: POST /Users is 201 (RFC 7644 §3.3)."""
    raw = run("create", "Okta").strip()
    assert SCIMClient.objects.get(name="Okta").scope == SCIMClient.Scope.READ_WRITE
    response = bearer(raw).post("Users", {"schemas": [USER_SCHEMA], "userName": "bjensen"})
    assert response.status_code == 201


def test_create_with_token_uses_the_given_value(db):
    """``--token`` stores a token chosen elsewhere (e.g. one the IdP generated)."""
    given = "scim_provided-by-the-idp-0123456789"
    assert run("create", "Entra ID", "--token", given).strip() == given
    assert bearer(given).get("Users").status_code == 200


def test_create_stores_only_the_digest(db):
    """RFC 6819 §5.1.4.1.3: the given token is not stored in clear."""
    given = "scim_provided-by-the-idp-0123456789"
    run("create", "Entra ID", "--token", given)
    row = SCIMClient.objects.filter(name="Entra ID").values().get()
    assert all(given not in str(value) for value in row.values())


def test_create_with_too_short_token_fails(db):
    """Tokens shorter than 16 characters are refused (guessable)."""
    with pytest.raises(CommandError, match="at least 16"):
        run("create", "Okta", "--token", "short")
    assert not SCIMClient.objects.filter(name="Okta").exists()


def test_create_with_duplicate_name_fails(db):
    """Client names are unique: a second ``create`` of the same name is an error."""
    run("create", "Okta")
    with pytest.raises(CommandError, match="Okta"):
        run("create", "Okta")
    assert SCIMClient.objects.filter(name="Okta").count() == 1


def test_create_with_a_token_already_in_use_fails(db):
    """Two clients cannot share a token: a token must identify one client."""
    given = "scim_provided-by-the-idp-0123456789"
    run("create", "First", "--token", given)
    with pytest.raises(CommandError):
        run("create", "Second", "--token", given)
    assert not SCIMClient.objects.filter(name="Second").exists()


def test_create_with_blank_name_fails(db):
    """A client needs a name to be told apart in the log and the admin."""
    with pytest.raises(CommandError):
        run("create", "   ")
    assert SCIMClient.objects.count() == 0


def test_read_only_client_can_read_but_not_write(db):
    """``--read-only`` gives the read scope: GET works, POST is 403 (RFC 7644 §3.12)."""
    raw = run("create", "Auditor", "--read-only").strip()
    assert SCIMClient.objects.get(name="Auditor").scope == SCIMClient.Scope.READ
    client = bearer(raw)
    assert client.get("Users").status_code == 200
    assert (
        client.post("Users", {"schemas": [USER_SCHEMA], "userName": "bjensen"}).status_code == 403
    )


def test_list_shows_names_and_never_full_tokens(db):
    """RFC 6819 §5.1.4.1.3: only the display prefix is shown, never the token."""
    okta = run("create", "Okta").strip()
    entra = run("create", "Entra ID", "--read-only").strip()
    out = run("list")
    assert "Okta" in out and "Entra ID" in out
    assert okta not in out and entra not in out
    assert okta[:12] in out


def test_list_shows_scope_and_state(db):
    """``list`` shows each client's scope and whether it is active or revoked."""
    SCIMClientFactory(name="Active IdP")
    SCIMClientFactory(name="Retired IdP", is_active=False, scope=SCIMClient.Scope.READ)
    lines = {line.split("\t")[0]: line for line in run("list").splitlines()}
    assert "\tread_write\tactive\t" in lines["Active IdP"]
    assert "\tread\trevoked\t" in lines["Retired IdP"]


def test_revoke_makes_the_token_fail(db):
    """RFC 7644 §2: a revoked client's token gets 401 from the next request on."""
    raw = run("create", "Okta").strip()
    assert bearer(raw).get("Users").status_code == 200
    run("revoke", "Okta")
    assert bearer(raw).get("Users").status_code == 401
    assert SCIMClient.objects.get(name="Okta").is_active is False


def test_revoke_leaves_other_clients_working(db):
    """Revocation is per client: other tokens keep working."""
    run("create", "Okta")
    entra = run("create", "Entra ID").strip()
    run("revoke", "Okta")
    assert bearer(entra).get("Users").status_code == 200


def test_revoke_of_unknown_name_fails(db):
    """A typo in the name is an error, not a silent no-op."""
    with pytest.raises(CommandError, match="Nobody"):
        run("revoke", "Nobody")


# -- the token's whole life: rotate, reactivate, delete, expiry -------------------------


def test_rotate_prints_a_new_token_and_retires_the_old(db):
    """RFC 6819 §5.1.5.3: the new token works, the old one gets 401."""
    old = run("create", "Okta").strip()
    new = run("rotate", "Okta").strip()
    assert new != old
    assert bearer(old).get("Users").status_code == 401
    assert bearer(new).get("Users").status_code == 200


def test_rotate_of_a_revoked_client_is_refused(db):
    """Never a token that cannot work: a revoked client's new token would get 401."""
    run("create", "Temp")
    run("revoke", "Temp")
    with pytest.raises(CommandError, match="--reactivate"):
        run("rotate", "Temp")


def test_rotate_with_reactivate_gives_a_working_token(db):
    run("create", "Temp")
    run("revoke", "Temp")
    raw = run("rotate", "Temp", "--reactivate").strip()
    assert bearer(raw).get("Users").status_code == 200


def test_create_after_revoke_says_how_to_go_on(db):
    """The issue's case: ``create Temp`` after ``revoke Temp`` names rotate and delete."""
    run("create", "Temp")
    run("revoke", "Temp")
    with pytest.raises(CommandError, match="rotate it with --reactivate, or delete it"):
        run("create", "Temp")


def test_reactivate_makes_the_old_token_work_again(db):
    raw = run("create", "Okta").strip()
    run("revoke", "Okta")
    run("reactivate", "Okta")
    assert bearer(raw).get("Users").status_code == 200


def test_delete_removes_the_client(db):
    run("create", "Temp")
    run("delete", "Temp")
    assert not SCIMClient.objects.filter(name="Temp").exists()


def test_delete_frees_the_name(db):
    run("create", "Temp")
    run("delete", "Temp")
    assert run("create", "Temp").strip().startswith("scim_")


def test_expired_token_is_refused(db):
    raw = run("create", "Okta", "--expires-in", "1").strip()
    expire("Okta")
    assert bearer(raw).get("Users").status_code == 401


def test_unexpired_token_authenticates(db):
    raw = run("create", "Okta", "--expires-in", "30").strip()
    assert bearer(raw).get("Users").status_code == 200


def test_rotate_of_an_expired_client_needs_a_new_expiry(db):
    run("create", "Okta", "--expires-in", "1")
    expire("Okta")
    with pytest.raises(CommandError, match="--no-expiry"):
        run("rotate", "Okta")


def test_rotate_with_no_expiry_renews_an_expired_client(db):
    run("create", "Okta", "--expires-in", "1")
    expire("Okta")
    raw = run("rotate", "Okta", "--no-expiry").strip()
    assert bearer(raw).get("Users").status_code == 200


def test_list_shows_expiry(db):
    run("create", "Okta", "--expires-in", "30")
    assert "\texpires 20" in run("list")


def expire(name: str) -> None:
    SCIMClient.objects.filter(name=name).update(expires=timezone.now() - timedelta(seconds=1))
