"""Tenants in the admin (RFC 7644 §6): a client's tenant is chosen when it is added and
fixed afterwards; the client list and the provisioning log filter by tenant.

Moving a client to another tenant would show it another organisation's people, so
the change form shows the tenant read-only. The log's tenant filter takes its
choices from the clients, never from a scan of the log. docs/provisioning-log.md.
"""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from django_scim.admin.tenants import NO_TENANT
from django_scim.models import SCIMClient
from tests.factories import ProvisioningLogFactory, SCIMClientFactory

ADD = "admin:django_scim_scimclient_add"
CLIENTS = "admin:django_scim_scimclient_changelist"
LOG = "admin:django_scim_provisioninglog_changelist"


def client_form(**fields) -> dict[str, str]:
    return {
        "name": "Acme Okta",
        "scope": "read_write",
        "is_active": "on",
        "cycle_minutes": "40",
        "_save": "Save",
        **fields,
    }


# -- the client's tenant ------------------------------------------------------------------


def test_add_form_asks_for_the_tenant(admin_client):
    text = admin_client.get(reverse(ADD)).content.decode()
    assert 'name="tenant"' in text
    assert "Fixed once the client is saved" in text


def test_add_form_stores_the_tenant(admin_client):
    admin_client.post(reverse(ADD), client_form(tenant="acme"))
    assert SCIMClient.objects.get(name="Acme Okta").tenant == "acme"


def test_add_form_without_a_tenant_binds_none(admin_client):
    admin_client.post(reverse(ADD), client_form())
    assert SCIMClient.objects.get(name="Acme Okta").tenant == ""


def test_add_form_refuses_a_key_with_an_at_sign(admin_client):
    """The key names the namespace ``User@acme``: an "@" in it would split wrongly."""
    response = admin_client.post(reverse(ADD), client_form(tenant="acme@eu"))
    assert response.status_code == 200
    assert "cannot contain" in response.content.decode()
    assert not SCIMClient.objects.exists()


def test_add_form_refuses_a_key_longer_than_64_characters(admin_client):
    admin_client.post(reverse(ADD), client_form(tenant="k" * 65))
    assert not SCIMClient.objects.exists()


def test_change_form_shows_the_tenant_read_only(admin_client):
    record = SCIMClientFactory(tenant="acme")
    url = reverse("admin:django_scim_scimclient_change", args=[record.pk])
    text = admin_client.get(url).content.decode()
    assert 'name="tenant"' not in text
    assert '<div class="readonly">acme</div>' in text


def test_change_form_does_not_change_the_tenant(admin_client):
    """A posted tenant is ignored: the client keeps the organisation it was made for."""
    record = SCIMClientFactory(name="Acme Okta", tenant="acme")
    url = reverse("admin:django_scim_scimclient_change", args=[record.pk])
    response = admin_client.post(url, client_form(name="Renamed", tenant="globex"))
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.name, record.tenant) == ("Renamed", "acme")


def test_change_form_does_not_bind_an_unbound_client(admin_client):
    record = SCIMClientFactory(name="Site IdP")
    url = reverse("admin:django_scim_scimclient_change", args=[record.pk])
    admin_client.post(url, client_form(name="Site IdP", tenant="acme"))
    record.refresh_from_db()
    assert record.tenant == ""


# -- the client list ----------------------------------------------------------------------


def test_client_list_shows_the_tenant(admin_client):
    SCIMClientFactory(name="Acme Okta", tenant="acme")
    text = admin_client.get(reverse(CLIENTS)).content.decode()
    assert '<td class="field-tenant">acme</td>' in text


def test_client_list_filters_by_tenant(admin_client):
    SCIMClientFactory(name="Acme Okta", tenant="acme")
    SCIMClientFactory(name="Globex Entra", tenant="globex")
    SCIMClientFactory(name="Site IdP")
    text = admin_client.get(reverse(CLIENTS), {"tenant": "acme"}).content.decode()
    assert "Acme Okta" in text
    assert "Globex Entra" not in text and "Site IdP" not in text


def test_client_list_filters_clients_without_a_tenant(admin_client):
    SCIMClientFactory(name="Acme Okta", tenant="acme")
    SCIMClientFactory(name="Site IdP")
    text = admin_client.get(reverse(CLIENTS), {"tenant": NO_TENANT}).content.decode()
    assert "Site IdP" in text and "Acme Okta" not in text


def test_client_list_searches_the_tenant(admin_client):
    SCIMClientFactory(name="Okta one", tenant="acme")
    SCIMClientFactory(name="Okta two", tenant="globex")
    text = admin_client.get(reverse(CLIENTS), {"q": "acme"}).content.decode()
    assert "Okta one" in text and "Okta two" not in text


# -- the provisioning log -----------------------------------------------------------------


def test_log_filter_by_tenant_shows_only_that_tenants_rows(admin_client):
    ProvisioningLogFactory(path="/acme-row", client=SCIMClientFactory(tenant="acme"))
    ProvisioningLogFactory(path="/globex-row", client=SCIMClientFactory(tenant="globex"))
    ProvisioningLogFactory(path="/site-row", client=SCIMClientFactory())
    text = admin_client.get(reverse(LOG), {"tenant": "acme"}).content.decode()
    assert "/acme-row" in text
    assert "/globex-row" not in text and "/site-row" not in text


def test_log_filter_finds_rows_without_a_tenant(admin_client):
    ProvisioningLogFactory(path="/acme-row", client=SCIMClientFactory(tenant="acme"))
    ProvisioningLogFactory(path="/site-row", client=SCIMClientFactory())
    text = admin_client.get(reverse(LOG), {"tenant": NO_TENANT}).content.decode()
    assert "/site-row" in text and "/acme-row" not in text


def test_log_filter_keeps_the_rows_of_a_deleted_tenants_client(admin_client):
    """The row keeps the tenant; the filter still selects it once no client has it."""
    client = SCIMClientFactory(tenant="initech")
    ProvisioningLogFactory(path="/initech-row", client=client)
    SCIMClientFactory(tenant="acme")
    client.delete()
    response = admin_client.get(reverse(LOG), {"tenant": "initech"})
    assert "/initech-row" in response.content.decode()
    assert ("initech", "initech") in response.context["cl"].filter_specs[1].lookup_choices


def test_log_filter_lists_the_clients_tenants(admin_client):
    SCIMClientFactory(tenant="acme")
    SCIMClientFactory(tenant="globex")
    text = admin_client.get(reverse(LOG)).content.decode()
    assert "?tenant=acme" in text and "?tenant=globex" in text


def test_log_filter_is_absent_without_tenants(admin_client):
    """A site whose clients are bound to no tenant sees the log as before."""
    ProvisioningLogFactory(client=SCIMClientFactory())
    text = admin_client.get(reverse(LOG)).content.decode()
    assert "?tenant=" not in text


def test_log_list_by_tenant_reads_no_distinct_and_no_full_count(admin_client):
    """The choices come from the clients, not ``SELECT DISTINCT tenant`` over the log;
    counts stay capped (CappedCountPaginator)."""
    ProvisioningLogFactory.create_batch(3, client=SCIMClientFactory(tenant="acme"))
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(reverse(LOG), {"tenant": "acme"})
    sql = [q["sql"].upper() for q in queries]
    assert not [s for s in sql if "DISTINCT" in s]
    assert all("LIMIT" in s for s in sql if "COUNT(" in s)


def test_log_entry_shows_its_tenant(admin_client):
    entry = ProvisioningLogFactory(client=SCIMClientFactory(tenant="acme"))
    url = reverse("admin:django_scim_provisioninglog_change", args=[entry.pk])
    text = admin_client.get(url).content.decode()
    assert '<div class="readonly">acme</div>' in text
