"""The provisioning log: one ProvisioningLog row per SCIM request.

Who called, what they asked, what happened and how long it took, so an
administrator can answer "why was this user deprovisioned?". Secrets never
reach the table: passwords are redacted (also in bodies that do not parse) and
the Authorization header is never stored (RFC 7644 §7.5.1 treats passwords as
write-only; RFC 6750 §5.3 bearer tokens must not leak). The log must never
change what the client sees.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from django_scim.models import ProvisioningLog
from tests.conftest import SCIMTestClient, body

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
PASSWORD = "Sup3r-Secret-Pa55w0rd"

User = get_user_model()


def last_entry() -> ProvisioningLog:
    return ProvisioningLog.objects.order_by("-pk").first()


def row_text(entry: ProvisioningLog) -> str:
    """Every column of the row, as text, to search for secrets."""
    return " ".join(
        str(value) for value in ProvisioningLog.objects.filter(pk=entry.pk).values().get().values()
    )


def new_user(scim, user_name: str = "bjensen") -> str:
    response = scim.post("Users", {"schemas": [USER], "userName": user_name})
    assert response.status_code == 201
    return body(response)["id"]


def old_entry(days: float, path: str) -> ProvisioningLog:
    return ProvisioningLog.objects.create(
        created=timezone.now() - timedelta(days=days),
        method="GET",
        path=path,
        status=200,
        duration_ms=1.0,
    )


# -- one row per request ----------------------------------------------------------


def test_each_request_writes_one_row(scim):
    """One row per request, whatever its outcome."""
    scim.get("ServiceProviderConfig")
    scim.get("Users")
    scim.get("Users/not-a-uuid")
    assert ProvisioningLog.objects.count() == 3


def test_row_records_client_method_path_and_status(scim, scim_client_record):
    """A list request is attributed to its client, with the full path including the query."""
    scim.get("Users", {"count": "5"})
    entry = ProvisioningLog.objects.get()
    assert entry.client == scim_client_record
    assert entry.client_name == "Test IdP"
    assert entry.method == "GET"
    assert entry.path == "/scim/v2/Users?count=5"
    assert entry.resource_type == "User"
    assert entry.resource_id == ""
    assert entry.operation == "list"
    assert entry.status == 200
    assert entry.scim_type == ""
    assert entry.remote_addr == "127.0.0.1"


def test_duration_is_recorded_in_milliseconds(scim):
    """duration_ms is a non-negative float for every row."""
    scim.get("Users")
    entry = ProvisioningLog.objects.get()
    assert isinstance(entry.duration_ms, float)
    assert entry.duration_ms >= 0


def test_create_records_the_new_resource_id(scim):
    """RFC 7644 §3.3: the id is assigned by the server; the row names it for a POST too."""
    response = scim.post("Users", {"schemas": [USER], "userName": "bjensen"})
    entry = last_entry()
    assert (entry.method, entry.operation, entry.status) == ("POST", "create", 201)
    assert entry.resource_type == "User"
    assert entry.resource_id == body(response)["id"]


def test_read_records_operation_and_id(scim):
    """RFC 7644 §3.4.1: a GET by id is logged as ``read`` with that id."""
    user_id = new_user(scim)
    scim.get(f"Users/{user_id}")
    entry = last_entry()
    assert (entry.operation, entry.resource_type, entry.resource_id) == ("read", "User", user_id)


def test_replace_records_operation_and_id(scim):
    """RFC 7644 §3.5.1: a PUT is logged as ``replace`` with the id and outcome."""
    user_id = new_user(scim)
    scim.put(f"Users/{user_id}", {"schemas": [USER], "userName": "bjensen", "title": "Boss"})
    entry = last_entry()
    assert (entry.method, entry.operation, entry.resource_id, entry.status) == (
        "PUT",
        "replace",
        user_id,
        200,
    )


def test_delete_records_operation_and_id(scim):
    """RFC 7644 §3.6: a DELETE is logged as ``delete``; its 204 has no body to store."""
    user_id = new_user(scim)
    scim.delete(f"Users/{user_id}")
    entry = last_entry()
    assert (entry.method, entry.operation, entry.resource_id, entry.status) == (
        "DELETE",
        "delete",
        user_id,
        204,
    )
    assert entry.response_body == ""


def test_group_request_records_group_resource_type(scim):
    """The resource type comes from the endpoint (/Groups is ``Group``, RFC 7643 §6)."""
    scim.get("Groups")
    assert last_entry().resource_type == "Group"


@pytest.mark.parametrize(
    "path", ["ServiceProviderConfig", "Schemas", "ResourceTypes", "ResourceTypes/User"]
)
def test_discovery_requests_are_discovery_operations(scim, path):
    """RFC 7644 §4 endpoints are logged as ``discovery``, with no resource type."""
    scim.get(path)
    entry = last_entry()
    assert (entry.operation, entry.resource_type, entry.status) == ("discovery", "", 200)


def test_search_is_a_search_operation(scim):
    """POST /.search (RFC 7644 §3.4.3) reads; it is logged as ``search``."""
    scim.post("Users/.search", {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]})
    entry = last_entry()
    assert (entry.method, entry.operation, entry.resource_type, entry.status) == (
        "POST",
        "search",
        "User",
        200,
    )


def test_error_row_records_scim_type(scim):
    """A 409 (RFC 7644 §3.3) is logged with its scimType, ``uniqueness``, and no id."""
    new_user(scim)
    scim.post("Users", {"schemas": [USER], "userName": "bjensen"})
    entry = last_entry()
    assert (entry.status, entry.scim_type, entry.resource_id) == (409, "uniqueness", "")


def test_invalid_syntax_row_records_scim_type(scim):
    """RFC 7644 §3.12: a malformed body's scimType, invalidSyntax, is kept on the row."""
    scim.post("Users", '{"userName": ')
    entry = last_entry()
    assert (entry.status, entry.scim_type) == (400, "invalidSyntax")


def test_not_found_row_has_no_scim_type_and_keeps_the_requested_id(scim):
    """RFC 7644 §3.12: 404 has no scimType; the row still says which id was asked for."""
    scim.get("Users/0f8b1c5e-0000-4000-8000-000000000000")
    entry = last_entry()
    assert (entry.status, entry.scim_type, entry.operation) == (404, "", "read")
    assert entry.resource_id == "0f8b1c5e-0000-4000-8000-000000000000"


def test_unauthenticated_request_is_logged_without_client(anonymous):
    """A refused call is logged too, attributed to nobody."""
    anonymous.get("Users")
    entry = ProvisioningLog.objects.get()
    assert (entry.client, entry.client_name, entry.status) == (None, "", 401)


def test_request_and_response_bodies_are_stored(scim):
    """With LOG_BODIES on (the default) both bodies are kept, as JSON text."""
    payload = {"schemas": [USER], "userName": "bjensen"}
    response = scim.post("Users", payload)
    entry = last_entry()
    assert json.loads(entry.request_body) == payload
    assert json.loads(entry.response_body) == body(response)


# -- secrets -------------------------------------------------------------------------


def test_password_is_redacted_from_create(scim):
    """RFC 7643 §4.1.1: password is writeOnly and never returned — nor logged."""
    response = scim.post("Users", {"schemas": [USER], "userName": "bjensen", "password": PASSWORD})
    assert response.status_code == 201
    entry = last_entry()
    assert json.loads(entry.request_body)["password"] == "********"
    assert PASSWORD not in row_text(entry)


def test_password_is_redacted_from_rejected_create(scim):
    """A create refused by validation does not log the password either (nor echo it)."""
    scim.post("Users", {"schemas": [USER], "userName": "bjensen", "password": [PASSWORD]})
    entry = last_entry()
    assert entry.status == 400
    assert PASSWORD not in row_text(entry)


def test_password_is_redacted_from_patch_path_value(scim):
    """RFC 7644 §3.5.2: a PATCH operation whose path is ``password`` has its value redacted."""
    user_id = new_user(scim)
    scim.patch(
        f"Users/{user_id}",
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "path": "password", "value": PASSWORD}],
        },
    )
    entry = last_entry()
    assert json.loads(entry.request_body)["Operations"][0]["value"] == "********"
    assert PASSWORD not in row_text(entry)


def test_password_is_redacted_from_pathless_patch_value(scim):
    """RFC 7644 §3.5.2.3: a path-less replace carries ``password`` as a key of ``value``."""
    user_id = new_user(scim)
    scim.patch(
        f"Users/{user_id}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"password": PASSWORD}}]},
    )
    assert PASSWORD not in row_text(last_entry())


def test_password_is_redacted_from_malformed_json(scim):
    """A body that does not parse cannot be redacted reliably, so when it names a
    password it is not stored at all — only its size."""
    scim.post("Users", '{"userName": "bjensen", "password": "' + PASSWORD + '",')
    entry = last_entry()
    assert entry.status == 400
    assert entry.request_body.startswith("[") and "not logged" in entry.request_body
    assert PASSWORD not in row_text(entry)


def test_password_is_redacted_from_body_cut_off_inside_the_value(scim):
    """A truncated body (a client cut off mid-send) still must not put the password in the log."""
    scim.post("Users", '{"userName": "bjensen", "password": "' + PASSWORD)
    entry = last_entry()
    assert entry.status == 400
    assert PASSWORD not in row_text(entry)


def test_password_is_redacted_from_single_quoted_body(scim):
    """A Python-style dict sent by a hand-written script is malformed JSON; its password
    must still not be logged."""
    scim.post("Users", "{'userName': 'bjensen', 'password': '" + PASSWORD + "'}")
    entry = last_entry()
    assert entry.status == 400
    assert PASSWORD not in row_text(entry)


def test_numeric_password_is_redacted_from_malformed_json(scim):
    """A password member is a secret whatever its JSON type, parsed or not."""
    scim.post("Users", '{"userName": "bjensen", "password": 73914682,')
    entry = last_entry()
    assert entry.status == 400
    assert "73914682" not in row_text(entry)


def test_password_is_redacted_from_malformed_patch_with_password_path(scim):
    """RFC 7644 §3.5.2: a PATCH sets a password through ``path``; a body that does not parse
    (here the closing brace is missing) must not put that value in the log either."""
    user_id = new_user(scim)
    raw = (
        '{"schemas":["' + PATCH_OP + '"],"Operations":[{"op":"replace",'
        '"path":"password","value":"' + PASSWORD + '"}]'
    )
    response = scim.patch(f"Users/{user_id}", raw)
    assert response.status_code == 400
    assert PASSWORD not in row_text(last_entry())


def test_authorization_header_is_never_stored(scim, scim_client_record):
    """RFC 6750 §5.3: bearer tokens must not leak; no column holds the token."""
    scim.post("Users", {"schemas": [USER], "userName": "bjensen"})
    scim.get("Users")
    for entry in ProvisioningLog.objects.all():
        assert scim_client_record.raw_token not in row_text(entry)


def test_rejected_token_is_never_stored(db):
    """A wrong token is a secret too (maybe another system's): not in the row."""
    client = SCIMTestClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer scim_someone-elses-token-123456")
    client.get("Users")
    assert "someone-elses-token" not in row_text(ProvisioningLog.objects.get())


# -- settings ------------------------------------------------------------------------


def test_bodies_are_truncated_to_log_max_body_chars(scim, settings):
    """LOG_MAX_BODY_CHARS bounds each stored body; a cut body ends with an ellipsis."""
    settings.SCIM = {"LOG_MAX_BODY_CHARS": 40}
    payload = {"schemas": [USER], "userName": "bjensen", "displayName": "Barbara Jensen"}
    scim.post("Users", payload)
    entry = last_entry()
    assert entry.request_body == json.dumps(payload, separators=(",", ":"))[:40] + "…"
    assert len(entry.response_body) == 41
    assert entry.response_body.endswith("…")


def test_short_bodies_are_not_truncated(scim, settings):
    """A body within LOG_MAX_BODY_CHARS is stored whole, with no marker."""
    settings.SCIM = {"LOG_MAX_BODY_CHARS": 1000}
    payload = {"schemas": [USER], "userName": "bjensen"}
    scim.post("Users", payload)
    assert last_entry().request_body == json.dumps(payload, separators=(",", ":"))


def test_a_reads_response_body_is_cut_to_log_max_read_body_chars(scim, settings):
    """A read's response (a GET, a POST /.search) shows state, not a change: it is kept to
    LOG_MAX_READ_BODY_CHARS, while a write's bodies keep LOG_MAX_BODY_CHARS."""
    settings.SCIM = {"LOG_MAX_BODY_CHARS": 1000, "LOG_MAX_READ_BODY_CHARS": 30}
    created = scim.post("Users", {"schemas": [USER], "userName": "bjensen"})
    written = last_entry()
    assert written.response_body == created.content.decode()
    assert len(written.response_body) > 31

    read = scim.get(f"Users/{body(created)['id']}")
    assert last_entry().response_body == read.content.decode()[:30] + "…"

    search = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}
    searched = scim.post("Users/.search", search)
    entry = last_entry()
    assert entry.response_body == searched.content.decode()[:30] + "…"
    assert entry.request_body == json.dumps(search, separators=(",", ":"))


def test_a_read_within_log_max_read_body_chars_is_kept_whole(scim, settings):
    """The default read limit (4 KiB) keeps a user as a GET shows it, whole."""
    created = body(scim.post("Users", {"schemas": [USER], "userName": "bjensen"}))
    read = scim.get(f"Users/{created['id']}")
    assert last_entry().response_body == read.content.decode()


def test_malformed_body_is_truncated_to_log_max_body_chars(scim, settings):
    """A body that does not parse is stored as text, also cut to LOG_MAX_BODY_CHARS."""
    settings.SCIM = {"LOG_MAX_BODY_CHARS": 20}
    scim.post("Users", '{"userName": "bjensen", "displayName": "Barbara"')
    entry = last_entry()
    assert entry.status == 400
    assert entry.request_body.rstrip("…") == '{"userName": "bjense'


def test_truncated_malformed_body_is_marked_like_parsed_bodies(scim, settings):
    """Every cut body ends with the same marker, so a reader knows text is missing."""
    settings.SCIM = {"LOG_MAX_BODY_CHARS": 20}
    scim.post("Users", '{"userName": "bjensen", "displayName": "Barbara"')
    assert last_entry().request_body == '{"userName": "bjense…'


def test_password_cut_by_truncation_is_not_logged(scim, settings):
    """Truncation must not defeat redaction: no part of the password reaches the row."""
    settings.SCIM = {"LOG_MAX_BODY_CHARS": 49}
    raw = '{"userName": "bjensen", "password": "' + PASSWORD + '", "x": '
    assert raw[:49].endswith("Sup3r-Secret")
    scim.post("Users", raw)
    entry = last_entry()
    assert entry.status == 400
    assert "Sup3r-Secret" not in row_text(entry)


def test_log_requests_false_writes_no_rows(scim, settings):
    """LOG_REQUESTS False turns the log off entirely."""
    settings.SCIM = {"LOG_REQUESTS": False}
    scim.get("Users")
    scim.post("Users", {"schemas": [USER], "userName": "bjensen"})
    assert ProvisioningLog.objects.count() == 0


def test_log_bodies_false_keeps_metadata_without_bodies(scim, settings):
    """LOG_BODIES False keeps who/what/outcome but stores no bodies."""
    settings.SCIM = {"LOG_BODIES": False}
    response = scim.post("Users", {"schemas": [USER], "userName": "bjensen"})
    entry = last_entry()
    assert (entry.request_body, entry.response_body) == ("", "")
    assert (entry.operation, entry.status, entry.resource_id) == (
        "create",
        201,
        body(response)["id"],
    )


def test_logging_failure_does_not_change_the_response(scim, monkeypatch, caplog):
    """The log must never break provisioning: a failing insert is logged and swallowed."""

    def broken(*args, **kwargs):
        raise RuntimeError("log table is gone")

    monkeypatch.setattr(ProvisioningLog.objects, "bulk_create", broken)  # several rows
    monkeypatch.setattr(ProvisioningLog, "save", broken)  # a lone row
    with caplog.at_level(logging.ERROR, logger="django_scim.provisioning_log"):
        response = scim.post("Users", {"schemas": [USER], "userName": "bjensen"})
    assert response.status_code == 201
    assert body(response)["userName"] == "bjensen"
    assert User.objects.filter(username="bjensen").exists()
    assert ProvisioningLog.objects.count() == 0
    assert [r.levelno for r in caplog.records if r.name == "django_scim.provisioning_log"] == [
        logging.ERROR
    ]


def test_reads_wait_for_a_batch_and_the_next_write_takes_them(scim, monkeypatch):
    """By default (LOG_READ_BATCH 50) a read's row waits; the next write writes it too."""
    from django_scim import provisioning_log

    monkeypatch.setattr(provisioning_log.buffer, "size", None)  # the setting decides
    scim.get("Users")
    assert not ProvisioningLog.objects.exists()
    scim.post("Users", {"schemas": [USER], "userName": "bjensen"})
    assert sorted(ProvisioningLog.objects.values_list("method", flat=True)) == ["GET", "POST"]


def test_log_read_batch_one_writes_each_read_as_its_response_closes(scim, settings, monkeypatch):
    """LOG_READ_BATCH 1 (a django-tenants site, whose schema changes per request): each
    read's row is written before the next request, on the connection as its own left it."""
    from django_scim import provisioning_log

    monkeypatch.setattr(provisioning_log.buffer, "size", None)
    settings.SCIM = {"LOG_READ_BATCH": 1}
    scim.get("Users")
    assert list(ProvisioningLog.objects.values_list("method", flat=True)) == ["GET"]


def _inserts_while_flushing(rows: list[ProvisioningLog]) -> list[bool]:
    """Flush ``rows`` through a buffer of their own; for each INSERT, whether it ran
    inside a transaction."""
    from django.db import connection

    from django_scim.provisioning_log import LogBuffer

    buffer = LogBuffer()
    for row in rows:
        buffer.add(row, urgent=True)
    seen = []

    def watch(execute, sql, params, many, context):
        if sql.startswith("INSERT"):
            seen.append(connection.in_atomic_block)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        buffer.flush()
    return seen


@pytest.mark.django_db(transaction=True)
def test_a_lone_entry_is_one_statement_without_a_transaction():
    """A write's entry, alone in the buffer, is one INSERT in autocommit: no BEGIN and
    COMMIT round trips around it."""
    assert _inserts_while_flushing(
        [ProvisioningLog(method="POST", path="/a", status=201, duration_ms=1.0)]
    ) == [False]
    assert ProvisioningLog.objects.get().path == "/a"


@pytest.mark.django_db(transaction=True)
def test_waiting_entries_are_one_insert():
    """Several waiting entries (reads gathered, then a write) are written as one INSERT."""
    rows = [
        ProvisioningLog(method="GET", path=f"/{n}", status=200, duration_ms=1.0) for n in range(3)
    ]
    assert len(_inserts_while_flushing(rows)) == 1
    assert sorted(ProvisioningLog.objects.values_list("path", flat=True)) == ["/0", "/1", "/2"]


# -- pruning ---------------------------------------------------------------------------


def test_prune_deletes_only_entries_older_than_the_cutoff(db):
    """Retention: ``prune(before)`` removes older rows only and returns how many."""
    old_entry(100, "/old")
    old_entry(10, "/recent")
    deleted = ProvisioningLog.objects.prune(timezone.now() - timedelta(days=30))
    assert deleted == 1
    assert list(ProvisioningLog.objects.values_list("path", flat=True)) == ["/recent"]


def test_prune_command_days_deletes_only_older_rows(db):
    """``scim_prune_logs --days N`` keeps the last N days and reports the count."""
    old_entry(10, "/ten-days")
    old_entry(3, "/three-days")
    out = StringIO()
    call_command("scim_prune_logs", "--days", "5", stdout=out)
    assert list(ProvisioningLog.objects.values_list("path", flat=True)) == ["/three-days"]
    assert "Deleted 1 " in out.getvalue()


def test_prune_command_defaults_to_log_retention_days(db, settings):
    """Without --days the command keeps SCIM['LOG_RETENTION_DAYS'] days."""
    settings.SCIM = {"LOG_RETENTION_DAYS": 7}
    old_entry(8, "/eight-days")
    old_entry(6, "/six-days")
    call_command("scim_prune_logs", stdout=StringIO())
    assert list(ProvisioningLog.objects.values_list("path", flat=True)) == ["/six-days"]


def test_prune_command_refuses_negative_days(db):
    """A negative retention is a mistake, not "delete everything": CommandError, nothing deleted."""
    old_entry(1, "/kept")
    with pytest.raises(CommandError):
        call_command("scim_prune_logs", "--days", "-1", stdout=StringIO())
    assert ProvisioningLog.objects.count() == 1
