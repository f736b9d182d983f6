"""Two tenants create the same userName at the same time (PostgreSQL only).

RFC 7643 §7: uniqueness is within the tenancy, so both creates succeed; a
tenant's own duplicate still loses the race with 409 (tests/test_concurrency.py).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from tests.factories import SCIMClientFactory
from tests.tenancy.conftest import USER
from tests.test_concurrency import THREADS, authorised, in_parallel

User = get_user_model()

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs real concurrent connections: run with SCIM_TEST_DB=postgres",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_every_tenant_creates_the_same_user_name_at_once():
    """RFC 7643 §7 / RFC 7644 §6: N tenants POST ``bjensen`` together: N users, each 201."""
    tokens = [
        SCIMClientFactory(name=f"IdP {n}", tenant=f"tenant{n}").raw_token for n in range(THREADS)
    ]

    def create(n: int) -> int:
        payload = {"schemas": [USER], "userName": "bjensen"}
        return authorised(tokens[n]).post("Users", payload).status_code

    assert in_parallel(create) == [201] * THREADS
    assert User.objects.filter(username__endswith="+bjensen").count() == THREADS
