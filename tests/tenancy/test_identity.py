"""Identity per tenant: names, ids, no takeover, adoption, revival and detaching.

RFC 7643 §7: "server" uniqueness is within the service provider's tenancy;
RFC 7644 §6.2: ``externalId`` is unique only within a tenant. A site's
Django user may belong to several tenants, each knowing it by its own id.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from django_scim.adapters.users import UserAdapter
from django_scim.models import ProvisioningLog, ResourceRecord
from tests.conftest import assert_scim_error, body, ops
from tests.factories import StaffUserFactory, UserFactory
from tests.tenancy.conftest import USER, listed, new_user

User = get_user_model()


class EmailNamedUserAdapter(UserAdapter):
    """A site whose usernames are e-mail addresses, unique across tenants anyway."""

    def tenant_name_prefix(self) -> str:
        return ""


EMAIL_NAMES = {
    "ADAPTERS": [
        "tests.tenancy.test_identity.EmailNamedUserAdapter",
        "django_scim.adapters.groups.GroupAdapter",
    ]
}


def test_the_same_user_name_in_two_tenants(acme, globex):
    """RFC 7643 §7 / RFC 7644 §6: each tenant has its own ``bjensen``: two users, two ids,
    each shown to its tenant as ``bjensen``."""
    a = new_user(acme, "bjensen", name={"givenName": "Barbara"})
    g = new_user(globex, "bjensen", name={"givenName": "Babs"})
    assert a["id"] != g["id"]
    assert a["userName"] == g["userName"] == "bjensen"
    assert set(User.objects.values_list("username", flat=True)) == {
        "acme+bjensen",
        "globex+bjensen",
    }
    assert body(acme.get(f"Users/{a['id']}"))["name"]["givenName"] == "Barbara"
    assert body(globex.get(f"Users/{g['id']}"))["name"]["givenName"] == "Babs"


def test_a_tenants_duplicate_is_409_uniqueness(acme):
    """RFC 7644 §3.3: within one tenant userName stays unique (case-insensitively)."""
    new_user(acme, "bjensen")
    assert_scim_error(
        acme.post("Users", {"schemas": [USER], "userName": "BJensen"}), 409, "uniqueness"
    )


def test_one_site_user_has_an_id_per_tenant(acme, globex, settings):
    """RFC 7643 §3.1 / RFC 7644 §6: a person adopted by two tenants has a separate id,
    externalId and attributes in each; neither id works for the other tenant."""
    settings.SCIM = {**EMAIL_NAMES, "ADOPT_EXISTING_USERS": True}
    person = UserFactory(username="pat@example.com")
    in_acme = new_user(acme, "pat@example.com", externalId="acme-1")
    # Adopted by acme, pat now belongs to a tenant: globex may not take pat over.
    assert_scim_error(
        globex.post("Users", {"schemas": [USER], "userName": "pat@example.com"}),
        409,
        "uniqueness",
    )
    assert in_acme["externalId"] == "acme-1"
    rows = ResourceRecord.objects.filter(object_pk=str(person.pk), resource_type="User")
    assert list(rows.values_list("tenant", flat=True)) == ["acme"]
    assert_scim_error(globex.get(f"Users/{in_acme['id']}"), 404)


def test_no_takeover_of_a_site_user_with_the_default_prefix(acme):
    """A tenant's ``alice`` is never the site's existing ``alice``: with the stock userName
    mapping the tenant's user is a new Django user, and the site's is untouched."""
    site_alice = UserFactory(username="alice", first_name="Site")
    created = new_user(acme, "alice", name={"givenName": "Tenant"})
    site_alice.refresh_from_db()
    assert site_alice.first_name == "Site"
    assert User.objects.get(username="acme+alice").first_name == "Tenant"
    assert created["userName"] == "alice"


def test_no_takeover_by_default_where_names_are_site_wide(acme, settings):
    """The takeover sites have lost accounts to: a tenant POSTing another user's e-mail
    address. By default it is 409 uniqueness and the user gains no identity in the tenant."""
    settings.SCIM = EMAIL_NAMES
    victim = UserFactory(username="ceo@victim.example", first_name="Real")
    assert_scim_error(
        acme.post(
            "Users",
            {"schemas": [USER], "userName": "ceo@victim.example", "name": {"givenName": "Fake"}},
        ),
        409,
        "uniqueness",
    )
    victim.refresh_from_db()
    assert victim.first_name == "Real"
    assert not ResourceRecord.objects.filter(object_pk=str(victim.pk), tenant="acme").exists()


def test_opt_in_adoption_of_a_user_of_no_tenant(acme, settings):
    """ADOPT_EXISTING_USERS: a user who belongs to no tenant is adopted (same Django user,
    the values sent, an identity in the tenant)."""
    settings.SCIM = {**EMAIL_NAMES, "ADOPT_EXISTING_USERS": True}
    person = UserFactory(username="new.hire@acme.example", first_name="Old")
    adopted = new_user(acme, "new.hire@acme.example", name={"givenName": "New"})
    person.refresh_from_db()
    assert person.first_name == "New"
    assert User.objects.count() == 1
    assert listed(acme, "Users")[0]["id"] == adopted["id"]


def test_adoption_is_limited_to_the_tenants_domains(acme, settings):
    """ADOPTION_DOMAINS: a tenant adopts only users whose name and e-mail address are in its
    domains; anyone else's name is 409."""
    settings.SCIM = {
        **EMAIL_NAMES,
        "ADOPT_EXISTING_USERS": True,
        "ADOPTION_DOMAINS": {"acme": ["acme.example"]},
    }
    UserFactory(username="outsider@other.example")
    UserFactory(username="sneaky@acme.example", email="sneaky@other.example")
    UserFactory(username="insider@acme.example", email="insider@acme.example")
    for name in ("outsider@other.example", "sneaky@acme.example"):
        response = acme.post("Users", {"schemas": [USER], "userName": name})
        assert_scim_error(response, 409, "uniqueness")
    new_user(acme, "insider@acme.example")


def test_a_protected_account_is_never_adopted(acme, settings):
    """Protected accounts (staff, superusers) are never adopted, whatever the settings."""
    settings.SCIM = {**EMAIL_NAMES, "ADOPT_EXISTING_USERS": True}
    StaffUserFactory(username="admin@acme.example")
    assert_scim_error(
        acme.post("Users", {"schemas": [USER], "userName": "admin@acme.example"}),
        409,
        "uniqueness",
    )


def test_revival_stays_within_the_tenant(acme, globex, settings):
    """REVIVE_ON_CREATE within a tenant: acme's re-POST of its deactivated ``bjensen``
    revives it (same id); globex's ``bjensen`` is another person and revives nothing."""
    settings.SCIM = {"DELETE_MODE": "deactivate"}
    first = new_user(acme, "bjensen")
    assert acme.delete(f"Users/{first['id']}").status_code == 204
    other = new_user(globex, "bjensen")
    assert other["id"] != first["id"]
    assert User.objects.get(username="acme+bjensen").is_active is False
    again = new_user(acme, "bjensen")
    assert again["id"] == first["id"]
    assert again["active"] is True


def test_users_sharing_an_external_id_stay_apart(acme, settings):
    """RFC 7643 §3.1: externalId is not unique. Microsoft's SCIM test collection posts users
    sharing one; after one is deactivated, the next POST is still a new person."""
    settings.SCIM = {"DELETE_MODE": "deactivate"}
    one = new_user(acme, "one@acme.example", externalId="same")
    assert acme.delete(f"Users/{one['id']}").status_code == 204
    two = new_user(acme, "two@acme.example", externalId="same")
    assert two["id"] != one["id"]
    assert User.objects.get(username="acme+one@acme.example").is_active is False


def test_detach_takes_the_user_out_of_the_tenant_and_keeps_the_person(acme, scim, settings):
    """DELETE_MODE "detach" (RFC 7644 §3.6 for the tenant: the resource is gone from it):
    204, then 404 for the tenant; the Django user stays, active, and leaves the tenant's
    groups."""
    settings.SCIM = {"DELETE_MODE": "detach"}
    user = new_user(acme, "leaver")
    group = body(
        acme.post(
            "Groups",
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "Team",
                "members": [{"value": user["id"]}],
            },
        )
    )
    assert acme.delete(f"Users/{user['id']}").status_code == 204
    assert_scim_error(acme.get(f"Users/{user['id']}"), 404)
    person = User.objects.get(username="acme+leaver")
    assert person.is_active
    assert not person.groups.exists()
    assert "members" not in body(acme.get(f"Groups/{group['id']}"))
    assert listed(acme, "Users") == []
    # A client bound to no tenant still sees the person.
    assert [r["userName"] for r in listed(scim, "Users")] == ["acme+leaver"]


def test_detach_for_an_unbound_client_deactivates(scim, settings):
    """DELETE_MODE "detach" for a client bound to no tenant: there is nothing to detach
    from, so the user is deactivated, never deleted."""
    settings.SCIM = {"DELETE_MODE": "detach"}
    user = body(scim.post("Users", {"schemas": [USER], "userName": "kept"}))
    assert scim.delete(f"Users/{user['id']}").status_code == 204
    assert User.objects.get(username="kept").is_active is False


def test_the_log_records_the_tenant(acme, scim):
    """Operators see tenants: each log row carries its client's tenant."""
    new_user(acme, "logged")
    scim.get("Users")
    assert list(ProvisioningLog.objects.order_by("created").values_list("tenant", flat=True)) == [
        "acme",
        "",
    ]


@pytest.mark.parametrize("mode", ["delete", "deactivate"])
def test_patch_and_put_keep_the_tenants_names(acme, settings, mode):
    """PUT and PATCH write names through the tenant's prefix as POST does."""
    settings.SCIM = {"DELETE_MODE": mode}
    user = new_user(acme, "before")
    response = acme.patch(
        f"Users/{user['id']}", ops({"op": "replace", "path": "userName", "value": "after"})
    )
    assert body(response)["userName"] == "after"
    response = acme.put(f"Users/{user['id']}", {"schemas": [USER], "userName": "final"})
    assert body(response)["userName"] == "final"
    assert User.objects.filter(username="acme+final").exists()


def test_a_detached_user_comes_back_to_its_tenant(acme, settings):
    """DELETE_MODE "detach", then the identity provider assigns the person again: the POST
    takes back the tenant's own former user (its name carries the tenant's prefix, so no
    other tenant made it) with the same id, without any adoption setting."""
    settings.SCIM = {"DELETE_MODE": "detach"}
    first = new_user(acme, "bjensen", name={"givenName": "Barbara"})
    assert acme.delete(f"Users/{first['id']}").status_code == 204
    assert listed(acme, 'Users?filter=userName eq "bjensen"') == []
    again = new_user(acme, "bjensen", name={"givenName": "Babs"})
    assert again["id"] == first["id"]
    assert again["name"]["givenName"] == "Babs"
    assert User.objects.count() == 1


def test_a_conflict_names_the_value_as_the_tenant_sent_it(acme):
    """RFC 7644 §3.12: the 409's detail speaks of the tenant's userName, never of the
    name as the site stores it (``acme+bjensen``)."""
    new_user(acme, "bjensen")
    user = new_user(acme, "other")
    response = acme.patch(
        f"Users/{user['id']}", ops({"op": "replace", "path": "userName", "value": "bjensen"})
    )
    error = assert_scim_error(response, 409, "uniqueness")
    assert "acme+" not in error["detail"]
    assert "bjensen" in error["detail"]


def test_a_member_the_site_named_itself_keeps_its_name(acme):
    """A user the site put in the tenant under a name without the prefix (its own
    membership) is found by that name, and a PUT sending it back renames nothing."""
    carol = UserFactory(username="carol")
    ResourceRecord.objects.create(resource_type="User", tenant="acme", object_pk=str(carol.pk))
    found = listed(acme, 'Users?filter=userName eq "Carol"')
    assert [r["userName"] for r in found] == ["carol"]
    response = acme.put(
        f"Users/{found[0]['id']}",
        {"schemas": [USER], "userName": "carol", "name": {"givenName": "Carol"}},
    )
    assert response.status_code == 200
    carol.refresh_from_db()
    assert (carol.username, carol.first_name) == ("carol", "Carol")
    assert listed(acme, 'Users?filter=userName ne "carol"') == []
