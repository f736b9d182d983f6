"""Change sets on plain data (django_scim.adapters.changes): which paths, which values."""

from __future__ import annotations

from django_scim.adapters.changes import diff, secret_columns
from django_scim.constants import ENTERPRISE_USER_SCHEMA


def test_complex_attribute_opens_one_level():
    """RFC 7643 §2.3.8: name.givenName is its own path."""
    changes = diff({"name": {"givenName": "Barbara"}}, {"name": {"givenName": "Babs"}})
    assert changes == [{"path": "name.givenName", "before": "Barbara", "after": "Babs"}]


def test_extension_attribute_is_named_with_its_urn():
    """RFC 7644 §3.10: an extension attribute's path is its schema URN and name."""
    before = {ENTERPRISE_USER_SCHEMA: {"department": "Tour Operations"}}
    after = {ENTERPRISE_USER_SCHEMA: {"department": "Sales"}}
    assert diff(before, after) == [
        {
            "path": f"{ENTERPRISE_USER_SCHEMA}:department",
            "before": "Tour Operations",
            "after": "Sales",
        }
    ]


def test_extension_complex_attribute_opens_one_level():
    before = {ENTERPRISE_USER_SCHEMA: {"manager": {"value": "a"}}}
    after = {ENTERPRISE_USER_SCHEMA: {"manager": {"value": "b"}}}
    assert diff(before, after)[0]["path"] == f"{ENTERPRISE_USER_SCHEMA}:manager.value"


def test_multi_valued_attribute_compares_as_a_whole():
    before = {"emails": [{"value": "a@x.test"}]}
    after = {"emails": [{"value": "b@x.test"}]}
    assert diff(before, after) == [
        {"path": "emails", "before": [{"value": "a@x.test"}], "after": [{"value": "b@x.test"}]}
    ]


def test_removed_attribute_has_no_after():
    assert diff({"title": "CEO"}, {}) == [{"path": "title", "before": "CEO", "after": None}]


def test_id_meta_and_schemas_are_not_changes():
    assert (
        diff({"id": "1", "meta": {"version": 'W/"1"'}}, {"id": "1", "meta": {"version": 'W/"2"'}})
        == []
    )


def test_password_values_are_redacted():
    assert diff({}, {"password": "s3cret"}) == [
        {"path": "password", "before": None, "after": "********"}
    ]


def test_secret_column_change_is_redacted():
    assert secret_columns(
        {"password": "md5$a", "email": "x"}, {"password": "md5$b", "email": "x"}
    ) == [{"path": "password", "before": "********", "after": "********"}]
