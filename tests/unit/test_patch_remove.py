"""PATCH ``remove`` on SCIM dicts (RFC 7644 §3.5.2.2), one rule per test."""

from __future__ import annotations

import pytest

from django_scim.constants import ENTERPRISE_USER_SCHEMA
from django_scim.errors import InvalidPath, Mutability, NoTarget
from django_scim.patch import parse_request, relation_change
from tests.conftest import load_sample, ops
from tests.unit.engine import GROUP_TYPE, USER_TYPE, patch_document

BJENSEN_ID = "2819c223-7f76-453a-919d-413861904646"
JAMES_ID = "08e1d05d-121c-4561-8b96-473d93df9210"


def test_remove_without_path_is_no_target():
    """RFC 7644 §3.5.2.2: "If "path" is unspecified, the operation fails with HTTP status
    code 400 and a "scimType" error code of "noTarget"."."""
    with pytest.raises(NoTarget):
        parse_request(ops({"op": "remove"}), USER_TYPE)


def test_remove_a_single_valued_attribute(bjensen):
    """RFC 7644 §3.5.2.2: "If the target location is a single-value attribute, the
    attribute and its associated value is removed, and the attribute SHALL be considered
    unassigned"."""
    after = patch_document(ops({"op": "remove", "path": "nickName"}), bjensen)
    assert "nickName" not in after


def test_remove_is_case_insensitive_in_the_path(bjensen):
    """RFC 7643 §2.1: "Attribute names are case insensitive"."""
    after = patch_document(ops({"op": "remove", "path": "NICKNAME"}), bjensen)
    assert "nickName" not in after


def test_remove_a_sub_attribute(bjensen):
    """RFC 7644 §3.5.2.2: a path naming a sub-attribute of a complex attribute removes that
    sub-attribute only."""
    after = patch_document(ops({"op": "remove", "path": "name.middleName"}), bjensen)
    assert after["name"] == {k: v for k, v in bjensen["name"].items() if k != "middleName"}


def test_remove_every_value_of_a_multi_valued_attribute(bjensen):
    """RFC 7644 §3.5.2.2: "If the target location is a multi-valued attribute and no filter
    is specified, the attribute and all values are removed, and the attribute SHALL be
    considered unassigned"."""
    after = patch_document(ops({"op": "remove", "path": "phoneNumbers"}), bjensen)
    assert "phoneNumbers" not in after


def test_remove_values_matching_a_filter_from_the_rfc(bjensen):
    """RFC 7644 §3.5.2.2, the example removing ``emails[type eq "work" and value ew
    "example.com"]``: "If the target location is a multi-valued attribute and a complex
    filter is specified comparing a "value", the values matched by the filter are
    removed"."""
    after = patch_document(load_sample("rfc7644-3.5.2.2-patch-remove-work-email.json"), bjensen)
    assert after["emails"] == [bjensen["emails"][1]]


def test_remove_a_sub_attribute_of_matching_values(bjensen):
    """RFC 7644 §3.5.2.2: "If the target location is a complex multi-valued attribute and a
    complex filter is specified based on the attribute's sub-attributes, the matching
    records are removed. Sub-attributes whose values have been removed SHALL be considered
    unassigned"."""
    body = ops({"op": "remove", "path": 'emails[type eq "work"].primary'})
    after = patch_document(body, bjensen)
    assert after["emails"] == [
        {"value": "bjensen@example.com", "type": "work"},
        bjensen["emails"][1],
    ]


def test_remove_through_unmatched_filter_is_no_target(bjensen):
    """RFC 7644 §3.12, noTarget: "The specified "path" did not yield an attribute or
    attribute value that could be operated on"."""
    with pytest.raises(NoTarget):
        patch_document(ops({"op": "remove", "path": 'emails[type eq "other"]'}), bjensen)


def test_remove_through_filter_on_unknown_sub_attribute_is_invalid_path(bjensen):
    """RFC 7644 §3.12, invalidPath: "The "path" attribute was invalid or malformed"."""
    with pytest.raises(InvalidPath):
        patch_document(ops({"op": "remove", "path": 'emails[colour eq "red"]'}), bjensen)


def test_remove_an_extension_attribute_by_urn(bjensen):
    """RFC 7644 §3.10: an extension attribute is named by its schema URN and name."""
    path = f"{ENTERPRISE_USER_SCHEMA}:manager"
    after = patch_document(ops({"op": "remove", "path": path}), bjensen)
    assert "manager" not in after[ENTERPRISE_USER_SCHEMA]


def test_remove_the_whole_extension(bjensen):
    """RFC 7643 §3.3: the extension's attributes sit under its URN; removing the URN
    unassigns each of its writable attributes."""
    after = patch_document(ops({"op": "remove", "path": ENTERPRISE_USER_SCHEMA}), bjensen)
    assert not after.get(ENTERPRISE_USER_SCHEMA)


def test_remove_of_read_only_attribute_is_mutability(bjensen):
    """RFC 7644 §3.5.2.2: "If the attribute is ... read-only", removal fails with
    "mutability" (RFC 7643 §2.2)."""
    with pytest.raises(Mutability):
        patch_document(ops({"op": "remove", "path": "id"}), bjensen)


def test_remove_with_value_list_removes_only_those_values(bjensen):
    """Entra ID removes values of a multi-valued attribute by sending them in "value"
    (docs/dialects.md); RFC 7644 §3.5.2.2 removes only the values selected."""
    body = ops({"op": "remove", "path": "emails", "value": [{"value": "babs@jensen.org"}]})
    after = patch_document(body, bjensen)
    assert after["emails"] == [bjensen["emails"][0]]


def test_remove_all_members_becomes_a_clear_delta():
    """RFC 7644 §3.5.2.2, the example removing all members of a group."""
    operation = parse_request(
        load_sample("rfc7644-3.5.2.2-patch-remove-all-members.json"), GROUP_TYPE
    )[0]
    assert relation_change(operation).kind == "clear"


def test_remove_one_member_becomes_a_filtered_delta():
    """RFC 7644 §3.5.2.2, the example removing a single member: ``members[value eq
    "2819c223-..."]``."""
    operation = parse_request(load_sample("rfc7644-3.5.2.2-patch-remove-member.json"), GROUP_TYPE)[
        0
    ]
    change = relation_change(operation)
    assert change.kind == "remove_where"
    assert change.filter is not None


def test_remove_then_add_members_from_the_rfc():
    """RFC 7644 §3.5.2.2, the example removing all members and adding two in one request:
    the operations apply in order."""
    operations = parse_request(
        load_sample("rfc7644-3.5.2.2-patch-remove-then-add-members.json"), GROUP_TYPE
    )
    changes = [relation_change(operation) for operation in operations]
    assert [(c.kind, [m["value"] for m in c.values]) for c in changes] == [
        ("clear", []),
        ("add", [BJENSEN_ID, JAMES_ID]),
    ]
