"""/Bulk query counts (RFC 7644 §3.7): a constant per request plus each operation's own.

Counts, never times. The constant: auth, the request's transaction (a savepoint
pair in the test's transaction), the request's log row and, as one INSERT, its
operations' rows. Each create: its savepoint pair, the uniqueness check, the
user, its side row, its element rows (the e-mails); on PostgreSQL the advisory
lock on the userName is one more. No operation reads anything for a response
body, which a bulk result does not carry.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from django_scim.constants import PATCH_OP
from tests.protocol.test_bulk import bulk, post_user


def creates(count: int, start: int = 0) -> dict:
    return bulk(
        *(
            post_user(f"u{n}", f"user{n}", emails=[{"value": f"user{n}@example.test"}])
            for n in range(start, start + count)
        )
    )


@pytest.fixture
def warm(scim):
    scim.get("ServiceProviderConfig")
    return scim


@pytest.mark.parametrize("count", [1, 20])
def test_creates_cost_a_constant_plus_their_own(warm, django_assert_num_queries, count):
    """RFC 7644 §3.7: each POST operation costs what its write costs, nothing more."""
    per_create = 7 if connection.vendor == "postgresql" else 6
    with django_assert_num_queries(5 + per_create * count):
        response = warm.post("Bulk", creates(count))
    assert response.status_code == 200


def test_version_costs_no_query(warm):
    """RFC 7644 §3.7: an operation's version is its If-Match, compared with the row the
    write has locked anyway (RFC 7644 §3.14): no query of its own."""
    created = warm.post("Users", {"userName": "bjensen"}).json()
    patch = {
        "method": "PATCH",
        "path": f"/Users/{created['id']}",
        "data": {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "path": "nickName", "value": "Babs"}],
        },
    }
    with CaptureQueriesContext(connection) as without:
        warm.post("Bulk", bulk(patch))
    patch["data"]["Operations"][0]["value"] = "Barbara"
    patch["version"] = "*"
    with CaptureQueriesContext(connection) as with_version:
        warm.post("Bulk", bulk(patch))
    assert len(with_version) == len(without)
