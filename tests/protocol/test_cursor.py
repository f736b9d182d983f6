"""Cursor paging (RFC 9865) on list and ``.search`` requests.

A request carrying ``cursor`` (empty for the first page) is paged by cursor:
the response carries ``nextCursor`` unless it is the last page and
``previousCursor`` unless it is the first, and no ``startIndex``. Index
paging stays the default. Cursors are opaque, signed, bound to the client
and the query, and expire after ``cursorTimeout``; a bad one is 400
``invalidCursor``, an old one 400 ``expiredCursor``, a bad ``count`` 400
``invalidCount``. The root ``/.search`` pages by cursor across every resource
type, in the order of its index-paged results.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from django_scim.constants import ERROR, LIST_RESPONSE, SEARCH_REQUEST
from tests.conftest import SCIMTestClient, body
from tests.factories import SCIMClientFactory, UserFactory


def listed(scim, endpoint: str = "Users", **params: Any) -> dict[str, Any]:
    response = scim.get(endpoint, params)
    assert response.status_code == 200, body(response)
    return body(response)


def names(page: dict[str, Any]) -> list[str]:
    return [resource["userName"] for resource in page.get("Resources", [])]


def walk(scim, **params: Any) -> list[list[str]]:
    """Every page, following nextCursor from an empty cursor."""
    pages = []
    page = listed(scim, cursor="", **params)
    pages.append(names(page))
    while "nextCursor" in page:
        page = listed(scim, cursor=page["nextCursor"], **params)
        pages.append(names(page))
        assert len(pages) < 50
    return pages


def flat(pages: list[list[str]]) -> list[str]:
    return [name for page in pages for name in page]


def index_order(scim, **params: Any) -> list[str]:
    return names(listed(scim, count=200, **params))


def assert_error(response, scim_type: str) -> None:
    assert response.status_code == 400, body(response)
    data = body(response)
    assert data["schemas"] == [ERROR]
    assert data["scimType"] == scim_type


@pytest.fixture
def people(scim) -> list[str]:
    """Eleven users; titles with ties and gaps (absent titles must sort last)."""
    titles = ["b", None, "a", "b", "C", None, "b", "a", "d", None, "b"]
    for n, title in enumerate(titles):
        payload: dict[str, Any] = {"userName": f"person{n:02d}"}
        if title is not None:
            payload["title"] = title
        response = scim.post("Users", payload)
        assert response.status_code == 201, body(response)
    return [f"person{n:02d}" for n in range(len(titles))]


# -- the protocol ------------------------------------------------------------------


def test_service_provider_config_advertises_pagination(scim, settings):
    """RFC 9865 §4: "pagination" with cursor, index, defaultPaginationMethod,
    defaultPageSize, maxPageSize and cursorTimeout; §2.5: index stays the default, so
    existing clients see no change."""
    settings.SCIM = {"MAX_RESULTS": 150, "DEFAULT_COUNT": 50, "CURSOR_TIMEOUT": 900}
    data = listed(scim, "ServiceProviderConfig")
    assert data["pagination"] == {
        "cursor": True,
        "index": True,
        "defaultPaginationMethod": "index",
        "defaultPageSize": 50,
        "maxPageSize": 150,
        "cursorTimeout": 900,
    }


def test_index_paging_stays_the_default(scim, people):
    """RFC 9865 §2.3, §2.5: a request with no pagination parameter is paged by index, as
    before: startIndex and totalResults, no cursor."""
    page = listed(scim, count=3)
    assert page["startIndex"] == 1
    assert page["totalResults"] == 11
    assert "nextCursor" not in page


def test_empty_cursor_asks_for_the_first_page(scim, people):
    """RFC 9865 §2: "The cursor value MUST be empty or omitted for the first request of a
    cursor-paginated query"; nextCursor is included "in all paged query responses except
    when returning the last page"."""
    page = listed(scim, cursor="", count=4)
    assert page["schemas"] == [LIST_RESPONSE]
    assert names(page) == people[:4]
    assert page["itemsPerPage"] == 4
    assert "nextCursor" in page
    assert "previousCursor" not in page
    assert "startIndex" not in page


def test_next_cursors_walk_every_resource_once(scim, people):
    """RFC 9865 §2: each nextCursor gives the next page; the last page has none."""
    pages = walk(scim, count=4)
    assert pages == [people[:4], people[4:8], people[8:]]


def test_a_last_page_that_is_full_has_no_next_cursor(scim, people):
    """RFC 9865 §2: "nextCursor is omitted from a response only to indicate that there are
    no more result pages" — known without a further request, as one more row is read."""
    page = listed(scim, cursor="", count=11)
    assert len(names(page)) == 11
    assert "nextCursor" not in page


def test_total_results_is_omitted_unless_the_page_holds_every_match(scim, people):
    """RFC 9865 §2: a provider paging by cursor MAY omit totalResults; this one counts
    nothing, and gives it only when the first page is the whole result."""
    assert "totalResults" not in listed(scim, cursor="", count=4)
    assert listed(scim, cursor="", count=20)["totalResults"] == 11


@pytest.mark.parametrize("sort_order", ["ascending", "descending"])
@pytest.mark.parametrize("sort_by", ["userName", "title", "name.familyName", "externalId"])
def test_sorted_cursor_pages_follow_the_index_order(scim, people, sort_by, sort_order):
    """RFC 9865 §2.2: "cursor-paged results SHOULD be sorted" as RFC 7644 §3.4.2.3 says:
    ties broken by a fixed order, absent values last in both orders — the same order as
    index paging, one resource at a time."""
    params = {"sortBy": sort_by, "sortOrder": sort_order}
    pages = walk(scim, count=2, **params)
    assert flat(pages) == index_order(scim, **params)
    assert all(len(page) == 2 for page in pages[:-1])


def test_absent_values_come_last_in_cursor_pages(scim, people):
    """RFC 7644 §3.4.2.3 as sorting does it: users without a title come after the others,
    in descending order too, and each appears once."""
    descending = flat(walk(scim, count=3, sortBy="title", sortOrder="descending"))
    assert descending[-3:] == ["person09", "person05", "person01"]  # ties: key descending
    assert descending[:1] == ["person08"]  # "d"


def test_previous_cursor_walks_back(scim, people):
    """RFC 9865 §2: previousCursor "MAY be used in a subsequent request to obtain the
    previous page of results"; the first page has none."""
    params = {"count": 4, "sortBy": "title"}
    order = index_order(scim, sortBy="title")
    first = listed(scim, cursor="", **params)
    second = listed(scim, cursor=first["nextCursor"], **params)
    third = listed(scim, cursor=second["nextCursor"], **params)
    back = listed(scim, cursor=third["previousCursor"], **params)
    assert names(back) == order[4:8] == names(second)
    start = listed(scim, cursor=back["previousCursor"], **params)
    assert names(start) == order[:4]
    assert "previousCursor" not in start
    assert names(listed(scim, cursor=start["nextCursor"], **params)) == order[4:8]


def test_filter_applies_to_every_page(scim, people):
    """RFC 9865 §2: the client repeats the query's parameters; the filter holds throughout."""
    pages = walk(scim, count=2, filter='title eq "b"')
    assert flat(pages) == ["person00", "person03", "person06", "person10"]


def test_search_body_carries_the_cursor(scim, people):
    """RFC 9865 §3: with POST /.search the cursor travels in the SearchRequest body."""
    request = {"schemas": [SEARCH_REQUEST], "cursor": "", "count": 5}
    response = scim.post("Users/.search", request)
    assert response.status_code == 200, body(response)
    first = body(response)
    assert names(first) == people[:5]
    response = scim.post("Users/.search", {**request, "cursor": first["nextCursor"]})
    assert names(body(response)) == people[5:10]


def test_cursor_is_made_of_unreserved_characters(scim, people):
    """RFC 9865 §2: a cursor "may only contain characters from the unreserved characters
    set" of RFC 3986, so it travels in a query string as it is."""
    page = listed(scim, cursor="", count=2, sortBy="title")
    assert re.fullmatch(r"[A-Za-z0-9._~-]+", page["nextCursor"])


def test_a_deleted_row_does_not_break_the_walk(scim, people):
    """RFC 9865 §2 leaves a cursor opaque; here it names a position (sort value, key), not a
    row, so deleting the last row a client saw loses nothing after it."""
    page = listed(scim, cursor="", count=3)
    seen = page["Resources"][-1]["id"]
    assert scim.delete(f"Users/{seen}").status_code == 204
    assert names(listed(scim, cursor=page["nextCursor"], count=3)) == people[3:6]


def test_page_size_is_capped_at_max_page_size(scim, people, settings):
    """RFC 9865 §4: maxPageSize is the most "returned in a page regardless of what is
    specified for the count"."""
    settings.SCIM = {"MAX_RESULTS": 5}
    assert len(names(listed(scim, cursor="", count=50))) == 5


def test_default_page_size(scim, people, settings):
    """RFC 9865 §4: defaultPageSize applies "when a count is not specified"."""
    settings.SCIM = {"DEFAULT_COUNT": 3}
    assert len(names(listed(scim, cursor=""))) == 3


# -- errors ------------------------------------------------------------------------


@pytest.mark.parametrize("count", ["0", "-1", "ten", "1.5"])
def test_invalid_count(scim, people, count):
    """RFC 9865 §2: count is "a positive integer"; §2.1: invalidCount (400) otherwise."""
    assert_error(scim.get("Users", {"cursor": "", "count": count}), "invalidCount")


def test_invalid_count_in_a_search_body(scim, people):
    """RFC 9865 §2.1 and §3: the same error when count travels in the body."""
    request = {"schemas": [SEARCH_REQUEST], "cursor": "", "count": 0}
    assert_error(scim.post("Users/.search", request), "invalidCount")


@pytest.mark.parametrize("cursor", ["nonsense", "a.b.c", "eyJ4IjoxfQ.1xYexb.AAAA"])
def test_a_cursor_not_issued_here_is_invalid(scim, people, cursor):
    """RFC 9865 §2.1: invalidCursor (400) for a value that is not a cursor of this server."""
    assert_error(scim.get("Users", {"cursor": cursor}), "invalidCursor")


def test_an_altered_cursor_is_invalid(scim, people):
    """RFC 9865 §6 (security): cursors cannot be forged; one changed character is refused."""
    cursor = listed(scim, cursor="", count=2)["nextCursor"]
    altered = ("B" if cursor[5] == "A" else "A").join((cursor[:5], cursor[6:]))
    assert_error(scim.get("Users", {"cursor": altered, "count": 2}), "invalidCursor")


def test_a_cursor_is_bound_to_its_client(scim, people):
    """RFC 9865 §6 (security): another client's cursor is refused (invalidCursor); a page is
    served only under the authorisation that started the query."""
    cursor = listed(scim, cursor="", count=2)["nextCursor"]
    other = SCIMTestClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {SCIMClientFactory().raw_token}")
    assert_error(other.get("Users", {"cursor": cursor, "count": 2}), "invalidCursor")


@pytest.mark.parametrize(
    "changed", [{"filter": 'title eq "b"'}, {"sortBy": "title"}, {"sortOrder": "descending"}]
)
def test_a_cursor_is_bound_to_its_query(scim, people, changed):
    """RFC 9865 §2: the client repeats every parameter "identical to the initial query"; a
    cursor sent with another filter or order is invalidCursor, not a page of another query."""
    cursor = listed(scim, cursor="", count=2)["nextCursor"]
    assert_error(scim.get("Users", {"cursor": cursor, "count": 2, **changed}), "invalidCursor")


def test_a_cursor_of_another_resource_type_is_invalid(scim, people):
    """RFC 9865 §2: the same endpoint, or invalidCursor."""
    cursor = listed(scim, cursor="", count=2)["nextCursor"]
    assert_error(scim.get("Groups", {"cursor": cursor}), "invalidCursor")


def test_an_old_cursor_has_expired(scim, people, settings, monkeypatch):
    """RFC 9865 §2.1: expiredCursor (400) after cursorTimeout (§4) seconds."""
    settings.SCIM = {"CURSOR_TIMEOUT": 60}
    cursor = listed(scim, cursor="", count=2)["nextCursor"]
    later = time.time() + 61
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    assert_error(scim.get("Users", {"cursor": cursor, "count": 2}), "expiredCursor")


def test_cursor_and_start_index_together_are_refused(scim, people):
    """RFC 9865 §2.3: startIndex and cursor each request one method; both is a contradiction
    (400 invalidValue, RFC 7644 §3.12)."""
    response = scim.get("Users", {"cursor": "", "startIndex": 3})
    assert_error(response, "invalidValue")


# -- the root /.search ---------------------------------------------------------------


@pytest.fixture
def teams(scim, people) -> list[str]:
    """Three groups after the eleven users: the root search shows the users, then them."""
    for name in ("Team A", "Team B", "Team C"):
        response = scim.post("Groups", {"displayName": name})
        assert response.status_code == 201, body(response)
    return ["Team A", "Team B", "Team C"]


def searched(scim, **params: Any) -> dict[str, Any]:
    response = scim.post(".search", {"schemas": [SEARCH_REQUEST], **params})
    assert response.status_code == 200, body(response)
    return body(response)


def labels(page: dict[str, Any]) -> list[str]:
    """Each resource's userName or displayName, whatever its type."""
    return [r.get("userName") or r["displayName"] for r in page.get("Resources", [])]


def root_walk(scim, **params: Any) -> list[dict[str, Any]]:
    """Every page of a root search, following nextCursor from an empty cursor."""
    pages = [searched(scim, cursor="", **params)]
    while "nextCursor" in pages[-1]:
        pages.append(searched(scim, cursor=pages[-1]["nextCursor"], **params))
        assert len(pages) < 50
    return pages


def test_root_search_pages_by_cursor_across_resource_types(scim, people, teams):
    """RFC 9865 §2 and §3: POST /.search with ``cursor`` in the SearchRequest is paged by
    cursor as any endpoint's search: nextCursor on every page but the last, no
    previousCursor on the first, no startIndex. RFC 7644 §3.4.3: the results of every
    resource type — here the users, then the groups, a page spanning both."""
    pages = root_walk(scim, count=4)
    assert [labels(page) for page in pages] == [
        people[:4],
        people[4:8],
        [*people[8:], "Team A"],
        ["Team B", "Team C"],
    ]
    assert "previousCursor" not in pages[0]
    assert all("previousCursor" in page for page in pages[1:])
    assert not any("startIndex" in page for page in pages)
    assert [page["itemsPerPage"] for page in pages] == [4, 4, 4, 2]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sortBy": "userName", "sortOrder": "descending"},
        {"sortBy": "title"},
        {"sortBy": "displayName", "sortOrder": "descending"},
        {"sortBy": "meta.created"},
    ],
)
def test_root_cursor_pages_follow_the_index_order(scim, people, teams, params):
    """RFC 9865 §2.2 with RFC 7644 §3.4.3: sorting applies within each resource type as
    in an index-paged root search (a type without the attribute keeps its own order);
    cursor pages give the same results in the same order, each once."""
    indexed = labels(searched(scim, count=200, **params))
    pages = root_walk(scim, count=3, **params)
    assert [label for page in pages for label in labels(page)] == indexed
    assert all(len(labels(page)) == 3 for page in pages[:-1])


def test_root_previous_cursor_walks_back_across_types(scim, people, teams):
    """RFC 9865 §2: previousCursor gives the previous page, across the boundary between
    resource types too; the first page has none."""
    pages = root_walk(scim, count=4)
    back = searched(scim, cursor=pages[3]["previousCursor"], count=4)
    assert labels(back) == labels(pages[2])
    back = searched(scim, cursor=back["previousCursor"], count=4)
    assert labels(back) == labels(pages[1])
    start = searched(scim, cursor=back["previousCursor"], count=4)
    assert labels(start) == people[:4]
    assert "previousCursor" not in start


def test_root_cursor_totals_only_a_page_holding_every_match(scim, people, teams):
    """RFC 9865 §2: totalResults may be omitted; given only when the first page is the
    whole result, as nothing is counted."""
    assert "totalResults" not in searched(scim, cursor="", count=5)
    assert searched(scim, cursor="", count=50)["totalResults"] == 14


def test_root_cursor_filter_applies_to_every_type(scim, people, teams):
    """RFC 7644 §3.4.3: a condition naming an attribute a type lacks is false for that
    type; RFC 9865 §2: the filter holds on every page."""
    pages = root_walk(scim, count=4, filter='userName sw "person0" or displayName sw "Team"')
    assert [label for page in pages for label in labels(page)] == [*people[:10], *teams]


def test_a_root_cursor_is_bound_to_its_query(scim, people, teams):
    """RFC 9865 §2: every parameter but cursor is repeated; another filter is
    invalidCursor."""
    cursor = searched(scim, cursor="", count=2)["nextCursor"]
    response = scim.post(
        ".search", {"schemas": [SEARCH_REQUEST], "cursor": cursor, "filter": "userName pr"}
    )
    assert_error(response, "invalidCursor")


def test_root_and_resource_cursors_do_not_mix(scim, people, teams):
    """RFC 9865 §2: "the same service provider endpoint"; a cursor of /.search is refused
    by /Users/.search and one of /Users by /.search (invalidCursor)."""
    root = searched(scim, cursor="", count=2)["nextCursor"]
    users = listed(scim, cursor="", count=2)["nextCursor"]
    request = {"schemas": [SEARCH_REQUEST], "count": 2}
    assert_error(scim.post("Users/.search", {**request, "cursor": root}), "invalidCursor")
    assert_error(scim.post(".search", {**request, "cursor": users}), "invalidCursor")


def test_a_root_cursor_is_bound_to_its_client(scim, people, teams):
    """RFC 9865 §6 (security): another client's cursor is refused."""
    cursor = searched(scim, cursor="", count=2)["nextCursor"]
    other = SCIMTestClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {SCIMClientFactory().raw_token}")
    response = other.post(".search", {"schemas": [SEARCH_REQUEST], "cursor": cursor})
    assert_error(response, "invalidCursor")


def test_a_root_cursor_in_a_type_no_longer_served_is_invalid(scim, people, teams, settings):
    """RFC 9865 §2.1: a cursor that names a position the server cannot resume (its
    resource type is no longer served) is invalidCursor."""
    cursor = searched(scim, cursor="", count=12)["nextCursor"]  # inside the groups
    settings.SCIM = {"ADAPTERS": ["django_scim.adapters.users.UserAdapter"]}
    response = scim.post(".search", {"schemas": [SEARCH_REQUEST], "cursor": cursor, "count": 12})
    assert_error(response, "invalidCursor")


@pytest.mark.parametrize(
    ("extra", "scim_type"),
    [({"startIndex": 3}, "invalidValue"), ({"count": 0}, "invalidCount")],
)
def test_root_cursor_errors(scim, people, extra, scim_type):
    """RFC 9865 §2.1 and §2.3: count must be a positive integer (invalidCount); cursor
    and startIndex together are a contradiction (invalidValue)."""
    response = scim.post(".search", {"schemas": [SEARCH_REQUEST], "cursor": "", **extra})
    assert_error(response, scim_type)


def test_a_root_cursor_page_costs_what_a_resource_cursor_page_costs(scim, people, teams):
    """RFC 9865 §2: a cursor page of the root search counts nothing; a page within the
    users runs the statements of the same page of /Users/.search (auth, page, groups,
    side rows, log): the groups are not read while the users fill the page."""
    request = {"schemas": [SEARCH_REQUEST], "count": 4}
    costs = []
    for endpoint in (".search", "Users/.search"):
        cursor = body(scim.post(endpoint, {**request, "cursor": ""}))["nextCursor"]
        with CaptureQueriesContext(connection) as queries:
            assert scim.post(endpoint, {**request, "cursor": cursor}).status_code == 200
        statements = [query["sql"].upper() for query in queries.captured_queries]
        assert not any("COUNT(" in sql for sql in statements)
        costs.append(len(statements))
    assert costs[0] == costs[1]


# -- cost --------------------------------------------------------------------------


@pytest.fixture
def warm_users(scim):
    UserFactory.create_batch(30)
    scim.get("ServiceProviderConfig")  # last_used written now, not during the counts
    return scim


def _statements(scim, path: str, params: dict[str, Any]) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = scim.get(path, params)
    assert response.status_code == 200, body(response)
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("sort_by", [None, "userName", "title"])
def test_a_cursor_page_costs_an_index_page_without_its_count(warm_users, sort_by):
    """RFC 9865 §2: totalResults may be omitted, so a cursor page runs no COUNT; otherwise
    it runs what an index page of the same size runs (auth, page, groups, log)."""
    params = {"count": 10, **({"sortBy": sort_by} if sort_by else {})}
    indexed = _statements(warm_users, "Users", {**params, "startIndex": 11})
    first = listed(warm_users, cursor="", **params)
    deep = _statements(warm_users, "Users", {**params, "cursor": first["nextCursor"]})
    assert sum("COUNT(" in sql.upper() for sql in indexed) == 1
    assert not any("COUNT(" in sql.upper() for sql in deep)
    assert len(deep) == len(indexed) - 1


def test_every_cursor_page_costs_the_same(warm_users, django_assert_num_queries):
    """RFC 9865 §2, keyset paging: the third page runs as many statements as the first
    (auth, page, groups, the side rows of the page and its groups, log)."""
    cursor = ""
    for _ in range(3):
        with django_assert_num_queries(5):
            page = listed(warm_users, cursor=cursor, count=7)
        cursor = page["nextCursor"]
