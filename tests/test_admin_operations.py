"""The admin for the people who run a SCIM connection: the token's whole life, provisioning
health, each resource's history, the site's user admin mixins, an append-only log.

docs/provisioning-log.md and docs/security.md ("Tokens and rotation").
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from django_scim.constants import USER_SCHEMA
from django_scim.models import ProvisioningLog, SCIMClient
from tests.conftest import body, ops
from tests.factories import ProvisioningLogFactory, SCIMClientFactory, UserFactory
from tests.test_admin import TOKEN_IN_MESSAGE, bearer

User = get_user_model()


def changelist_action(admin_client, action: str, *records):
    return admin_client.post(
        reverse("admin:django_scim_scimclient_changelist"),
        {"action": action, "_selected_action": [str(r.pk) for r in records]},
        follow=True,
    )


# -- the token's life in the admin ------------------------------------------------------


def test_rotate_action_refuses_a_revoked_client(admin_client):
    """The issue's case: a new token for a revoked client would get 401, so none is shown."""
    record = SCIMClientFactory(is_active=False)
    response = changelist_action(admin_client, "rotate_token", record)
    assert not TOKEN_IN_MESSAGE.search(response.content.decode())
    assert "is revoked" in response.content.decode()


def test_reactivate_and_rotate_gives_a_working_token(admin_client):
    record = SCIMClientFactory(is_active=False)
    response = changelist_action(admin_client, "reactivate_and_rotate", record)
    raw = TOKEN_IN_MESSAGE.search(response.content.decode()).group(1)
    assert bearer(raw).get("Users").status_code == 200


def test_reactivate_action_lets_the_old_token_work_again(admin_client):
    record = SCIMClientFactory(is_active=False)
    changelist_action(admin_client, "reactivate", record)
    assert bearer(record.raw_token).get("Users").status_code == 200


def test_rotate_page_issues_a_token_once(admin_client):
    record = SCIMClientFactory()
    url = reverse("admin:django_scim_rotate", args=[record.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, follow=True)
    raw = TOKEN_IN_MESSAGE.search(response.content.decode()).group(1)
    assert bearer(raw).get("Users").status_code == 200
    assert bearer(record.raw_token).get("Users").status_code == 401


def test_rotate_page_reactivates_only_when_asked(admin_client):
    record = SCIMClientFactory(is_active=False)
    url = reverse("admin:django_scim_rotate", args=[record.pk])
    admin_client.post(url)
    record.refresh_from_db()
    assert record.is_active is False
    admin_client.post(url, {"reactivate": "1"})
    record.refresh_from_db()
    assert record.is_active is True


def test_strict_and_scope_are_editable(admin_client):
    """docs/dialects.md tells operators to switch strict on in the admin."""
    record = SCIMClientFactory(name="Okta")
    admin_client.post(
        reverse("admin:django_scim_scimclient_change", args=[record.pk]),
        {"name": "Okta", "scope": "read", "strict": "on", "is_active": "on", "cycle_minutes": "40"},
    )
    record.refresh_from_db()
    assert (record.strict, record.scope) == (True, SCIMClient.Scope.READ)


def test_client_list_flags_a_token_expiring_soon(admin_client):
    SCIMClientFactory(name="Okta", expires=timezone.now() + timedelta(days=3))
    content = admin_client.get(reverse("admin:django_scim_scimclient_changelist")).content
    assert b"scim-expires-soon" in content


def test_expiry_filter_lists_expired_clients(admin_client):
    SCIMClientFactory(name="Old", expires=timezone.now() - timedelta(days=1))
    SCIMClientFactory(name="Fresh")
    content = admin_client.get(
        reverse("admin:django_scim_scimclient_changelist"), {"expiry": "expired"}
    ).content.decode()
    assert ">Old<" in content and ">Fresh<" not in content


def test_client_list_shows_last_use_and_24h_counts(admin_client):
    record = SCIMClientFactory(name="Okta")
    ProvisioningLogFactory.create_batch(3, client=record)
    ProvisioningLogFactory(client=record, status=409, scim_type="uniqueness")
    response = admin_client.get(reverse("admin:django_scim_scimclient_changelist"))
    content = response.content.decode()
    assert '<td class="field-requests_24h">4</td>' in content
    assert '<td class="field-errors_24h">1</td>' in content


def test_client_list_query_count_does_not_grow_with_clients(admin_client):
    """One query for the page, whatever the number of clients (counts are subqueries)."""
    url = reverse("admin:django_scim_scimclient_changelist")
    SCIMClientFactory.create_batch(2)
    admin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    SCIMClientFactory.create_batch(10)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)
    assert len(many) == len(few)


# -- health ----------------------------------------------------------------------------


def test_health_page_counts_requests_and_errors(admin_client):
    record = SCIMClientFactory()
    ProvisioningLogFactory.create_batch(2, client=record)
    ProvisioningLogFactory(client=record, status=400, scim_type="invalidFilter")
    ProvisioningLogFactory(client=record, created=timezone.now() - timedelta(days=3))
    content = admin_client.get(reverse("admin:django_scim_health", args=[record.pk])).content
    text = content.decode()
    assert '<dd id="scim-requests-24h">3</dd>' in text
    assert '<dd id="scim-errors-24h">1</dd>' in text
    assert '<dd id="scim-requests-7d">4</dd>' in text


def test_health_page_lists_the_scim_types_that_failed_most(admin_client):
    record = SCIMClientFactory()
    ProvisioningLogFactory.create_batch(3, client=record, status=409, scim_type="uniqueness")
    ProvisioningLogFactory(client=record, status=400, scim_type="invalidFilter")
    text = admin_client.get(reverse("admin:django_scim_health", args=[record.pk])).content.decode()
    assert "<td>uniqueness</td><td>3</td>" in text
    assert text.index("uniqueness") < text.index("invalidFilter")


def test_health_chart_is_inline_svg_without_scripts(admin_client):
    record = SCIMClientFactory()
    ProvisioningLogFactory(client=record)
    text = admin_client.get(reverse("admin:django_scim_health", args=[record.pk])).content.decode()
    chart = text[text.index("<svg xmlns") : text.index("</svg>", text.index("<svg xmlns"))]
    assert '<rect class="requests"' in chart
    assert "<script" not in chart


def test_client_silent_for_three_cycles_is_stale(admin_client):
    record = SCIMClientFactory(cycle_minutes=40)
    ProvisioningLogFactory(client=record, created=timezone.now() - timedelta(minutes=121))
    text = admin_client.get(reverse("admin:django_scim_health", args=[record.pk])).content.decode()
    assert 'class="stale"' in text


def test_client_heard_within_its_cycles_is_not_stale(admin_client):
    record = SCIMClientFactory(cycle_minutes=40)
    ProvisioningLogFactory(client=record, created=timezone.now() - timedelta(minutes=100))
    text = admin_client.get(reverse("admin:django_scim_health", args=[record.pk])).content.decode()
    assert 'class="stale"' not in text


def test_health_page_query_count_is_constant(admin_client):
    """Aggregates only: as many queries for 1 row as for 30 (bench/ measures 1,000,000)."""
    record = SCIMClientFactory()
    url = reverse("admin:django_scim_health", args=[record.pk])
    ProvisioningLogFactory(client=record)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    ProvisioningLogFactory.create_batch(30, client=record, status=500)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)
    assert len(many) == len(few)


# -- the log: append-only, one client column, a history per resource ----------------------


def test_log_entry_has_no_delete(admin_client):
    """An audit trail: no Delete on an entry; retention is scim_prune_logs's."""
    entry = ProvisioningLogFactory()
    delete = reverse("admin:django_scim_provisioninglog_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert ProvisioningLog.objects.filter(pk=entry.pk).exists()


def test_log_entry_shows_one_client_field(admin_client):
    entry = ProvisioningLogFactory(client=SCIMClientFactory(name="Okta"), client_name="Okta")
    text = admin_client.get(
        reverse("admin:django_scim_provisioninglog_change", args=[entry.pk])
    ).content.decode()
    assert "Client name" not in text
    assert ">Okta</a>" in text


def test_log_entry_shows_its_changes(admin_client):
    entry = ProvisioningLogFactory(
        changes=[{"path": "title", "before": "Tour Guide", "after": "CEO"}]
    )
    text = admin_client.get(
        reverse("admin:django_scim_provisioninglog_change", args=[entry.pk])
    ).content.decode()
    assert "<td><code>title</code></td><td>Tour Guide</td><td>CEO</td>" in text


def test_log_filters_by_outcome(admin_client):
    ProvisioningLogFactory(path="/scim/v2/Users/ok", status=200)
    ProvisioningLogFactory(path="/scim/v2/Users/bad", status=404)
    text = admin_client.get(
        reverse("admin:django_scim_provisioninglog_changelist"), {"outcome": "4xx"}
    ).content.decode()
    assert "/scim/v2/Users/bad" in text and "/scim/v2/Users/ok" not in text


def test_resource_history_lists_requests_newest_first(admin_client, scim):
    scim_id = body(scim.post("Users", {"schemas": [USER_SCHEMA], "userName": "bjensen"}))["id"]
    scim.patch(f"Users/{scim_id}", ops({"op": "replace", "path": "title", "value": "CEO"}))
    url = reverse("admin:django_scim_resource_history", args=["User", scim_id])
    text = admin_client.get(url).content.decode()
    assert text.index("patch") < text.index("create")
    assert "<td><code>title</code></td><td>—</td><td>CEO</td>" in text


# -- the site's user admin --------------------------------------------------------------


def test_user_page_links_to_its_scim_history(admin_client, scim):
    scim.post("Users", {"schemas": [USER_SCHEMA], "userName": "bjensen"})
    user = User.objects.get(username="bjensen")
    text = admin_client.get(reverse("admin:auth_user_change", args=[user.pk])).content.decode()
    assert reverse("admin:auth_user_scim_history", args=[user.pk]) in text


def test_user_history_shows_who_changed_what(admin_client, scim, scim_client_record):
    scim_id = body(scim.post("Users", {"schemas": [USER_SCHEMA], "userName": "bjensen"}))["id"]
    scim.patch(f"Users/{scim_id}", ops({"op": "replace", "path": "active", "value": False}))
    user = User.objects.get(username="bjensen")
    text = admin_client.get(reverse("admin:auth_user_scim_history", args=[user.pk])).content
    text = text.decode()
    assert "<td><code>active</code></td><td>true</td><td>false</td>" in text
    assert f"<td>{scim_client_record.name}</td>" in text


def test_user_list_shows_provisioned_by(admin_client, scim, scim_client_record):
    scim.post("Users", {"schemas": [USER_SCHEMA], "userName": "bjensen"})
    text = admin_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert f'<td class="field-provisioned_by">{scim_client_record.name}</td>' in text


def test_provisioned_by_filter_separates_managed_users(admin_client, scim, scim_client_record):
    scim.post("Users", {"schemas": [USER_SCHEMA], "userName": "provisioned"})
    UserFactory(username="local")
    url = reverse("admin:auth_user_changelist")
    managed = admin_client.get(url, {"scim_client": str(scim_client_record.pk)}).content.decode()
    assert "provisioned" in managed and ">local<" not in managed
    local = admin_client.get(url, {"scim_client": "none"}).content.decode()
    assert ">local<" in local and ">provisioned<" not in local


def test_managed_users_fields_are_read_only(admin_client, scim):
    """The identity provider owns userName, names, e-mail and active: no local edit."""
    scim.post("Users", {"schemas": [USER_SCHEMA], "userName": "bjensen"})
    user = User.objects.get(username="bjensen")
    text = admin_client.get(reverse("admin:auth_user_change", args=[user.pk])).content.decode()
    assert 'name="username"' not in text
    assert 'name="email"' not in text


def test_local_users_fields_stay_editable(admin_client):
    user = UserFactory(username="local")
    text = admin_client.get(reverse("admin:auth_user_change", args=[user.pk])).content.decode()
    assert 'name="username"' in text


# -- the log list at scale ---------------------------------------------------------------


def test_log_list_never_counts_without_a_limit(admin_client):
    """No full-table COUNT: the list counts at most CappedCountPaginator.cap + 1 rows."""
    ProvisioningLogFactory.create_batch(3)
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(reverse("admin:django_scim_provisioninglog_changelist"))
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT" in sql.upper() for sql in counts)


def test_log_list_count_stops_at_the_cap(admin_client, monkeypatch):
    from django_scim.admin import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "cap", 2)
    ProvisioningLogFactory.create_batch(5)
    response = admin_client.get(reverse("admin:django_scim_provisioninglog_changelist"))
    assert response.context["cl"].result_count == 3


def test_date_hierarchy_links_the_days_that_hold_rows(admin_client):
    """The same links as Django's date hierarchy, found by index probes, not a scan."""
    for day in (3, 17):
        ProvisioningLogFactory(created=timezone.make_aware(timezone.datetime(2026, 5, day, 12)))
    url = reverse("admin:django_scim_provisioninglog_changelist")
    text = admin_client.get(url).content.decode()
    assert "created__day=3" in text and "created__day=17" in text
    assert "created__day=4" not in text


def test_date_hierarchy_reads_no_distinct_dates(admin_client):
    ProvisioningLogFactory.create_batch(2)
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(reverse("admin:django_scim_provisioninglog_changelist"))
    assert not [q for q in queries if "DISTINCT" in q["sql"].upper()]


def test_log_list_query_count_does_not_grow_with_rows(admin_client):
    url = reverse("admin:django_scim_provisioninglog_changelist")
    ProvisioningLogFactory.create_batch(2)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    ProvisioningLogFactory.create_batch(40, client=SCIMClientFactory())
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)
    assert len(many) == len(few)


def test_log_entry_keeps_djangos_object_history_page(admin_client):
    """The resource history has its own view; Django's own "History" button still works."""
    entry = ProvisioningLogFactory()
    url = reverse("admin:django_scim_provisioninglog_history", args=[entry.pk])
    assert admin_client.get(url).status_code == 200
