"""/Bulk in the provisioning log: a row for the request and one for each operation."""

from __future__ import annotations

from django_scim.models import ProvisioningLog
from tests.protocol.test_bulk import bulk, post_user

SECRET = "Sup3r-Secret-Pa55w0rd"


def test_each_operation_is_a_row_linked_to_the_bulk_request(scim, scim_client_record):
    """RFC 7644 §3.7: each operation is a write of its own; its row says what it did and
    points to the row of the bulk request that carried it."""
    existing = scim.post("Users", {"userName": "bjensen"}).json()
    response = scim.post(
        "Bulk",
        bulk(
            post_user("a", "alice"),
            post_user("b", "bjensen"),
            {"method": "DELETE", "path": f"/Users/{existing['id']}"},
        ),
    )
    assert response.status_code == 200
    request = ProvisioningLog.objects.get(operation="bulk")
    assert (request.method, request.path, request.status) == ("POST", "/scim/v2/Bulk", 200)
    rows = list(request.bulk_operations.order_by("pk"))
    assert [(r.method, r.operation, r.status) for r in rows] == [
        ("POST", "create", 201),
        ("POST", "create", 409),
        ("DELETE", "delete", 204),
    ]
    assert [r.path for r in rows] == [
        "/scim/v2/Users",
        "/scim/v2/Users",
        f"/scim/v2/Users/{existing['id']}",
    ]
    assert rows[0].resource_type == "User"
    assert rows[0].resource_id == response.json()["Operations"][0]["location"].rsplit("/", 1)[1]
    assert rows[1].scim_type == "uniqueness"
    assert rows[2].resource_id == existing["id"]
    assert all(r.client == scim_client_record for r in rows)
    assert all(
        r.bulk_request_id is None for r in ProvisioningLog.objects.exclude(bulk_request=request)
    )
    assert '"userName":"alice"' in rows[0].request_body
    assert rows[0].changes


def test_passwords_in_operations_are_redacted(scim):
    """RFC 7643 §4.1.1: password is never returned; nor is it kept in the log, in the
    bulk request's row or in its operation's."""
    scim.post("Bulk", bulk(post_user("a", "alice", password=SECRET)))
    for row in ProvisioningLog.objects.all():
        assert SECRET not in row.request_body
        assert SECRET not in row.response_body
    assert ProvisioningLog.objects.filter(bulk_request__isnull=False).count() == 1
