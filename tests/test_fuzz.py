"""Fuzzing every endpoint with random and mutated SCIM requests.

Valid User, Group, PATCH and SearchRequest bodies are mutated (keys dropped, types
swapped, huge strings, deep nesting, unicode, nulls, wrong schemas); filters are
generated from the RFC 7644 §3.4.2.2 grammar and then damaged; query parameters,
PATCH paths and Content-Type headers are drawn at random. Whatever arrives:

- the server never answers 5xx;
- every 4xx is a SCIM Error (RFC 7644 §3.12): ``schemas`` holds the Error URN,
  ``status`` is the HTTP status as a string, the media type is application/scim+json;
- a rejected request (4xx) leaves the database as it was: users, groups,
  memberships and the side tables are compared row by row.

The tests run with real transactions (``transaction=True``) so that each request
commits or rolls back as it would in production. Generation is derandomized, so a
run is reproducible; a failure prints the exact request.
"""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from django_scim.constants import (
    ENTERPRISE_USER_SCHEMA,
    ERROR,
    GROUP_SCHEMA,
    PATCH_OP,
    SEARCH_REQUEST,
    USER_SCHEMA,
)
from django_scim.models import ResourceElement, ResourceRecord
from tests.conftest import SCIMTestClient, _url

pytestmark = pytest.mark.django_db(transaction=True)

SCIM_JSON = "application/scim+json"

User = get_user_model()

FUZZ = settings(
    derandomize=True,
    deadline=None,
    max_examples=120,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    print_blob=False,
)

# -- valid starting points -------------------------------------------------------------

VALID_USER = {
    "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    "externalId": "ext-1",
    "userName": "fuzzy",
    "name": {"givenName": "Fuzz", "familyName": "Tester", "formatted": "Fuzz Tester"},
    "displayName": "Fuzz",
    "title": "Tester",
    "active": True,
    "password": "pa55word!",
    "emails": [{"value": "fuzz@example.test", "type": "work", "primary": True}],
    "phoneNumbers": [{"value": "555-0100", "type": "mobile"}],
    "addresses": [{"type": "work", "locality": "Springfield", "primary": True}],
    "x509Certificates": [{"value": "TUlJQw=="}],
    "roles": [{"value": "admin"}],
    ENTERPRISE_USER_SCHEMA: {
        "employeeNumber": "42",
        "department": "QA",
        "manager": {"value": "MANAGER"},
    },
}
VALID_GROUP = {
    "schemas": [GROUP_SCHEMA],
    "displayName": "Fuzzers",
    "externalId": "g-1",
    "members": [{"value": "MEMBER", "type": "User"}],
}
VALID_USER_PATCH = {
    "schemas": [PATCH_OP],
    "Operations": [
        {"op": "replace", "path": "title", "value": "Lead"},
        {"op": "add", "path": 'emails[type eq "work"].value', "value": "w@example.test"},
        {"op": "remove", "path": "nickName"},
        {
            "op": "Replace",
            "value": {
                "displayName": "Fz",
                "name.givenName": "F",
                f"{ENTERPRISE_USER_SCHEMA}:department": "Ops",
                "active": "False",
            },
        },
    ],
}
VALID_GROUP_PATCH = {
    "schemas": [PATCH_OP],
    "Operations": [
        {"op": "replace", "path": "displayName", "value": "Renamed"},
        {"op": "add", "path": "members", "value": [{"value": "MEMBER"}]},
        {"op": "remove", "path": 'members[value eq "MEMBER"]'},
    ],
}
VALID_SEARCH = {
    "schemas": [SEARCH_REQUEST],
    "filter": 'userName sw "a"',
    "startIndex": 1,
    "count": 5,
    "sortBy": "userName",
    "sortOrder": "descending",
    "attributes": ["userName"],
}

# -- JSON values ------------------------------------------------------------------------

UNICODE = st.sampled_from(
    [
        "",
        " ",
        "\u0000",
        "\ud800",
        "é",
        "ß",
        "İ",
        "\u202e",
        "😀",
        "\t\n",
        "日本語",
        "\ufeff",
        "'",
        '"',
        "\\",
        "%",
        "_",
        "a" * 300,
    ]
)
TEXT = st.text(max_size=20) | UNICODE
HUGE = st.integers(1000, 70_000).map(lambda n: "x" * n)
LEAF = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | TEXT
)
JSON = st.recursive(
    LEAF,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            TEXT | st.sampled_from(["value", "type", "primary", "op", "path"]), children, max_size=3
        )
    ),
    max_leaves=8,
)


def nested(levels: int) -> Any:
    value: Any = "leaf"
    for level in range(levels):
        value = [value] if level % 2 else {"value": value}
    return value


ODD_VALUE = (
    JSON
    | HUGE
    | st.integers(10, 60).map(nested)
    | st.sampled_from([[], {}, [None], [[]], {"value": None}])
)
WRONG_SCHEMAS = st.sampled_from(
    [None, [], "urn:x", [1], [GROUP_SCHEMA], ["urn:bogus:2.0:User"], [PATCH_OP], {"a": USER_SCHEMA}]
)


def _slots(doc: Any, trail: tuple = ()) -> list[tuple]:
    """Every (path of keys) inside a JSON document, the document itself excluded."""
    found = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            found.append((*trail, key))
            found += _slots(value, (*trail, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            found.append((*trail, index))
            found += _slots(value, (*trail, index))
    return found


def _parent(doc: Any, trail: tuple) -> Any:
    for key in trail[:-1]:
        doc = doc[key]
    return doc


@st.composite
def mutated(draw, base: Any) -> Any:
    """``base`` with a few random edits: drop, replace, wrap, rename, wrong schemas."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(0, 4))):
        slots = _slots(doc)
        if not slots:
            break
        trail = draw(st.sampled_from(slots))
        parent, key = _parent(doc, trail), trail[-1]
        action = draw(st.sampled_from(["drop", "replace", "wrap", "null", "rename", "dup"]))
        if action == "drop":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(ODD_VALUE)
        elif action == "wrap":
            parent[key] = draw(st.sampled_from([[parent[key]], {"value": parent[key]}]))
        elif action == "null":
            parent[key] = None
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(TEXT | st.sampled_from(["USERNAME", "Members", "operations"]))] = (
                parent.pop(key)
            )
        elif action == "dup" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
    if isinstance(doc, dict) and draw(st.integers(0, 5)) == 0:
        doc["schemas"] = draw(WRONG_SCHEMAS)
    return doc


def with_ids(doc: Any, ids: dict[str, str]) -> Any:
    """Put the ids of existing resources where the templates say MEMBER / MANAGER."""
    text = json.dumps(doc).replace("MEMBER", ids["bob"])
    return json.loads(text.replace("MANAGER", ids["alice"]))


# -- filters, paths, query parameters ---------------------------------------------------

ATTRIBUTES = [
    "userName",
    "name.givenName",
    "name.familyName",
    "displayName",
    "title",
    "active",
    "id",
    "externalId",
    "emails",
    "emails.value",
    "emails.type",
    "emails.primary",
    "phoneNumbers.value",
    "addresses.locality",
    "x509Certificates.value",
    "roles.value",
    "groups",
    "groups.value",
    "groups.display",
    "members",
    "members.value",
    "members.display",
    "meta.created",
    "meta.lastModified",
    "meta.resourceType",
    "meta.location",
    "password",
    "schemas",
    f"{USER_SCHEMA}:userName",
    f"{USER_SCHEMA}:name.givenName",
    f"{ENTERPRISE_USER_SCHEMA}:department",
    f"{ENTERPRISE_USER_SCHEMA}:manager.value",
    f"{ENTERPRISE_USER_SCHEMA}:manager",
    "shoeSize",
    "name.shoe",
    "urn:x:y",
    "USERNAME",
    "Emails.Value",
    "$ref",
    "members.$ref",
]
ATTRIBUTE = st.sampled_from(ATTRIBUTES)
COMPARE = st.sampled_from(["eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le", "EQ", "Co"])
VALUE = st.one_of(
    TEXT.map(json.dumps),
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(
        [
            "true",
            "false",
            "null",
            "True",
            '"2020-01-01T00:00:00Z"',
            '"2020-13-45"',
            "1e999",
            "-0",
            '""',
            "'single'",
            "bare",
            '"\\u0000"',
            '"\\ud800"',
        ]
    ),
)


def _filter_tree(children):
    return st.one_of(
        st.tuples(children, st.sampled_from([" and ", " or ", " AND "]), children).map("".join),
        children.map(lambda f: f"({f})"),
        children.map(lambda f: f"not ({f})"),
        st.tuples(
            st.sampled_from(["emails", "members", "addresses", "groups", "name"]), children
        ).map(lambda t: f"{t[0]}[{t[1]}]"),
    )


ATOM = st.one_of(
    st.tuples(ATTRIBUTE, COMPARE, VALUE).map(" ".join),
    ATTRIBUTE.map(lambda a: f"{a} pr"),
    st.tuples(st.sampled_from(["emails", "members"]), COMPARE, VALUE).map(
        lambda t: f'{t[0]}[type {t[1]} {t[2]}].value eq "x"'
    ),
)
GRAMMAR_FILTER = st.recursive(ATOM, _filter_tree, max_leaves=6)


@st.composite
def damaged(draw, text_strategy) -> str:
    """A grammatical string, sometimes cut, spliced with noise, or made huge."""
    text = draw(text_strategy)
    action = draw(st.sampled_from(["keep", "keep", "cut", "splice", "repeat"]))
    if action == "cut" and text:
        text = text[: draw(st.integers(0, len(text) - 1))]
    elif action == "splice":
        at = draw(st.integers(0, len(text)))
        text = (
            text[:at]
            + draw(st.text(st.sampled_from('()[]"\\ .:,$'), max_size=3) | st.text(max_size=5))
            + text[at:]
        )
    elif action == "repeat":
        text = " and ".join([text or "x"] * draw(st.integers(2, 600)))
    return text


FILTER = (
    damaged(GRAMMAR_FILTER)
    | st.text(max_size=40)
    | st.integers(1, 40).map(lambda n: "(" * n + 'userName eq "x"' + ")" * n)
)
PATCH_PATH = st.one_of(
    ATTRIBUTE,
    st.tuples(
        st.sampled_from(["emails", "members", "addresses", "phoneNumbers", "name"]),
        GRAMMAR_FILTER,
        st.sampled_from(["", ".value", ".type", ".bogus", "."]),
    ).map(lambda t: f"{t[0]}[{t[1]}]{t[2]}"),
    damaged(ATTRIBUTE),
    st.text(max_size=15),
)
NUMBER = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["", " ", "1.5", "0x10", "ten", "1e3", "-0", "+3", "٣", "９", "NaN", "None"]),
)
PARAMS = st.fixed_dictionaries(
    {},
    optional={
        "filter": FILTER,
        "sortBy": ATTRIBUTE | st.text(max_size=10),
        "sortOrder": st.sampled_from(["ascending", "descending", "up", "", "DESCENDING"]),
        "startIndex": NUMBER,
        "count": NUMBER,
        "attributes": st.lists(ATTRIBUTE | TEXT, max_size=3).map(",".join),
        "excludedAttributes": st.lists(ATTRIBUTE | TEXT, max_size=3).map(",".join),
    },
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/scim+json",
        "application/json",
        "application/scim+json; charset=utf-8",
        "application/json;charset=UTF-8",
        "APPLICATION/SCIM+JSON",
        "application/json; charset=utf-16",
        "text/plain",
        "",
        "application/xml",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "application/scim+json; version=2",
        "application/merge-patch+json",
        "*/*",
        "application/",
    ]
)
VALID_CONTENT_TYPE = st.sampled_from(
    [
        "application/scim+json",
        "application/json",
        "application/scim+json; charset=utf-8",
        "application/json;charset=UTF-8",
    ]
)


@st.composite
def patch_body(draw, base: dict) -> Any:
    """A mutated PatchOp, sometimes with random operations."""
    doc = draw(mutated(base))
    if draw(st.booleans()) and isinstance(doc, dict):
        operation = {
            "op": draw(st.sampled_from(["add", "replace", "remove", "Add", "move", ""]) | JSON)
        }
        if draw(st.booleans()):
            operation["path"] = draw(PATCH_PATH | JSON)
        if draw(st.booleans()):
            operation["value"] = draw(ODD_VALUE)
        doc["Operations"] = [operation]
    return doc


def encode(doc: Any) -> str | bytes:
    """JSON text for any drawn document (infinities and lone surrogates included)."""
    if isinstance(doc, bytes):
        return doc
    return json.dumps(doc)


RAW_BODIES = st.sampled_from(
    [
        b"",
        b"   ",
        b"{",
        b"[]",
        b"null",
        b'"x"',
        b"\xff\xfe{}",
        b'{"userName": "a",}',
        b"{'userName': 'a'}",
        b"\x00",
        b'{"a":1}' * 3,
        b"1e999999",
    ]
)

# -- the harness -----------------------------------------------------------------------


def snapshot() -> tuple:
    """Every row SCIM writes, except the provisioning log and the client's last_used."""
    return (
        sorted(
            User.objects.values_list(
                "pk", "username", "first_name", "last_name", "email", "is_active", "password"
            )
        ),
        sorted(Group.objects.values_list("pk", "name")),
        sorted(User.groups.through.objects.values_list("user_id", "group_id")),
        sorted(
            (
                str(r.id),
                r.resource_type,
                r.object_pk,
                r.external_id,
                json.dumps(r.attributes, sort_keys=True),
                r.created,
                r.last_modified,
            )
            for r in ResourceRecord.objects.all()
        ),
        sorted(
            (
                str(e.record_id),
                e.attribute,
                e.position,
                json.dumps(e.data, sort_keys=True),
                e.value_key,
            )
            for e in ResourceElement.objects.all()
        ),
    )


class Fuzzer:
    """Sends requests, checks every answer, and keeps two users and a group in place."""

    def __init__(self, client: SCIMTestClient) -> None:
        self.client = client
        self.ids: dict[str, str] = {}

    def ensure_seeds(self) -> dict[str, str]:
        for name in ("alice", "bob"):
            if not self._exists(name, "User"):
                response = self.client.post(
                    "Users",
                    {
                        "userName": f"seed-{name}-{uuid.uuid4()}",
                        "emails": [{"value": f"{name}@x.test"}],
                    },
                )
                assert response.status_code == 201
                self.ids[name] = json.loads(response.content)["id"]
        if not self._exists("group", "Group"):
            response = self.client.post(
                "Groups",
                {
                    "displayName": f"seed-{uuid.uuid4()}",
                    "members": [{"value": self.ids["alice"]}, {"value": self.ids["bob"]}],
                },
            )
            assert response.status_code == 201
            self.ids["group"] = json.loads(response.content)["id"]
        return self.ids

    def _exists(self, name: str, resource_type: str) -> bool:
        known = self.ids.get(name)
        return (
            bool(known)
            and ResourceRecord.objects.filter(id=known, resource_type=resource_type).exists()
        )

    def send(
        self,
        method: str,
        path: str,
        params: dict | None = None,
        data: Any = None,
        content_type: str = SCIM_JSON,
    ) -> Any:
        query = urlencode(params, encoding="utf-8", errors="surrogatepass") if params else ""
        url = path + ("?" + query if query else "")
        note(f"{method.upper()} {url} Content-Type: {content_type!r}")
        if data is not None:
            note(f"body: {data[:2000]!r}")
        before = snapshot()
        if method == "get":
            response = self.client.get(url)
        else:
            response = self.client.generic(
                method.upper(), _url(url), data or "", content_type=content_type
            )
        note(f"-> {response.status_code} {response.content[:500]!r}")
        check(response, path)
        if 400 <= response.status_code < 500:
            assert snapshot() == before, "a rejected request changed the database"
        return response


#: RFC 7644 §3.11: an optional endpoint this provider answers a SCIM client with 501.
UNSUPPORTED = ("Me",)


def check(response, path: str) -> None:
    status = response.status_code
    if path.strip("/") in UNSUPPORTED:
        assert status in (405, 501), status
    else:
        assert status < 500, f"server error {status}: {response.content[:300]!r}"
    if status == 204:
        assert response.content == b""
        return
    assert response["Content-Type"] == SCIM_JSON
    data = json.loads(response.content)
    if status >= 400:
        assert isinstance(data.get("schemas"), list) and ERROR in data["schemas"]
        assert data["status"] == str(status)
        assert isinstance(data.get("detail", ""), str)


@pytest.fixture
def fuzzer(scim) -> Fuzzer:
    found = Fuzzer(scim)
    found.ensure_seeds()
    return found


# -- the properties --------------------------------------------------------------------


@FUZZ
@given(
    endpoint=st.sampled_from(["Users", "Groups"]), data=st.data(), content_type=VALID_CONTENT_TYPE
)
def test_create_with_mutated_bodies(fuzzer, endpoint, data, content_type):
    """POST /Users and /Groups with mutated resources (RFC 7644 §3.3)."""
    ids = fuzzer.ensure_seeds()
    base = VALID_USER if endpoint == "Users" else VALID_GROUP
    doc = with_ids(data.draw(mutated(base)), ids)
    fuzzer.send("post", endpoint, data=encode(doc), content_type=content_type)


@FUZZ
@given(
    target=st.sampled_from(["alice", "group"]),
    data=st.data(),
    params=st.fixed_dictionaries(
        {}, optional={"attributes": ATTRIBUTE, "excludedAttributes": ATTRIBUTE}
    ),
)
def test_replace_with_mutated_bodies(fuzzer, target, data, params):
    """PUT /Users/{id} and /Groups/{id} with mutated resources (RFC 7644 §3.5.1)."""
    ids = fuzzer.ensure_seeds()
    endpoint, base = ("Users", VALID_USER) if target == "alice" else ("Groups", VALID_GROUP)
    doc = with_ids(data.draw(mutated(base)), ids)
    if endpoint == "Users" and isinstance(doc, dict) and isinstance(doc.get("userName"), str):
        doc["userName"] = doc["userName"] + "-" + target
    fuzzer.send("put", f"{endpoint}/{ids[target]}", params, encode(doc))


@FUZZ
@given(
    target=st.sampled_from(["alice", "bob", "group"]),
    data=st.data(),
    content_type=VALID_CONTENT_TYPE,
)
def test_patch_with_mutated_operations(fuzzer, target, data, content_type):
    """PATCH with mutated PatchOp bodies and random paths (RFC 7644 §3.5.2)."""
    ids = fuzzer.ensure_seeds()
    if target == "group":
        endpoint, base = "Groups", VALID_GROUP_PATCH
    else:
        endpoint, base = "Users", VALID_USER_PATCH
    doc = with_ids(data.draw(patch_body(base)), ids)
    fuzzer.send("patch", f"{endpoint}/{ids[target]}", data=encode(doc), content_type=content_type)


@FUZZ
@given(endpoint=st.sampled_from(["Users", "Groups", "Users/ALICE", "Groups/GROUP"]), params=PARAMS)
def test_queries_with_random_parameters(fuzzer, endpoint, params):
    """GET lists and resources with random filter, sortBy, startIndex, count and
    attributes (RFC 7644 §3.4.2)."""
    ids = fuzzer.ensure_seeds()
    path = endpoint.replace("ALICE", ids["alice"]).replace("GROUP", ids["group"])
    fuzzer.send("get", path, params)


@FUZZ
@given(endpoint=st.sampled_from(["Users/.search", "Groups/.search", ".search"]), data=st.data())
def test_search_with_mutated_requests(fuzzer, endpoint, data):
    """POST .search with mutated SearchRequest bodies (RFC 7644 §3.4.3)."""
    fuzzer.ensure_seeds()
    doc = data.draw(mutated(VALID_SEARCH))
    if isinstance(doc, dict) and data.draw(st.booleans()):
        doc["filter"] = data.draw(FILTER)
    fuzzer.send("post", endpoint, data=encode(doc))


ANY_PATH = st.sampled_from(
    [
        "Users",
        "Groups",
        "Users/ALICE",
        "Groups/GROUP",
        "Users/GROUP",
        "Groups/ALICE",
        f"Users/{uuid.UUID(int=7)}",
        "Users/not-an-id",
        "Users/.search",
        "Groups/.search",
        ".search",
        "ServiceProviderConfig",
        "Schemas",
        f"Schemas/{USER_SCHEMA}",
        "Schemas/urn:x",
        "ResourceTypes",
        "ResourceTypes/User",
        "ResourceTypes/Nope",
        "Bulk",
        "Me",
        "",
        "Users/ALICE/extra",
    ]
) | st.text(max_size=12).map(lambda text: quote(text, safe=""))


@FUZZ
@given(
    method=st.sampled_from(["get", "post", "put", "patch", "delete"]),
    path=ANY_PATH,
    params=PARAMS,
    content_type=CONTENT_TYPES,
    data=st.data(),
)
def test_any_request_anywhere(fuzzer, method, path, params, content_type, data):
    """Any method, endpoint, parameters, media type and body (RFC 7644 §3.1-§3.12, §4)."""
    ids = fuzzer.ensure_seeds()
    path = path.replace("ALICE", ids["alice"]).replace("GROUP", ids["group"])
    raw = None
    if method != "get":
        template = data.draw(
            st.sampled_from([VALID_USER, VALID_GROUP, VALID_USER_PATCH, VALID_SEARCH])
        )
        raw = data.draw(
            st.one_of(
                mutated(template).map(lambda d: encode(with_ids(d, ids))),
                JSON.map(encode),
                RAW_BODIES,
            )
        )
    if method == "delete" and path in (f"Users/{ids['alice']}", f"Groups/{ids['group']}"):
        params = {}
    fuzzer.send(method, path, params, raw, content_type)


# -- defects the fuzzer found (kept out of the strategies above until fixed) -----------------


def test_start_index_beyond_64_bits_with_count_zero(scim):
    """RFC 7644 §3.4.2.4: startIndex is an integer; one the server cannot represent is
    either clamped (200) or refused with 400 invalidValue (RFC 7644 §3.12), never a 5xx.
    Found by fuzzing: ``GET /Users?startIndex=18446744073709551616&count=0``."""
    scim.raise_request_exception = False
    response = scim.get("Users?startIndex=18446744073709551616&count=0")
    assert response.status_code in (200, 400), response.status_code
    check(response, "Users")
    if response.status_code == 400:
        assert json.loads(response.content)["scimType"] == "invalidValue"


def test_start_index_beyond_64_bits_is_invalid_value(scim):
    """RFC 7644 §3.4.2.4 / §3.12: an unrepresentable startIndex is clamped (200) or 400
    invalidValue, decided before any query.
    Found by fuzzing: ``GET /Users?startIndex=18446744073709551616&count=5``."""
    scim.raise_request_exception = False
    scim.post("Users", {"userName": "bjensen"})
    response = scim.get("Users?startIndex=18446744073709551616&count=5")
    assert response.status_code in (200, 400), response.status_code
    check(response, "Users")
    if response.status_code == 400:
        assert json.loads(response.content)["scimType"] == "invalidValue"
