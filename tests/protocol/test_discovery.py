"""Discovery endpoints (RFC 7644 §4; RFC 7643 §5-§7): /ServiceProviderConfig, /Schemas,
/ResourceTypes, generated from the schema registry and advertising only what works.
"""

from __future__ import annotations

import pytest

from django_scim.constants import (
    BULK_REQUEST,
    BULK_RESPONSE,
    ENTERPRISE_USER_SCHEMA,
    GROUP_SCHEMA,
    LIST_RESPONSE,
    PATCH_OP,
    RESOURCE_TYPE_SCHEMA,
    SCHEMA_SCHEMA,
    SERVICE_PROVIDER_CONFIG_SCHEMA,
    USER_SCHEMA,
)
from tests.conftest import assert_scim_error, body

SCIM_JSON = "application/scim+json"

DISCOVERY = [
    "ServiceProviderConfig",
    "Schemas",
    f"Schemas/{USER_SCHEMA}",
    "ResourceTypes",
    "ResourceTypes/User",
]

# RFC 7643 §4.1 / §8.7.1: every attribute of the core User schema, in the RFC's order.
USER_ATTRIBUTES = [
    "userName",
    "name",
    "displayName",
    "nickName",
    "profileUrl",
    "title",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
    "active",
    "password",
    "emails",
    "phoneNumbers",
    "ims",
    "photos",
    "addresses",
    "groups",
    "entitlements",
    "roles",
    "x509Certificates",
]
ENTERPRISE_ATTRIBUTES = [
    "employeeNumber",
    "costCenter",
    "organization",
    "division",
    "department",
    "manager",
]
GROUP_ATTRIBUTES = ["displayName", "members"]
# RFC 7643 §7: the characteristics every attribute definition carries.
CHARACTERISTICS = {
    "name",
    "type",
    "multiValued",
    "description",
    "required",
    "caseExact",
    "mutability",
    "returned",
    "uniqueness",
}
TYPES = {"string", "boolean", "decimal", "integer", "dateTime", "binary", "reference", "complex"}


def get_ok(client, path: str, **params) -> dict:
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == SCIM_JSON
    return body(response)


def schema_doc(scim, urn: str) -> dict:
    return get_ok(scim, f"Schemas/{urn}")


def attribute(doc: dict, path: str) -> dict:
    """The definition of ``name`` or ``name.sub`` in a /Schemas document."""
    name, _, sub = path.partition(".")
    found = next(a for a in doc["attributes"] if a["name"] == name)
    if sub:
        found = next(a for a in found["subAttributes"] if a["name"] == sub)
    return found


def walk(attributes: list[dict]):
    for item in attributes:
        yield item
        yield from walk(item.get("subAttributes", []))


# -- /ServiceProviderConfig (RFC 7643 §5) -------------------------------------------------


def test_service_provider_config_document(scim):
    """RFC 7644 §4: GET /ServiceProviderConfig "SHALL return ... a "schemas" attribute of
    urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"; RFC 7643 §5 lists patch,
    bulk, filter, changePassword, sort, etag and authenticationSchemes."""
    data = get_ok(scim, "ServiceProviderConfig")
    assert data["schemas"] == [SERVICE_PROVIDER_CONFIG_SCHEMA]
    assert data["patch"] == {"supported": True}
    assert data["bulk"] == {"supported": True, "maxOperations": 1000, "maxPayloadSize": 1048576}
    assert data["filter"] == {"supported": True, "maxResults": 200}
    assert data["changePassword"] == {"supported": True}
    assert data["sort"] == {"supported": True}
    assert data["etag"] == {"supported": True}
    assert data["meta"]["resourceType"] == "ServiceProviderConfig"
    assert data["meta"]["location"] == "http://testserver/scim/v2/ServiceProviderConfig"


def test_authentication_schemes(scim):
    """RFC 7643 §5: authenticationSchemes entries have type ("oauthbearertoken"), name and
    description; this provider authenticates with bearer tokens."""
    schemes = get_ok(scim, "ServiceProviderConfig")["authenticationSchemes"]
    assert [s["type"] for s in schemes] == ["oauthbearertoken"]
    assert schemes[0]["name"] and schemes[0]["description"]


def test_max_results_follows_the_setting(scim, settings):
    """RFC 7643 §5: filter.maxResults is "the maximum number of resources returned in a
    response"; it is the MAX_RESULTS setting, read at request time."""
    settings.SCIM = {"MAX_RESULTS": 25}
    assert get_ok(scim, "ServiceProviderConfig")["filter"]["maxResults"] == 25


def test_documentation_uri_is_published_when_set(scim, settings):
    """RFC 7643 §5: documentationUri, "an HTTP-addressable URL pointing to the service
    provider's human-consumable help documentation"."""
    assert "documentationUri" not in get_ok(scim, "ServiceProviderConfig")
    settings.SCIM = {"DOCUMENTATION_URI": "https://docs.example.test/scim"}
    data = get_ok(scim, "ServiceProviderConfig")
    assert data["documentationUri"] == "https://docs.example.test/scim"


def test_advertised_patch_works(scim):
    """RFC 7643 §5: patch.supported true means PATCH (RFC 7644 §3.5.2) works."""
    assert get_ok(scim, "ServiceProviderConfig")["patch"]["supported"] is True
    user_id = body(scim.post("Users", {"userName": "bjensen"}))["id"]
    response = scim.patch(
        f"Users/{user_id}",
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "path": "title", "value": "Guide"}],
        },
    )
    assert response.status_code == 200
    assert body(response)["title"] == "Guide"


def test_advertised_sort_works(scim):
    """RFC 7643 §5: sort.supported true means sortBy (RFC 7644 §3.4.2.3) orders results."""
    for name in ("carol", "alice", "bob"):
        scim.post("Users", {"userName": name})
    data = get_ok(scim, "Users", sortBy="userName", sortOrder="descending")
    assert [r["userName"] for r in data["Resources"]] == ["carol", "bob", "alice"]


def test_advertised_filter_works(scim):
    """RFC 7643 §5: filter.supported true means filter (RFC 7644 §3.4.2.2) works."""
    for name in ("alice", "bob"):
        scim.post("Users", {"userName": name})
    data = get_ok(scim, "Users", filter='userName sw "al"')
    assert [r["userName"] for r in data["Resources"]] == ["alice"]


def test_supported_bulk_answers_a_bulk_response(scim):
    """RFC 7643 §5: bulk.supported true; RFC 7644 §3.7.3: POST /Bulk answers 200 with a
    BulkResponse (tests/protocol/test_bulk.py has the rest)."""
    response = scim.post("Bulk", {"schemas": [BULK_REQUEST], "Operations": []})
    assert response.status_code == 200
    assert response.json() == {"schemas": [BULK_RESPONSE], "Operations": []}


# -- /Schemas (RFC 7643 §7, §8.7) ---------------------------------------------------------


def test_schemas_is_a_list_response_of_every_schema(scim):
    """RFC 7644 §4: GET /Schemas "SHALL return all supported schemas in ListResponse
    format": User, Group and the Enterprise User extension."""
    data = get_ok(scim, "Schemas")
    assert data["schemas"] == [LIST_RESPONSE]
    ids = [r["id"] for r in data["Resources"]]
    assert sorted(ids) == sorted([USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA])
    assert data["totalResults"] == len(ids) == data["itemsPerPage"]
    assert all(r["schemas"] == [SCHEMA_SCHEMA] for r in data["Resources"])


@pytest.mark.parametrize(
    ("urn", "names"),
    [
        (USER_SCHEMA, USER_ATTRIBUTES),
        (GROUP_SCHEMA, GROUP_ATTRIBUTES),
        (ENTERPRISE_USER_SCHEMA, ENTERPRISE_ATTRIBUTES),
    ],
)
def test_schema_lists_every_attribute(scim, urn, names):
    """RFC 7643 §4.1-§4.3 and §8.7.1: each schema publishes every attribute the RFC
    defines for it (id, externalId and meta are common attributes, §3.1)."""
    doc = schema_doc(scim, urn)
    assert doc["id"] == urn
    assert [a["name"] for a in doc["attributes"]] == names


@pytest.mark.parametrize("urn", [USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA])
def test_every_attribute_has_every_characteristic(scim, urn):
    """RFC 7643 §7: each attribute definition has name, type, multiValued, description,
    required, caseExact, mutability, returned and uniqueness; complex ones subAttributes."""
    for item in walk(schema_doc(scim, urn)["attributes"]):
        assert set(item) >= CHARACTERISTICS, item["name"]
        assert item["type"] in TYPES
        assert item["mutability"] in {"readOnly", "readWrite", "immutable", "writeOnly"}
        assert item["returned"] in {"always", "never", "default", "request"}
        assert item["uniqueness"] in {"none", "server", "global"}
        if item["type"] == "complex":
            assert item["subAttributes"], item["name"]
        if item["type"] == "reference":
            assert item["referenceTypes"], item["name"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "userName",
            {
                "type": "string",
                "required": True,
                "caseExact": False,
                "mutability": "readWrite",
                "returned": "default",
                "uniqueness": "server",
            },
        ),
        (
            "password",
            {"type": "string", "mutability": "writeOnly", "returned": "never", "required": False},
        ),
        ("groups", {"type": "complex", "multiValued": True, "mutability": "readOnly"}),
        ("groups.value", {"mutability": "readOnly"}),
        (
            "groups.$ref",
            {"type": "reference", "referenceTypes": ["User", "Group"], "mutability": "readOnly"},
        ),
        ("groups.type", {"canonicalValues": ["direct", "indirect"], "mutability": "readOnly"}),
        ("emails", {"type": "complex", "multiValued": True, "mutability": "readWrite"}),
        ("emails.type", {"canonicalValues": ["work", "home", "other"]}),
        ("emails.primary", {"type": "boolean"}),
        ("name.givenName", {"type": "string", "multiValued": False}),
        ("active", {"type": "boolean", "multiValued": False}),
        ("profileUrl", {"type": "reference", "referenceTypes": ["external"]}),
        ("photos.value", {"type": "reference", "referenceTypes": ["external"]}),
        ("x509Certificates.value", {"type": "binary"}),
        ("addresses.type", {"canonicalValues": ["work", "home", "other"]}),
    ],
)
def test_user_attribute_characteristics_match_rfc(scim, path, expected):
    """RFC 7643 §8.7.1: the published characteristics of a sample of User attributes are
    those of the RFC's schema representation."""
    found = attribute(schema_doc(scim, USER_SCHEMA), path)
    assert {key: found.get(key) for key in expected} == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("displayName", {"type": "string", "required": True, "caseExact": False}),
        ("members", {"type": "complex", "multiValued": True, "mutability": "readWrite"}),
        ("members.value", {"mutability": "immutable"}),
        (
            "members.$ref",
            {"type": "reference", "referenceTypes": ["User", "Group"], "mutability": "immutable"},
        ),
        ("members.type", {"canonicalValues": ["User", "Group"], "mutability": "immutable"}),
    ],
)
def test_group_attribute_characteristics_match_rfc(scim, path, expected):
    """RFC 7643 §4.2 and §8.7.1: Group attribute characteristics (displayName is REQUIRED
    per the normative §4.2 text)."""
    found = attribute(schema_doc(scim, GROUP_SCHEMA), path)
    assert {key: found.get(key) for key in expected} == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("manager", {"type": "complex", "multiValued": False}),
        ("manager.$ref", {"type": "reference", "referenceTypes": ["User"]}),
        ("manager.displayName", {"mutability": "readOnly"}),
        ("employeeNumber", {"type": "string", "multiValued": False, "required": False}),
    ],
)
def test_enterprise_attribute_characteristics_match_rfc(scim, path, expected):
    """RFC 7643 §4.3 and §8.7.2: Enterprise User extension characteristics."""
    found = attribute(schema_doc(scim, ENTERPRISE_USER_SCHEMA), path)
    assert {key: found.get(key) for key in expected} == expected


def test_id_is_read_only_and_always_returned(scim):
    """RFC 7643 §3.1: id is readOnly and returned "always": a client's id is ignored and
    excludedAttributes=id does not drop it. If /Schemas lists it (allowed for backward
    compatibility), it says so."""
    created = body(scim.post("Users", {"userName": "bjensen", "id": "mine"}))
    assert created["id"] != "mine"
    again = get_ok(scim, f"Users/{created['id']}", excludedAttributes="id")
    assert again["id"] == created["id"]
    listed = [a for a in schema_doc(scim, USER_SCHEMA)["attributes"] if a["name"] == "id"]
    for item in listed:
        assert (item["mutability"], item["returned"]) == ("readOnly", "always")


def test_schema_by_urn_has_meta(scim):
    """RFC 7643 §7: a schema resource has a meta with resourceType "Schema" and location."""
    doc = schema_doc(scim, GROUP_SCHEMA)
    assert doc["schemas"] == [SCHEMA_SCHEMA]
    assert doc["meta"] == {
        "resourceType": "Schema",
        "location": f"http://testserver/scim/v2/Schemas/{GROUP_SCHEMA}",
    }


def test_unknown_schema_urn_is_404(scim):
    """RFC 7644 §3.4.1 applied to §4: a schema that does not exist is 404, SCIM Error."""
    assert_scim_error(scim.get("Schemas/urn:ietf:params:scim:schemas:core:2.0:Printer"), 404)


# -- /ResourceTypes (RFC 7643 §6) -----------------------------------------------------


def test_resource_types_list(scim):
    """RFC 7644 §4: GET /ResourceTypes returns every resource type in ListResponse form."""
    data = get_ok(scim, "ResourceTypes")
    assert data["schemas"] == [LIST_RESPONSE]
    assert data["totalResults"] == 2 == len(data["Resources"])
    by_name = {r["name"]: r for r in data["Resources"]}
    assert by_name["Group"]["endpoint"] == "/Groups"
    assert by_name["Group"]["schema"] == GROUP_SCHEMA
    assert by_name["Group"]["schemaExtensions"] == []


def test_user_resource_type(scim):
    """RFC 7643 §6 and §8.6: the User resource type has endpoint "/Users", schema the core
    User URN and schemaExtensions naming the Enterprise User extension."""
    data = get_ok(scim, "ResourceTypes/User")
    assert data["schemas"] == [RESOURCE_TYPE_SCHEMA]
    assert (data["id"], data["name"], data["endpoint"]) == ("User", "User", "/Users")
    assert data["schema"] == USER_SCHEMA
    assert data["schemaExtensions"] == [{"schema": ENTERPRISE_USER_SCHEMA, "required": False}]
    assert data["meta"]["location"] == "http://testserver/scim/v2/ResourceTypes/User"
    assert data["meta"]["resourceType"] == "ResourceType"


def test_unknown_resource_type_is_404(scim):
    """RFC 7644 §4: /ResourceTypes/{name} of a type that is not served is 404."""
    assert_scim_error(scim.get("ResourceTypes/Printer"), 404)


def test_every_advertised_endpoint_is_served(scim):
    """RFC 7643 §6: a resource type's endpoint is where its resources live."""
    for resource_type in get_ok(scim, "ResourceTypes")["Resources"]:
        data = get_ok(scim, resource_type["endpoint"].lstrip("/"))
        assert data["schemas"] == [LIST_RESPONSE]


def test_list_query_parameters_are_ignored(scim):
    """RFC 7644 §4: "Query parameters described in Section 3.4.2, such as filtering,
    sorting, attribute return, and paging, SHALL be ignored" on discovery lists."""
    data = get_ok(scim, "Schemas", count=1, startIndex=2, sortBy="name", attributes="name")
    assert data["totalResults"] == 3 == len(data["Resources"])
    assert all("attributes" in r for r in data["Resources"])


@pytest.mark.parametrize("path", ["Schemas", "ResourceTypes"])
def test_filter_on_discovery_list_is_403(scim, path):
    """RFC 7644 §4: "If a "filter" is provided, the service provider SHOULD respond with
    HTTP status code 403 (Forbidden) to ensure that clients cannot incorrectly assume that
    any matching conditions specified in a filter are true"."""
    response = scim.get(path, {"filter": 'name eq "User"'})
    assert_scim_error(response, 403)


# -- methods and authentication --------------------------------------------------------


@pytest.mark.parametrize("path", DISCOVERY)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_to_discovery_endpoints_are_405(scim, path, method):
    """RFC 7644 §4: discovery endpoints are read with GET; RFC 7644 §3.12: any other
    method is 405 Method Not Allowed, as a SCIM Error, with an Allow header."""
    response = getattr(scim, method)(path, {"schemas": [SCHEMA_SCHEMA], "id": USER_SCHEMA})
    assert_scim_error(response, 405)
    assert "GET" in response["Allow"]
    assert get_ok(scim, "Schemas")["totalResults"] == 3


@pytest.mark.parametrize("path", DISCOVERY)
def test_discovery_needs_a_bearer_token(anonymous, path):
    """RFC 7644 §2: this provider authenticates every SCIM request, discovery included;
    without credentials the answer is 401 with a Bearer challenge (RFC 6750 §3)."""
    response = anonymous.get(path)
    assert_scim_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", DISCOVERY)
def test_read_only_client_reads_discovery(read_only_scim, path):
    """RFC 7644 §4: discovery is a read; a read-only client may use it."""
    assert get_ok(read_only_scim, path)["schemas"]
