"""Lookups by ``userName eq`` (case-insensitive) and ``externalId eq`` use an index, never a scan.

Shown with the database's own query plan. On PostgreSQL the planner prefers a
sequential scan on tiny tables, so the test turns that off to ask whether an
index *can* serve the query; on SQLite the plan is reported as it is.
"""

from __future__ import annotations

import pytest
from django.db import connection

from django_scim.adapters import search
from django_scim.adapters.context import RequestContext
from django_scim.adapters.groups import GroupAdapter
from django_scim.adapters.users import UserAdapter
from django_scim.models import ResourceElement, ResourceRecord
from tests.factories import GroupFactory, UserFactory


def plan(queryset) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Fresh statistics, so the planner weighs the indexes on what the
            # tables hold rather than on the defaults of never-analysed ones.
            cursor.execute("ANALYZE")
            cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


@pytest.fixture
def users(db):
    """Fifty users, each with a side row carrying an externalId and a work e-mail element."""
    created = [UserFactory(username=f"person{n:03d}") for n in range(50)]
    records = ResourceRecord.objects.bulk_create(
        ResourceRecord(resource_type="User", object_pk=str(user.pk), external_id=f"ext-{n:03d}")
        for n, user in enumerate(created)
    )
    ResourceElement.objects.bulk_create(
        ResourceElement(
            record=record,
            attribute="emails",
            position=0,
            data={"value": f"Work{n:03d}@Example.test", "type": "work"},
            value_key=f"work{n:03d}@example.test",
        )
        for n, record in enumerate(records)
    )
    return UserAdapter(RequestContext("http://testserver/scim/v2"))


def test_username_eq_uses_the_lower_index(users):
    """RFC 7643 §4.1.1: userName is case-insensitive; Entra and Okta match users by it."""
    queryset = search.filtered(users, users.get_queryset(), 'userName eq "PERSON007"')
    assert "django_scim_auth_user_username_lower" in plan(queryset)
    assert queryset.count() == 1


def test_external_id_eq_uses_the_side_table_index(users):
    """Entra matches by externalId (caseExact, RFC 7643 §3.1) when so configured."""
    queryset = search.filtered(users, users.get_queryset(), 'externalId eq "ext-042"')
    assert "django_scim_record_external" in plan(queryset)
    assert queryset.get().username == "person042"


def test_group_display_name_eq_uses_the_lower_index(db):
    for n in range(20):
        GroupFactory(name=f"team{n:02d}")
    groups = GroupAdapter(RequestContext("http://testserver/scim/v2"))
    queryset = search.filtered(groups, groups.get_queryset(), 'displayName eq "TEAM03"')
    assert "django_scim_auth_group_name_lower" in plan(queryset)
    assert queryset.get().name == "team03"


def test_email_value_eq_uses_the_element_index(users):
    """Entra may match on emails[type eq "work"].value (uniqueness on e-mail)."""
    queryset = search.filtered(
        users, users.get_queryset(), 'emails.value eq "WORK007@example.test"'
    )
    text = plan(queryset)
    assert "django_scim_element_value" in text
    # The e-mail column (users never provisioned through SCIM) is searched by its index too.
    assert "django_scim_auth_user_email_lower" in text
    assert queryset.get().username == "person007"
