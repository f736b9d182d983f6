"""``attributes``, ``excludedAttributes`` and ``returned`` on SCIM dicts, one rule per test.

RFC 7644 §3.4.2.5 and §3.9 name the parameters; RFC 7643 §2.4 the "returned"
characteristic they work with.
"""

from __future__ import annotations

from typing import Any

import pytest

from django_scim.constants import ENTERPRISE_USER_SCHEMA, USER_SCHEMA
from django_scim.projection import Projection
from django_scim.schemas.attributes import Schema, string
from django_scim.schemas.characteristics import Returned
from django_scim.schemas.registry import ResourceType
from tests.conftest import load_sample
from tests.unit.engine import USER_TYPE

BJENSEN_ID = "2819c223-7f76-453a-919d-413861904646"


@pytest.fixture
def resource() -> dict[str, Any]:
    """RFC 7643 §8.3 bjensen, with the password a service provider never returns."""
    return load_sample("rfc7643-8.3-user-enterprise.json")


def project(resource, attributes=None, excluded=None) -> dict[str, Any]:
    return Projection(USER_TYPE, attributes, excluded).apply(resource)


def test_without_parameters_every_default_attribute_is_returned(resource):
    """RFC 7643 §2.4, returned "default": "The attribute is returned by default in all SCIM
    operation responses where attribute values are returned"."""
    assert project(resource)["name"] == resource["name"]


def test_password_is_never_returned(resource):
    """RFC 7643 §4.1.1, password: "This attribute ... has a "returned" characteristic of
    "never""; §2.4: never "returned in any SCIM response"."""
    assert "password" not in project(resource, attributes="password")


def test_attributes_keeps_only_those_named(resource):
    """RFC 7644 §3.9: "attributes: ... the names of resource attributes to return in the
    response, overriding the set of attributes that would be returned by default"."""
    assert set(project(resource, attributes="userName,displayName")) == {
        "schemas",
        "id",
        "userName",
        "displayName",
    }


def test_id_is_always_returned(resource):
    """RFC 7643 §3.1, id: "returned" is "always"; §2.4: "The attribute is always returned,
    regardless of the contents of the "attributes" parameter"."""
    assert project(resource, attributes="userName")["id"] == BJENSEN_ID


def test_id_survives_excluded_attributes(resource):
    """RFC 7644 §3.9: excludedAttributes "SHALL have no effect on attributes whose schema
    "returned" setting is "always""."""
    assert project(resource, excluded="id")["id"] == BJENSEN_ID


def test_excluded_attributes_drops_those_named(resource):
    """RFC 7644 §3.9: "excludedAttributes: ... the names of resource attributes to be
    removed from the default set of attributes to return"."""
    projected = project(resource, excluded="emails,phoneNumbers")
    assert "emails" not in projected
    assert "phoneNumbers" not in projected
    assert projected["userName"] == resource["userName"]


def test_attributes_list_from_a_search_request(resource):
    """RFC 7644 §3.4.3: in a SearchRequest, "attributes" is a JSON array of names (the
    §3.4.3 example asks for "displayName" and "userName")."""
    names = load_sample("rfc7644-3.4.3-search-request.json")["attributes"]
    assert set(project(resource, attributes=names)) == {"schemas", "id", "displayName", "userName"}


def test_attribute_names_are_case_insensitive(resource):
    """RFC 7643 §2.1: "Attribute names are case insensitive"."""
    assert project(resource, attributes="USERNAME")["userName"] == resource["userName"]


def test_a_sub_attribute_is_returned_alone(resource):
    """RFC 7644 §3.10: "name.givenName" names a sub-attribute; only it is returned."""
    assert project(resource, attributes="name.givenName")["name"] == {"givenName": "Barbara"}


def test_a_sub_attribute_of_a_multi_valued_attribute_in_each_value(resource):
    """RFC 7644 §3.10: "emails.value" names the "value" of every email."""
    assert project(resource, attributes="emails.value")["emails"] == [
        {"value": "bjensen@example.com"},
        {"value": "babs@jensen.org"},
    ]


def test_excluded_sub_attribute_leaves_its_siblings(resource):
    """RFC 7644 §3.9: excludedAttributes takes attribute paths, sub-attributes included."""
    name = project(resource, excluded="name.middleName")["name"]
    assert name == {k: v for k, v in resource["name"].items() if k != "middleName"}


def test_urn_qualified_extension_attribute(resource):
    """RFC 7644 §3.10: an extension attribute is named by its schema URN and name."""
    projected = project(resource, attributes=f"{ENTERPRISE_USER_SCHEMA}:department")
    assert projected[ENTERPRISE_USER_SCHEMA] == {"department": "Tour Operations"}


def test_urn_qualified_core_attribute(resource):
    """RFC 7644 §3.10: a core attribute may be qualified by the core schema URN."""
    projected = project(resource, attributes=f"{USER_SCHEMA}:userName")
    assert projected["userName"] == resource["userName"]


def test_extension_urn_names_the_whole_extension(resource):
    """RFC 7643 §3.3: the extension is a sub-object keyed by its URN; naming the URN
    returns all of it."""
    projected = project(resource, attributes=ENTERPRISE_USER_SCHEMA)
    assert projected[ENTERPRISE_USER_SCHEMA]["costCenter"] == "4130"
    assert "userName" not in projected


def test_excluding_the_extension_urn_drops_it(resource):
    """RFC 7644 §3.9 with RFC 7643 §3.3: excluding the URN excludes the whole extension."""
    assert ENTERPRISE_USER_SCHEMA not in project(resource, excluded=ENTERPRISE_USER_SCHEMA)


def test_schemas_is_always_returned(resource):
    """RFC 7643 §3: "schemas" is REQUIRED in every representation."""
    assert project(resource, attributes="userName")["schemas"] == resource["schemas"]


def test_returned_request_only_when_asked():
    """RFC 7643 §2.4, returned "request": "The attribute is returned in response to any
    PUT, POST, or PATCH operations if specified in the "attributes" parameter"."""
    schema = Schema(
        id="urn:example:schemas:Badge",
        name="Badge",
        description="Badge",
        attributes=(
            string("code", "A code.", returned=Returned.REQUEST),
            string("label", "A label."),
        ),
    )
    badge_type = ResourceType("Badge", "/Badges", "Badge", schema, (), None)  # type: ignore[arg-type]
    badge = {"schemas": [schema.id], "id": "1", "code": "X1", "label": "Front door"}
    assert "code" not in Projection(badge_type).apply(badge)
    assert Projection(badge_type, "code").apply(badge)["code"] == "X1"


def test_wants_tells_an_excluded_attribute_before_it_is_built():
    """RFC 7644 §3.9: an excluded attribute is not in the response, so an adapter can skip
    reading it (Entra sends ``excludedAttributes=members`` on every group read)."""
    assert Projection(USER_TYPE, excluded="emails").wants(USER_SCHEMA, "emails") is False
