"""What operators see of tenants: a person's history across the tenants it belongs to."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse

from django_scim import checks
from django_scim.adapters.users import UserAdapter
from tests.conftest import body, ops
from tests.tenancy.conftest import new_user
from tests.tenancy.test_identity import EMAIL_NAMES

User = get_user_model()


def test_a_users_history_holds_every_tenants_requests(admin_client, acme, scim, settings):
    """A person known by an id per tenant (RFC 7644 §6) has one history in the admin: the
    requests of every tenant's client and of clients bound to none."""
    settings.SCIM = {**EMAIL_NAMES, "ADOPT_EXISTING_USERS": True}
    site = body(scim.post("Users", {"userName": "pat@example.com"}))
    scim.patch(f"Users/{site['id']}", ops({"op": "replace", "path": "title", "value": "Site"}))
    adopted = new_user(acme, "pat@example.com", title="Acme")
    assert adopted["id"] != site["id"]
    person = User.objects.get(username="pat@example.com")
    url = reverse("admin:auth_user_scim_history", args=[person.pk])
    text = admin_client.get(url).content.decode()
    assert "Acme Entra ID" in text  # the tenant's adoption
    assert "<td><code>title</code></td><td>—</td><td>Site</td>" in text  # the site's patch


class OwnMembershipUsers(UserAdapter):
    """Overrides tenant_queryset() and forgets to say the membership is the site's."""

    def tenant_queryset(self, queryset):
        return queryset


def test_an_own_tenant_queryset_without_site_membership_is_warned(settings):
    """django_scim.W001: references would be shown by SCIM identity, hiding the members the
    site added itself; the check says so at startup."""
    settings.SCIM = {
        "ADAPTERS": [
            "tests.tenancy.test_operators.OwnMembershipUsers",
            "django_scim.adapters.groups.GroupAdapter",
        ]
    }
    assert [w.id for w in checks.check_tenant_membership()] == ["django_scim.W001"]
    OwnMembershipUsers.tenant_membership = "site"
    try:
        assert checks.check_tenant_membership() == []
    finally:
        OwnMembershipUsers.tenant_membership = "identities"
