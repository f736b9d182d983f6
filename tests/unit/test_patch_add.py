"""PATCH ``add`` on SCIM dicts (RFC 7644 §3.5.2.1), one rule per test."""

from __future__ import annotations

import pytest

from django_scim.constants import ENTERPRISE_USER_SCHEMA, PATCH_OP
from django_scim.errors import InvalidPath, InvalidSyntax, InvalidValue, Mutability
from django_scim.patch import check_mutability, expand, parse_request, relation_change
from tests.conftest import load_sample, ops
from tests.unit.engine import GROUP_TYPE, USER_TYPE, patch_document

BJENSEN_ID = "2819c223-7f76-453a-919d-413861904646"


# -- the request ---------------------------------------------------------------------------


def test_request_parses_into_operations():
    """RFC 7644 §3.5.2: "The body of each request MUST contain the "schemas" attribute with
    the URI value of "urn:ietf:params:scim:api:messages:2.0:PatchOp"" and an "Operations"
    array of operation objects."""
    operations = parse_request(load_sample("rfc7644-3.5.2.1-patch-add-members.json"), GROUP_TYPE)
    assert [(o.op, str(o.path)) for o in operations] == [("add", "members")]


def test_request_without_patch_op_schema_is_invalid_syntax():
    """RFC 7644 §3.5.2: the body MUST carry the PatchOp schema URI."""
    with pytest.raises(InvalidSyntax):
        parse_request(
            {"schemas": ["urn:example"], "Operations": [{"op": "add", "path": "title"}]},
            USER_TYPE,
        )


def test_request_without_operations_is_invalid_syntax():
    """RFC 7644 §3.5.2: "Operations" is an array of one or more PATCH operations."""
    with pytest.raises(InvalidSyntax):
        parse_request({"schemas": [PATCH_OP], "Operations": []}, USER_TYPE)


def test_unknown_op_is_invalid_value():
    """RFC 7644 §3.5.2: "op" is one of "add", "remove" or "replace"."""
    with pytest.raises(InvalidValue):
        parse_request(ops({"op": "merge", "path": "title", "value": "x"}), USER_TYPE)


def test_add_without_value_is_invalid_value():
    """RFC 7644 §3.5.2.1: "The operation MUST contain a "value" member whose content
    specifies the value to be added."""
    with pytest.raises(InvalidValue):
        parse_request(ops({"op": "add", "path": "title"}), USER_TYPE)


def test_add_to_unknown_attribute_is_invalid_path():
    """RFC 7644 §3.12, invalidPath: "The "path" attribute was invalid or malformed"."""
    with pytest.raises(InvalidPath):
        parse_request(ops({"op": "add", "path": "favouriteColour", "value": "x"}), USER_TYPE)


def test_path_less_add_needs_an_object_value():
    """RFC 7644 §3.5.2.1: "If omitted, the target location is assumed to be the resource
    itself. The "value" parameter contains a set of attributes to be added"."""
    with pytest.raises(InvalidValue):
        parse_request(ops({"op": "add", "value": "Babs"}), USER_TYPE)


# -- single-valued attributes -----------------------------------------------------------------


def test_add_sets_an_unassigned_attribute(bjensen):
    """RFC 7644 §3.5.2.1: "If the target location does not exist, the attribute and value
    are added"."""
    del bjensen["nickName"]
    after = patch_document(ops({"op": "add", "path": "nickName", "value": "Babs"}), bjensen)
    assert after["nickName"] == "Babs"


def test_add_replaces_a_single_valued_attribute(bjensen):
    """RFC 7644 §3.5.2.1: "If the target location specifies a single-valued attribute, the
    existing value is replaced"."""
    after = patch_document(ops({"op": "add", "path": "title", "value": "Manager"}), bjensen)
    assert after["title"] == "Manager"


def test_add_of_complex_value_keeps_other_sub_attributes(bjensen):
    """RFC 7644 §3.5.2.1: "If the target location specifies a complex attribute, a set of
    sub-attributes SHALL be specified in the "value" parameter"; those not given stay."""
    after = patch_document(
        ops({"op": "add", "path": "name", "value": {"givenName": "Babs"}}), bjensen
    )
    assert after["name"] == {**bjensen["name"], "givenName": "Babs"}


def test_add_to_a_sub_attribute(bjensen):
    """RFC 7644 §3.10: "name.givenName" names a sub-attribute of a complex attribute."""
    after = patch_document(ops({"op": "add", "path": "name.middleName", "value": "J"}), bjensen)
    assert after["name"]["middleName"] == "J"


def test_add_to_an_extension_attribute_by_urn(bjensen):
    """RFC 7644 §3.10: an extension attribute is named by its schema URN, a colon and its
    name."""
    path = f"{ENTERPRISE_USER_SCHEMA}:department"
    after = patch_document(ops({"op": "add", "path": path, "value": "Sales"}), bjensen)
    assert after[ENTERPRISE_USER_SCHEMA]["department"] == "Sales"


def test_add_of_string_boolean_is_taken_as_boolean(bjensen):
    """RFC 7643 §2.3.2: a boolean is true or false; Entra ID's "True"/"False" strings are
    read as those (docs/dialects.md)."""
    after = patch_document(ops({"op": "add", "path": "active", "value": "False"}), bjensen)
    assert after["active"] is False


def test_add_of_wrong_type_is_invalid_value(bjensen):
    """RFC 7644 §3.12, invalidValue: "A required value was missing, or the value specified
    was not compatible with the operation or attribute type"."""
    with pytest.raises(InvalidValue):
        patch_document(ops({"op": "add", "path": "nickName", "value": 7}), bjensen)


def test_add_to_read_only_attribute_is_mutability(bjensen):
    """RFC 7644 §3.5.2: an operation that attempts to modify a "readOnly" attribute fails
    with scimType "mutability" (RFC 7643 §2.2: readOnly "SHALL NOT be modified")."""
    with pytest.raises(Mutability):
        patch_document(
            ops({"op": "add", "path": "meta.created", "value": "2020-01-01T00:00:00Z"}), bjensen
        )


# -- multi-valued attributes ------------------------------------------------------------------


def test_add_appends_to_a_multi_valued_attribute(bjensen):
    """RFC 7644 §3.5.2.1: "If the target location specifies a multi-valued attribute, a new
    value is added to the attribute"."""
    phone = {"value": "555-555-1234", "type": "fax"}
    after = patch_document(ops({"op": "add", "path": "phoneNumbers", "value": [phone]}), bjensen)
    assert after["phoneNumbers"] == [*bjensen["phoneNumbers"], phone]


def test_add_of_a_value_already_there_changes_nothing(bjensen):
    """RFC 7644 §3.5.2.1: "If the target location already contains the value specified, no
    changes SHOULD be made to the resource"."""
    email = dict(bjensen["emails"][1])
    after = patch_document(ops({"op": "add", "path": "emails", "value": [email]}), bjensen)
    assert after["emails"] == bjensen["emails"]


def test_add_of_new_primary_clears_the_old_one(bjensen):
    """RFC 7643 §2.4: the primary attribute "value "true" MUST appear no more than once"."""
    email = {"value": "barbara@example.org", "type": "other", "primary": True}
    after = patch_document(ops({"op": "add", "path": "emails", "value": [email]}), bjensen)
    assert [e.get("primary") for e in after["emails"]] == [False, None, True]


def test_add_through_unmatched_value_filter_creates_the_element(bjensen):
    """RFC 7644 §3.5.2.1: "If the target location does not exist, the attribute and value
    are added"; the new element carries the equalities of the filter (Entra ID,
    docs/dialects.md)."""
    body = ops({"op": "add", "path": 'emails[type eq "other"].value', "value": "o@example.com"})
    after = patch_document(body, bjensen)
    assert after["emails"] == [*bjensen["emails"], {"type": "other", "value": "o@example.com"}]


# -- without a path ----------------------------------------------------------------------------


def test_path_less_add_from_the_rfc(bjensen):
    """RFC 7644 §3.5.2.1, the example adding "emails" and "nickname" without a path: each
    key is an attribute of the resource, matched case-insensitively (RFC 7643 §2.1)."""
    del bjensen["nickName"]
    after = patch_document(load_sample("rfc7644-3.5.2.1-patch-add-attributes.json"), bjensen)
    assert after["nickName"] == "Babs"
    assert after["emails"] == bjensen["emails"]  # babs@jensen.org was already there


def test_path_less_add_merges_an_extension_object(bjensen):
    """RFC 7643 §3.3: extension attributes sit in a sub-object keyed by the schema URN; a
    path-less add merges it with the extension already there."""
    body = ops({"op": "add", "value": {ENTERPRISE_USER_SCHEMA: {"division": "Water Park"}}})
    after = patch_document(body, bjensen)
    assert after[ENTERPRISE_USER_SCHEMA] == {
        **bjensen[ENTERPRISE_USER_SCHEMA],
        "division": "Water Park",
    }


def test_path_less_add_drops_id_schemas_and_meta():
    """RFC 7643 §3.1: "id", "meta" and "schemas" are set by the service provider; inside a
    path-less value they are ignored (Okta sends ``id``, docs/dialects.md)."""
    value = {"schemas": [], "id": "x", "meta": {}, "title": "Tour Lead"}
    operation = parse_request(ops({"op": "add", "value": value}), USER_TYPE)[0]
    assert [str(step.path) for step, _ in expand(operation, USER_TYPE)] == ["title"]


# -- immutable attributes and relations -----------------------------------------------------


def test_add_to_an_unset_immutable_attribute_is_allowed():
    """RFC 7643 §2.2, immutable: "The attribute MAY be defined at resource creation ... or
    at record update when an initial value is not set"."""
    operation = parse_request(
        ops({"op": "add", "path": "members.value", "value": "x"}), GROUP_TYPE
    )[0]
    check_mutability(operation, None)


def test_add_members_becomes_an_add_delta():
    """RFC 7644 §3.5.2.1, the example adding a member to a group: the new member is added,
    the others stay."""
    operation = parse_request(load_sample("rfc7644-3.5.2.1-patch-add-members.json"), GROUP_TYPE)[0]
    change = relation_change(operation)
    assert change.kind == "add"
    assert [m["value"] for m in change.values] == [BJENSEN_ID]


def test_add_members_through_a_filter_is_invalid_path():
    """RFC 7644 §3.5.2.1: "The "path" attribute ... indicates the attribute to be added";
    a member is added whole, not through a value filter."""
    body = ops(
        {"op": "add", "path": f'members[value eq "{BJENSEN_ID}"]', "value": [{"value": BJENSEN_ID}]}
    )
    with pytest.raises(InvalidPath):
        relation_change(parse_request(body, GROUP_TYPE)[0])
