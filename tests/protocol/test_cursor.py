"""Cursor paging (RFC 9865) on list and ``.search`` requests.

A request carrying ``cursor`` (empty for the first page) is paged by cursor:
the response carries ``nextCursor`` unless it is the last page and
``previousCursor`` unless it is the first, and no ``startIndex``. Index
paging stays the default. Cursors are opaque, signed, bound to the client
and the query, and expire after ``cursorTimeout``; a bad one is 400
``invalidCursor``, an old one 400 ``expiredCursor``, a bad ``count`` 400
``invalidCount``.
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


def test_root_search_refuses_a_cursor(scim, people):
    """RFC 9865 §3 pages a resource endpoint's /.search; a search across every type is
    paged by index only (400 invalidCursor, never a silently index-paged answer)."""
    request = {"schemas": [SEARCH_REQUEST], "cursor": ""}
    assert_error(scim.post(".search", request), "invalidCursor")


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
