"""The provisioning-log API for monitoring: read-only, staff only, django-filter
filters, cursor pages, CSV export, bodies only on an entry's own page.

docs/provisioning-log.md ("An API for monitoring").
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import ProvisioningLogFactory, SCIMClientFactory

User = get_user_model()
LIST = "/scim-log/"


@pytest.fixture
def staff(db) -> Client:
    user = User.objects.create_user("monitor", "monitor@example.test", "pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_provisioninglog"))
    client = Client()
    client.force_login(user)
    return client


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return json.loads(response.content)["results"]


def test_anonymous_is_refused(client, db):
    assert client.get(LIST).status_code in (401, 403)


def test_staff_without_the_view_permission_is_refused(db):
    user = User.objects.create_user("staff", is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get(LIST).status_code == 403


def test_scim_bearer_token_is_refused(db):
    """Identity providers have no business reading the log."""
    record = SCIMClientFactory()
    response = Client().get(LIST, HTTP_AUTHORIZATION=f"Bearer {record.raw_token}")
    assert response.status_code in (401, 403)


def test_list_is_newest_first(staff):
    ProvisioningLogFactory(path="/old", created=timezone.now() - timedelta(hours=1))
    ProvisioningLogFactory(path="/new")
    assert [row["path"] for row in results(staff.get(LIST))] == ["/new", "/old"]


def test_list_leaves_bodies_out(staff):
    ProvisioningLogFactory(request_body='{"userName": "bjensen"}')
    row = results(staff.get(LIST))[0]
    assert "request_body" not in row and "response_body" not in row


def test_detail_has_the_bodies(staff):
    entry = ProvisioningLogFactory(request_body='{"userName": "bjensen"}')
    data = json.loads(staff.get(f"{LIST}{entry.pk}/").content)
    assert data["request_body"] == '{"userName": "bjensen"}'


def test_list_carries_the_change_set(staff):
    ProvisioningLogFactory(changes=[{"path": "active", "before": True, "after": False}])
    assert results(staff.get(LIST))[0]["changes"] == [
        {"path": "active", "before": True, "after": False}
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status_min": "400", "status_max": "499"}, ["/conflict"]),
        ({"scim_type": "uniqueness"}, ["/conflict"]),
        ({"operation": "create"}, ["/conflict"]),
        ({"method": "get"}, ["/read"]),
        ({"resource_type": "Group"}, ["/read"]),
        ({"resource_id": "abc"}, ["/conflict"]),
        ({"protected_account": "true"}, []),
    ],
)
def test_filters(staff, params, expected):
    ProvisioningLogFactory(path="/read", resource_type="Group")
    ProvisioningLogFactory(
        path="/conflict",
        method="POST",
        operation="create",
        status=409,
        scim_type="uniqueness",
        resource_id="abc",
    )
    assert [row["path"] for row in results(staff.get(LIST, params))] == expected


def test_filter_by_client(staff):
    okta = SCIMClientFactory(name="Okta")
    ProvisioningLogFactory(path="/okta", client=okta)
    ProvisioningLogFactory(path="/other", client=SCIMClientFactory())
    paths = [row["path"] for row in results(staff.get(LIST, {"client": okta.pk}))]
    assert paths == ["/okta"]


def test_filter_by_time_range(staff):
    ProvisioningLogFactory(path="/old", created=timezone.now() - timedelta(days=2))
    ProvisioningLogFactory(path="/new")
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert [row["path"] for row in results(staff.get(LIST, {"created_after": since}))] == ["/new"]


def test_invalid_filter_value_is_400(staff):
    assert staff.get(LIST, {"status_min": "many"}).status_code == 400


def test_cursor_pages_cover_every_row_once(staff):
    """Cursor pagination: follow ``next`` to the end; no row twice, none missed."""
    ProvisioningLogFactory.create_batch(7)
    seen, url = [], f"{LIST}?page_size=3"
    while url:
        data = json.loads(staff.get(url).content)
        seen += [row["id"] for row in data["results"]]
        url = data["next"]
    assert len(seen) == len(set(seen)) == 7


def test_list_page_runs_no_count(staff):
    """No COUNT(*) over the table: a page is a LIMIT on an index range."""
    ProvisioningLogFactory.create_batch(3)
    with CaptureQueriesContext(connection) as queries:
        staff.get(LIST)
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]


def test_csv_export_has_a_header_and_a_row_per_entry(staff):
    ProvisioningLogFactory.create_batch(2, status=409)
    ProvisioningLogFactory(status=200)
    response = staff.get(f"{LIST}export.csv", {"status_min": "400"})
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["id", "created", "client"]
    assert len(rows) == 3


def test_csv_export_defuses_formulas(staff):
    """A path is whatever a client sent: a cell a spreadsheet would run is quoted."""
    ProvisioningLogFactory(path='=HYPERLINK("http://evil.test")')
    response = staff.get(f"{LIST}export.csv")
    text = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in text


def test_browser_accept_header_gets_json(staff):
    """No browsable API page (its filter form would need django_filters installed)."""
    ProvisioningLogFactory()
    response = staff.get(LIST, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response["Content-Type"] == "application/json"


# -- by tenant (RFC 7644 §6) ---------------------------------------------------------------


def csv_table(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_filter_by_tenant_returns_only_that_tenants_rows(staff):
    ProvisioningLogFactory(path="/acme", client=SCIMClientFactory(tenant="acme"))
    ProvisioningLogFactory(path="/globex", client=SCIMClientFactory(tenant="globex"))
    ProvisioningLogFactory(path="/site", client=SCIMClientFactory())
    assert [row["path"] for row in results(staff.get(LIST, {"tenant": "acme"}))] == ["/acme"]


def test_filter_by_tenant_is_exact(staff):
    ProvisioningLogFactory(path="/acme", client=SCIMClientFactory(tenant="acme"))
    ProvisioningLogFactory(path="/acme-eu", client=SCIMClientFactory(tenant="acme-eu"))
    assert [row["path"] for row in results(staff.get(LIST, {"tenant": "acme"}))] == ["/acme"]


def test_filter_by_tenant_finds_rows_of_a_deleted_client(staff):
    """The row keeps the tenant its client had when it sent the request."""
    client = SCIMClientFactory(tenant="initech")
    ProvisioningLogFactory(path="/initech", client=client)
    client.delete()
    rows = results(staff.get(LIST, {"tenant": "initech"}))
    assert [(row["path"], row["client"]) for row in rows] == [("/initech", None)]


def test_each_row_carries_its_tenant(staff):
    ProvisioningLogFactory(client=SCIMClientFactory(tenant="acme"))
    ProvisioningLogFactory(client=SCIMClientFactory())
    assert sorted(row["tenant"] for row in results(staff.get(LIST))) == ["", "acme"]


def test_detail_carries_the_tenant(staff):
    entry = ProvisioningLogFactory(client=SCIMClientFactory(tenant="acme"))
    assert json.loads(staff.get(f"{LIST}{entry.pk}/").content)["tenant"] == "acme"


def test_csv_export_has_a_tenant_column(staff):
    ProvisioningLogFactory(path="/acme", client=SCIMClientFactory(tenant="acme"))
    ProvisioningLogFactory(path="/site", client=SCIMClientFactory())
    rows = csv_table(staff.get(f"{LIST}export.csv"))
    assert {row["path"]: row["tenant"] for row in rows} == {"/acme": "acme", "/site": ""}


def test_csv_export_filters_by_tenant(staff):
    ProvisioningLogFactory(path="/acme", client=SCIMClientFactory(tenant="acme"))
    ProvisioningLogFactory(path="/globex", client=SCIMClientFactory(tenant="globex"))
    rows = csv_table(staff.get(f"{LIST}export.csv", {"tenant": "acme"}))
    assert [(row["path"], row["tenant"]) for row in rows] == [("/acme", "acme")]
