"""Lookups by ``userName eq`` (case-insensitive) and ``externalId eq`` use an index, never a scan.

Shown with the database's own query plan. On PostgreSQL the planner prefers a
sequential scan on tiny tables, so the test turns that off to ask whether an
index *can* serve the query; on SQLite the plan is reported as it is.
"""

from __future__ import annotations

import pytest
from django.db import connection

from django_scim.adapters.context import RequestContext
from django_scim.adapters.groups import GroupAdapter
from django_scim.adapters.users import UserAdapter
from tests.factories import GroupFactory, UserFactory


def plan(queryset) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()
    return queryset.explain()


@pytest.fixture
def users(db):
    UserFactory.create_batch(50)
    return UserAdapter(RequestContext("http://testserver/scim/v2"))


def test_username_eq_uses_the_lower_index(users):
    """RFC 7643 §4.1.1: userName is case-insensitive; Entra and Okta match users by it."""
    queryset = users.filtered(users.get_queryset(), 'userName eq "USER00007"')
    assert "django_scim_auth_user_username_lower" in plan(queryset)
    assert queryset.count() == 1


def test_external_id_eq_uses_the_side_table_index(users):
    """Entra matches by externalId (caseExact, RFC 7643 §3.1) when so configured."""
    queryset = users.filtered(users.get_queryset(), 'externalId eq "abc-123"')
    text = plan(queryset)
    assert "django_scim_record_external" in text


def test_group_display_name_eq_uses_the_lower_index(db):
    GroupFactory.create_batch(20)
    groups = GroupAdapter(RequestContext("http://testserver/scim/v2"))
    queryset = groups.filtered(groups.get_queryset(), 'displayName eq "GROUP0003"')
    assert "django_scim_auth_group_name_lower" in plan(queryset)


def test_email_value_eq_uses_the_element_index(users):
    """Entra may match on emails[type eq "work"].value (uniqueness on e-mail)."""
    queryset = users.filtered(users.get_queryset(), 'emails.value eq "x@example.test"')
    assert "django_scim_element_value" in plan(queryset)
