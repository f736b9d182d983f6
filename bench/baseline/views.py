"""The least plain Django can do to answer the peer benchmark's SCIM requests.

A floor to measure django_scim against, not a SCIM server: it answers exactly
the requests ``bench/peer/compare.py`` makes, over the tables django_scim uses
(the site's user and ``auth.Group`` rows, ``SCIMClient`` for the token,
``ResourceRecord`` for SCIM ids, externalId and attributes the user model has
no column for), with bodies equivalent to django_scim's. What it does, it does
honestly: the token is checked on every request, a create checks userName
case-insensitively in a transaction, a PATCH locks the row it changes and
bumps ``meta.lastModified``, a DELETE cascades as Django's ``delete()`` does.
What it leaves out is everything the benchmark does not ask for: other
filters, sorting, projection beyond ``excludedAttributes=members``, schema
validation, PUT, discovery beyond ServiceProviderConfig, the provisioning log.

Plain Django only: function views, the ORM, ``json`` from the standard
library (what ``JsonResponse`` uses). Of django_scim it uses the models and
``identity`` (the ids a resource without a side row has).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Lower
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from django_scim import identity
from django_scim.models import ResourceRecord, SCIMClient

User = get_user_model()
Membership = User.groups.through

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
MEDIA_TYPE = "application/scim+json"
DEFAULT_COUNT = 100
MAX_COUNT = 200

# `attribute eq "value"`, the only filter form the benchmark sends.
EQ_FILTER = re.compile(r'^\s*([\w.]+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)
USER_FILTERS = {"username": "username", "name.familyname": "last_name"}
GROUP_FILTERS = {"displayname": "name"}
MEMBER_FILTER = re.compile(r'^members\[\s*value\s+eq\s+"([^"]*)"\s*\]$', re.IGNORECASE)


class SCIMError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str = "") -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


def respond(data: Any, status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, separators=(",", ":")), status=status, content_type=MEDIA_TYPE
    )
    for name, value in headers.items():
        response[name] = value
    return response


def scim_view(view: Any) -> Any:
    """Bearer token as django_scim checks it (SHA-256 digest of the raw token, active
    client), write scope for writes, SCIM Error bodies for every refusal."""

    @csrf_exempt
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
            scope = None
            if scheme.lower() == "bearer" and raw.strip():
                digest = hashlib.sha256(raw.strip().encode()).hexdigest()
                clients = SCIMClient.objects.filter(token_digest=digest, is_active=True)
                scope = next(iter(clients.order_by().values_list("scope", flat=True)), None)
            if scope is None:
                raise SCIMError(401, "Authentication credentials were not provided or are invalid.")
            if request.method not in ("GET", "HEAD") and scope != SCIMClient.Scope.READ_WRITE:
                raise SCIMError(403, "This client may only read.")
            return view(request, *args, **kwargs)
        except SCIMError as error:
            body = {"schemas": [ERROR_SCHEMA], "status": str(error.status), "detail": error.detail}
            if error.scim_type:
                body["scimType"] = error.scim_type
            return respond(body, error.status)

    return wrapper


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/scim/v2")


def version(scim_id: str, modified: Any) -> str:
    digest = hashlib.sha1(f"{scim_id}|{modified.isoformat()}".encode(), usedforsecurity=False)
    return f'W/"{digest.hexdigest()[:20]}"'


def meta(resource_type: str, location: str, scim_id: str, created: Any, modified: Any) -> dict:
    return {
        "resourceType": resource_type,
        "created": created.isoformat(),
        "lastModified": modified.isoformat(),
        "location": location,
        "version": version(scim_id, modified),
    }


# Reading


def read_body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body)
    except ValueError:
        raise SCIMError(400, "The body is not valid JSON.", "invalidSyntax") from None
    if not isinstance(data, dict):
        raise SCIMError(400, "The body is not a JSON object.", "invalidSyntax")
    return data


def paging(request: HttpRequest) -> tuple[int, int]:
    try:
        start = max(int(request.GET.get("startIndex", 1)), 1)
        count = min(max(int(request.GET.get("count", DEFAULT_COUNT)), 0), MAX_COUNT)
    except ValueError:
        raise SCIMError(400, "startIndex and count are integers.", "invalidValue") from None
    return start, count


def filtered(request: HttpRequest, queryset: Any, columns: dict[str, str]) -> Any:
    text = request.GET.get("filter")
    if not text:
        return queryset
    match = EQ_FILTER.match(text)
    column = columns.get(match.group(1).lower()) if match else None
    if column is None:
        raise SCIMError(400, f"Filter not supported here: {text}", "invalidFilter")
    try:
        value = json.loads(f'"{match.group(2)}"')
    except ValueError:
        raise SCIMError(400, f"Bad string in filter: {text}", "invalidFilter") from None
    # Case-insensitive, as SCIM's userName, familyName and displayName are.
    return queryset.alias(folded=Lower(column)).filter(folded=Lower(Value(value)))


def page(queryset: Any, start: int, count: int) -> tuple[list[Any], int]:
    """A page of ``queryset`` and the total; the COUNT only when the page cannot tell it."""
    rows = list(queryset[start - 1 : start - 1 + count]) if count else []
    if len(rows) < count and (rows or start == 1):
        return rows, start - 1 + len(rows)
    return rows, queryset.count()


def listing(
    request: HttpRequest, model: Any, resource_type: str, columns: dict[str, str]
) -> tuple[list[Any], int, int, dict[str, ResourceRecord]]:
    """The page the request asks for, ordered by key: rows, total, startIndex, side rows."""
    start, count = paging(request)
    rows, total = page(filtered(request, model.objects.order_by("pk"), columns), start, count)
    side = records(resource_type, [row.pk for row in rows]) if rows else {}
    return rows, total, start, side


def list_response(resources: list[dict], total: int, start: int) -> HttpResponse:
    return respond(
        {
            "schemas": [LIST_SCHEMA],
            "totalResults": total,
            "itemsPerPage": len(resources),
            "startIndex": start,
            "Resources": resources,
        }
    )


def records(resource_type: str, pks: list[Any]) -> dict[str, ResourceRecord]:
    """Side rows by the primary key (as text) of the object they describe."""
    rows = ResourceRecord.objects.filter(
        resource_type=resource_type, object_pk__in=[str(pk) for pk in pks]
    )
    return {row.object_pk: row for row in rows}


def record_id(resource_type: str, outer: str) -> Cast:
    """The side row id of the object whose key is the outer query's column ``outer``, as
    text (a thousand members need not become a thousand UUID objects)."""
    rows = ResourceRecord.objects.filter(
        resource_type=resource_type, object_pk=Cast(OuterRef(outer), CharField())
    )
    return Cast(Subquery(rows.values("id")[:1]), CharField())


def scim_id_of(resource_type: str, pk: Any, rid: Any) -> str:
    """The SCIM id: the side row's (UUID, or its text: dashed from PostgreSQL, 32 hex
    digits from a database without a UUID type), else the one derived from the key."""
    if rid is None:
        return str(identity.derived_id(resource_type, pk))
    if isinstance(rid, str) and len(rid) == 32:
        return f"{rid[:8]}-{rid[8:12]}-{rid[12:16]}-{rid[16:20]}-{rid[20:]}"
    return str(rid)


def resolve(resource_type: str, text: str, model: Any) -> tuple[Any, ResourceRecord | None]:
    """The primary key a SCIM id names and its side row (None if it has none); 404 if
    the id names nothing of this type. Derived ids first, then the side row's id."""
    scim_id = identity.parse(text)
    key = identity.key_of(resource_type, scim_id) if scim_id else None
    if key is not None:
        record = ResourceRecord.objects.filter(resource_type=resource_type, object_pk=str(key))
        found = record.first()
        if found is None or found.id == scim_id:
            return key, found
    elif scim_id is not None:
        found = ResourceRecord.objects.filter(resource_type=resource_type, id=scim_id).first()
        if found is not None:
            return model._meta.pk.to_python(found.object_pk), found
    raise SCIMError(404, f"{resource_type} {text} not found.")


def fetch(
    resource_type: str, scim_id: str, model: Any, lock: bool = False
) -> tuple[Any, ResourceRecord | None, Any]:
    """The key, side row and object a SCIM id names (``lock``: the object's row locked
    until the transaction ends); 404 if there is none."""
    pk, record = resolve(resource_type, scim_id, model)
    queryset = model.objects.select_for_update() if lock else model.objects
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise SCIMError(404, f"{resource_type} {scim_id} not found.")
    return pk, record, found


def user_pks(values: list[Any], existing: bool) -> list[Any]:
    """Primary keys of users named by SCIM ids; ``existing``: each must name a user (400)."""
    keys, side_ids = [], []
    for value in values:
        scim_id = identity.parse(value)
        key = identity.key_of("User", scim_id) if scim_id else None
        if key is not None:
            keys.append(key)
        elif scim_id is not None:
            side_ids.append(scim_id)
        elif existing:
            raise SCIMError(400, f"No user has the id {value!r}.", "invalidValue")
    if side_ids:
        found = ResourceRecord.objects.filter(resource_type="User", id__in=side_ids)
        keys += [User._meta.pk.to_python(pk) for pk in found.values_list("object_pk", flat=True)]
    if existing:
        real = set(User.objects.filter(pk__in=keys).values_list("pk", flat=True))
        if len(real) != len(set(values)):
            raise SCIMError(400, "A member names no user.", "invalidValue")
        return list(real)
    return keys


# Users


def memberships(side: str, pks: list[Any]) -> dict[Any, list[tuple[Any, str, Any]]]:
    """For each user (``side`` "user") or group ("group") in ``pks``, the other side's
    (pk, display name, side row id) of each of its memberships, in one query."""
    other, resource_type, name = {
        "user": ("group_id", "Group", "group__name"),
        "group": ("user_id", "User", "user__username"),
    }[side]
    rows = (
        Membership.objects.filter(**{f"{side}_id__in": pks})
        .order_by(other)
        .values_list(f"{side}_id", other, name, record_id(resource_type, other))
    )
    found: dict[Any, list[tuple[Any, str, Any]]] = {}
    for pk, other_pk, display, rid in rows:
        found.setdefault(pk, []).append((other_pk, display, rid))
    return found


def references(resource_type: str, rows: list, base: str, kind: str) -> list[dict[str, str]]:
    """``groups`` of a user or ``members`` of a group from memberships() rows."""
    found = []
    for pk, display, rid in rows:
        scim_id = scim_id_of(resource_type, pk, rid)
        found.append(
            {
                "value": scim_id,
                "$ref": f"{base}/{resource_type}s/{scim_id}",
                "display": display,
                "type": kind,
            }
        )
    return found


def emails_of(user: Any, stored: Any) -> list[dict[str, Any]]:
    """The e-mails as stored in the side row, the primary one's value from the column."""
    if isinstance(stored, list) and stored:
        emails = [dict(item) for item in stored]
        primary = next((e for e in emails if e.get("primary") is True), emails[0])
        primary["value"] = user.email
        return emails
    return [{"value": user.email, "primary": True}] if user.email else []


def user_body(user: Any, record: ResourceRecord | None, groups: list, base: str) -> dict:
    scim_id = scim_id_of("User", user.pk, record.id if record else None)
    attributes = record.attributes if record and isinstance(record.attributes, dict) else {}
    body: dict[str, Any] = {
        "schemas": [USER_SCHEMA] + [key for key in attributes if key.startswith("urn:")],
        "id": scim_id,
    }
    if record and record.external_id:
        body["externalId"] = record.external_id
    body["userName"] = user.username
    name = {}
    if user.first_name:
        name["givenName"] = user.first_name
    if user.last_name:
        name["familyName"] = user.last_name
    if name:
        body["name"] = name
    body["active"] = user.is_active
    emails = emails_of(user, attributes.get("emails"))
    if emails:
        body["emails"] = emails
    for key, value in attributes.items():
        body.setdefault(key, value)
    if groups:
        body["groups"] = references("Group", groups, base, "direct")
    created = user.date_joined
    modified = max(record.last_modified, created) if record else created
    body["meta"] = meta("User", f"{base}/Users/{scim_id}", scim_id, created, modified)
    return body


def user_response(body: dict, status: int = 200) -> HttpResponse:
    headers = {"ETag": body["meta"]["version"]}
    if status == 201:
        headers["Location"] = body["meta"]["location"]
    return respond(body, status, **headers)


def as_bool(value: Any) -> bool:
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, bool):
        return value
    raise SCIMError(400, f"Not a boolean: {value!r}", "invalidValue")


@scim_view
def user_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return create_user(request)
    if request.method != "GET":
        raise SCIMError(405, "Method not allowed.")
    rows, total, start, side = listing(request, User, "User", USER_FILTERS)
    refs = memberships("user", [user.pk for user in rows]) if rows else {}
    base = base_url(request)
    resources = [
        user_body(user, side.get(str(user.pk)), refs.get(user.pk, []), base) for user in rows
    ]
    return list_response(resources, total, start)


def create_user(request: HttpRequest) -> HttpResponse:
    data = read_body(request)
    username = data.get("userName")
    if not isinstance(username, str) or not username.strip():
        raise SCIMError(400, "userName is required.", "invalidValue")
    name = data.get("name") if isinstance(data.get("name"), dict) else {}
    emails = [e for e in data.get("emails") or [] if isinstance(e, dict)]
    primary = next((e for e in emails if e.get("primary") is True), emails[0] if emails else {})
    with transaction.atomic():
        taken = User.objects.alias(folded=Lower("username")).filter(folded=Lower(Value(username)))
        if taken.exists():
            raise SCIMError(409, f"userName {username!r} is taken.", "uniqueness")
        user = User(
            username=username,
            first_name=name.get("givenName") or "",
            last_name=name.get("familyName") or "",
            email=primary.get("value") or "",
            is_active=as_bool(data.get("active", True)),
        )
        user.set_unusable_password()
        user.save()
        now = timezone.now()
        record = ResourceRecord.objects.create(
            resource_type="User",
            object_pk=str(user.pk),
            external_id=data.get("externalId"),
            attributes={"emails": emails} if emails else {},
            created=now,
            last_modified=now,
        )
    return user_response(user_body(user, record, [], base_url(request)), 201)


@scim_view
def user_detail(request: HttpRequest, scim_id: str) -> HttpResponse:
    if request.method == "GET":
        pk, record, found = fetch("User", scim_id, User)
        refs = memberships("user", [pk]).get(pk, [])
        return user_response(user_body(found, record, refs, base_url(request)))
    if request.method == "PATCH":
        return patch_user(request, scim_id)
    if request.method == "DELETE":
        with transaction.atomic():
            pk, record = resolve("User", scim_id, User)
            deleted, _ = User.objects.filter(pk=pk).delete()
            if not deleted:
                raise SCIMError(404, f"User {scim_id} not found.")
            if record is not None:
                ResourceRecord.objects.filter(pk=record.pk).delete()
        return HttpResponse(status=204)
    raise SCIMError(405, "Method not allowed.")


def patch_operations(request: HttpRequest) -> list[dict[str, Any]]:
    operations = read_body(request).get("Operations")
    if not isinstance(operations, list) or not all(isinstance(op, dict) for op in operations):
        raise SCIMError(400, "Operations must be a list of objects.", "invalidSyntax")
    return operations


def patch_user(request: HttpRequest, scim_id: str) -> HttpResponse:
    """``replace``/``add`` of ``active`` (with a path, or in a path-less value)."""
    active = None
    for op in patch_operations(request):
        kind, path, value = str(op.get("op", "")).lower(), op.get("path"), op.get("value")
        if kind in ("replace", "add") and str(path).lower() == "active":
            active = as_bool(value)
        elif kind in ("replace", "add") and not path and isinstance(value, dict):
            if set(value) != {"active"}:
                raise SCIMError(400, "Only active can be patched here.", "invalidPath")
            active = as_bool(value["active"])
        else:
            raise SCIMError(400, "Only active can be patched here.", "invalidPath")
    with transaction.atomic():
        pk, record, found = fetch("User", scim_id, User, lock=True)
        if active is not None and found.is_active != active:
            found.is_active = active
            found.save(update_fields=["is_active"])
            record = touch("User", found.pk, record)
        refs = memberships("user", [pk]).get(pk, [])
    return user_response(user_body(found, record, refs, base_url(request)))


def touch(resource_type: str, pk: Any, record: ResourceRecord | None) -> ResourceRecord:
    """Move the side row's lastModified on (creating the row, with the derived id, if
    the object has none yet)."""
    now = timezone.now()
    if record is None:
        return ResourceRecord.objects.create(
            id=identity.derived_id(resource_type, pk),
            resource_type=resource_type,
            object_pk=str(pk),
            created=now,
            last_modified=now,
        )
    ResourceRecord.objects.filter(pk=record.pk).update(last_modified=now)
    record.last_modified = now
    return record


# Groups


def group_body(
    group: Group, record: ResourceRecord | None, members: list | None, base: str
) -> dict[str, Any]:
    scim_id = scim_id_of("Group", group.pk, record.id if record else None)
    body: dict[str, Any] = {"schemas": [GROUP_SCHEMA], "id": scim_id}
    if record and record.external_id:
        body["externalId"] = record.external_id
    body["displayName"] = group.name
    if members:
        body["members"] = references("User", members, base, "User")
    now = timezone.now()
    created = record.created if record else now
    modified = max(record.last_modified, created) if record else now
    body["meta"] = meta("Group", f"{base}/Groups/{scim_id}", scim_id, created, modified)
    return body


def without_members(request: HttpRequest) -> bool:
    excluded = request.GET.get("excludedAttributes", "")
    return "members" in (name.strip().lower() for name in excluded.split(","))


@scim_view
def group_list(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        raise SCIMError(405, "Method not allowed.")
    rows, total, start, side = listing(request, Group, "Group", GROUP_FILTERS)
    pks = [group.pk for group in rows]
    members = {} if without_members(request) or not rows else memberships("group", pks)
    base = base_url(request)
    resources = [
        group_body(group, side.get(str(group.pk)), members.get(group.pk), base) for group in rows
    ]
    return list_response(resources, total, start)


@scim_view
def group_detail(request: HttpRequest, scim_id: str) -> HttpResponse:
    if request.method == "PATCH":
        return patch_group(request, scim_id)
    if request.method != "GET":
        raise SCIMError(405, "Method not allowed.")
    pk, record, found = fetch("Group", scim_id, Group)
    members = None if without_members(request) else memberships("group", [pk]).get(pk, [])
    return group_response(found, record, members, request)


def group_response(
    found: Group, record: ResourceRecord | None, members: list | None, request: HttpRequest
) -> HttpResponse:
    body = group_body(found, record, members, base_url(request))
    return respond(body, ETag=body["meta"]["version"])


def patch_group(request: HttpRequest, scim_id: str) -> HttpResponse:
    """``add``/``remove`` of members by value list, ``remove`` by ``members[value eq …]``."""
    added: list[Any] = []
    removed: list[Any] = []
    for op in patch_operations(request):
        kind, value = str(op.get("op", "")).lower(), op.get("value")
        path = str(op.get("path") or "")
        by_filter = MEMBER_FILTER.match(path)
        if kind in ("add", "remove") and path.lower() == "members" and isinstance(value, list):
            ids = [item.get("value") for item in value if isinstance(item, dict)]
            (added if kind == "add" else removed).extend(ids)
        elif kind == "remove" and by_filter:
            removed.append(by_filter.group(1))
        else:
            raise SCIMError(400, "Only members can be patched here.", "invalidPath")
    with transaction.atomic():
        pk, record, found = fetch("Group", scim_id, Group, lock=True)
        if added:
            found.user_set.add(*user_pks(added, existing=True))
        if removed:
            found.user_set.remove(*user_pks(removed, existing=False))
        if added or removed:
            record = touch("Group", pk, record)
    members = None if without_members(request) else memberships("group", [pk]).get(pk, [])
    return group_response(found, record, members, request)


@scim_view
def service_provider_config(request: HttpRequest) -> HttpResponse:
    return respond(
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": MAX_COUNT},
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": True},
            "authenticationSchemes": [
                {"type": "oauthbearertoken", "name": "OAuth Bearer Token", "description": ""}
            ],
        }
    )
