"""PATCH ``replace`` on SCIM dicts (RFC 7644 §3.5.2.3), one rule per test."""

from __future__ import annotations

import pytest

from django_scim.constants import ENTERPRISE_USER_SCHEMA
from django_scim.errors import InvalidPath, InvalidValue, Mutability, NoTarget
from django_scim.patch import check_mutability, parse_request, relation_change
from tests.conftest import load_sample, ops
from tests.unit.engine import GROUP_TYPE, patch_document

JAMES_ID = "08e1d05d-121c-4561-8b96-473d93df9210"
BJENSEN_ID = "2819c223-7f76-453a-919d-413861904646"


def test_replace_a_single_valued_attribute(bjensen):
    """RFC 7644 §3.5.2.3: "If the target location is a single-value attribute, the
    attributes value is replaced"."""
    after = patch_document(ops({"op": "replace", "path": "displayName", "value": "Babs"}), bjensen)
    assert after["displayName"] == "Babs"


def test_replace_of_an_unassigned_attribute_adds_it(bjensen):
    """RFC 7644 §3.5.2.3: "If the target location path specifies an attribute that does
    not exist, the service provider SHALL treat the operation as an "add"."."""
    del bjensen["nickName"]
    after = patch_document(ops({"op": "replace", "path": "nickName", "value": "Babs"}), bjensen)
    assert after["nickName"] == "Babs"


def test_replace_of_complex_value_leaves_unnamed_sub_attributes(bjensen):
    """RFC 7644 §3.5.2.3: "If the target location specifies a complex attribute, a set of
    sub-attributes SHALL be specified in the "value" parameter, which replaces any existing
    values or adds where an attribute did not previously exist. Sub-attributes that are
    not specified in the "value" parameter are left unchanged"."""
    body = ops({"op": "replace", "path": "name", "value": {"familyName": "Smith"}})
    after = patch_document(body, bjensen)
    assert after["name"] == {**bjensen["name"], "familyName": "Smith"}


def test_replace_of_multi_valued_attribute_replaces_every_value(bjensen):
    """RFC 7644 §3.5.2.3: "If the target location is a multi-valued attribute and no filter
    is specified, the attribute and all values are replaced"."""
    email = {"value": "babs@example.org", "type": "work"}
    after = patch_document(ops({"op": "replace", "path": "emails", "value": [email]}), bjensen)
    assert after["emails"] == [email]


def test_replace_the_work_address_from_the_rfc(bjensen):
    """RFC 7644 §3.5.2.3, the example replacing the work address: "If the target location
    specifies a multi-valued attribute for which a value selection filter ("valuePath") has
    been supplied", the matching value is replaced whole."""
    body = load_sample("rfc7644-3.5.2.3-patch-replace-work-address.json")
    after = patch_document(body, bjensen)
    assert after["addresses"] == [body["Operations"][0]["value"], bjensen["addresses"][1]]


def test_replace_a_sub_attribute_through_a_filter_from_the_rfc(bjensen):
    """RFC 7644 §3.5.2.3, the example changing ``addresses[type eq "work"].streetAddress``:
    only that sub-attribute of the matching value changes."""
    after = patch_document(
        load_sample("rfc7644-3.5.2.3-patch-replace-street-address.json"), bjensen
    )
    work = {**bjensen["addresses"][0], "streetAddress": "1010 Broadway Ave"}
    assert after["addresses"] == [work, bjensen["addresses"][1]]


def test_path_less_replace_from_the_rfc(bjensen):
    """RFC 7644 §3.5.2.3, the example replacing "emails" and "nickname" without a path:
    "If the "path" parameter is omitted, the target is assumed to be the resource itself"."""
    del bjensen["nickName"]
    body = load_sample("rfc7644-3.5.2.3-patch-replace-attributes.json")
    after = patch_document(body, bjensen)
    assert (after["emails"], after["nickName"]) == (
        body["Operations"][0]["value"]["emails"],
        "Babs",
    )


def test_replace_through_unmatched_filter_is_no_target(bjensen):
    """RFC 7644 §3.5.2.3: "If the target location specifies a multi-valued attribute for
    which a value selection filter ("valuePath") has been supplied and no record match was
    made, the service provider SHALL indicate failure by returning HTTP status code 400 and
    a "scimType" error code of "noTarget"."."""
    body = ops({"op": "replace", "path": 'emails[type eq "other"].value', "value": "o@x.org"})
    with pytest.raises(NoTarget):
        patch_document(body, bjensen)


def test_replace_through_unmatched_filter_creates_for_a_lenient_client(bjensen):
    """Entra ID replaces through filters that match nothing and expects the element to be
    created (docs/dialects.md); a lenient client gets that instead of RFC 7644 §3.5.2.3's
    noTarget."""
    body = ops({"op": "replace", "path": 'emails[type eq "other"].value', "value": "o@x.org"})
    after = patch_document(body, bjensen, lenient=True)
    assert after["emails"][-1] == {"type": "other", "value": "o@x.org"}


def test_replace_making_another_value_primary_clears_the_old_primary(bjensen):
    """RFC 7643 §2.4: "The primary attribute value "true" MUST appear no more than once"."""
    body = ops({"op": "replace", "path": 'emails[type eq "home"].primary', "value": True})
    after = patch_document(body, bjensen)
    assert [(e["type"], e.get("primary")) for e in after["emails"]] == [
        ("work", False),
        ("home", True),
    ]


def test_replace_a_sub_attribute_of_every_value(bjensen):
    """RFC 7644 §3.10: ``emails.type`` names the "type" of every value of "emails"; without
    a filter each value changes."""
    after = patch_document(ops({"op": "replace", "path": "emails.type", "value": "other"}), bjensen)
    assert [e["type"] for e in after["emails"]] == ["other", "other"]


def test_replace_an_extension_attribute_by_urn(bjensen):
    """RFC 7644 §3.10 and RFC 7643 §3.3: extension attributes are named by schema URN."""
    path = f"{ENTERPRISE_USER_SCHEMA}:costCenter"
    after = patch_document(ops({"op": "replace", "path": path, "value": "4200"}), bjensen)
    assert after[ENTERPRISE_USER_SCHEMA]["costCenter"] == "4200"


def test_replace_the_manager_with_a_bare_id(bjensen):
    """RFC 7643 §4.3: "manager" is complex with a "value"; Entra ID sends the bare id
    (docs/dialects.md), which replaces "value" and leaves the other sub-attributes."""
    path = f"{ENTERPRISE_USER_SCHEMA}:manager"
    after = patch_document(ops({"op": "replace", "path": path, "value": JAMES_ID}), bjensen)
    manager = bjensen[ENTERPRISE_USER_SCHEMA]["manager"]
    assert after[ENTERPRISE_USER_SCHEMA]["manager"] == {**manager, "value": JAMES_ID}


def test_replace_of_read_only_attribute_is_mutability(bjensen):
    """RFC 7643 §2.2, readOnly: "The attribute SHALL NOT be modified"; RFC 7644 §3.12
    names the error "mutability"."""
    with pytest.raises(Mutability):
        patch_document(ops({"op": "replace", "path": "groups", "value": []}), bjensen)


def test_replace_of_a_set_immutable_attribute_is_mutability():
    """RFC 7643 §2.2, immutable: the attribute "SHALL NOT be updated" once set."""
    body = ops({"op": "replace", "path": "members.value", "value": JAMES_ID})
    with pytest.raises(Mutability):
        check_mutability(parse_request(body, GROUP_TYPE)[0], [BJENSEN_ID])


def test_replace_with_value_of_wrong_type_is_invalid_value(bjensen):
    """RFC 7644 §3.12, invalidValue: the value "was not compatible with the operation or
    attribute type"."""
    with pytest.raises(InvalidValue):
        patch_document(ops({"op": "replace", "path": "active", "value": "maybe"}), bjensen)


def test_value_filter_on_a_single_valued_attribute_is_invalid_path(bjensen):
    """RFC 7644 §3.5.2: a "valuePath" filter selects values of a multi-valued attribute."""
    body = ops({"op": "replace", "path": 'name[givenName eq "Barbara"]', "value": {}})
    with pytest.raises(InvalidPath):
        patch_document(body, bjensen)


def test_replace_members_becomes_a_set_delta():
    """RFC 7644 §3.5.2.3, the example replacing all members of a group: the list given
    becomes the whole membership."""
    operation = parse_request(
        load_sample("rfc7644-3.5.2.3-patch-replace-members.json"), GROUP_TYPE
    )[0]
    change = relation_change(operation)
    assert (change.kind, [m["value"] for m in change.values]) == ("set", [BJENSEN_ID, JAMES_ID])


def test_replace_of_a_member_sub_attribute_is_mutability():
    """RFC 7643 §4.2: a member's "value", "$ref" and "type" are immutable; members are
    added and removed whole."""
    operation = parse_request(
        ops({"op": "replace", "path": "members.display", "value": "x"}), GROUP_TYPE
    )[0]
    with pytest.raises(Mutability):
        relation_change(operation)
