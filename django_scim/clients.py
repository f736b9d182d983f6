"""The life of a SCIM client's token: create, list, rotate, revoke, reactivate, delete.

The functions behind ``manage.py scim_token`` and the admin, so both behave
alike. One rule holds throughout: an operation never hands out a token that
cannot work. Rotating a revoked client is refused unless it is reactivated in
the same step; rotating or reactivating an expired one is refused unless a new
expiry (or none) is given.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from django_scim import tokens
from django_scim.models import SCIMClient

#: ``expires`` left as it is (as opposed to ``None``: no expiry).
KEEP = object()


class ClientError(ValueError):
    """A client operation that cannot be done, with a message for a human."""


def list_clients() -> QuerySet[SCIMClient]:
    return SCIMClient.objects.order_by("name")


def get_client(name: str) -> SCIMClient:
    client = SCIMClient.objects.filter(name=name).first()
    if client is None:
        raise ClientError(f"No client named {name!r}.")
    return client


def check_tenant(key: str) -> str:
    """A tenant key (RFC 7644 §6), checked: it names the tenant's identity namespace
    (``User@acme``) and may appear in the URL (``scim/acme/v2/``), so it holds neither
    "@" nor "/", nor surrounding whitespace, and fits the column. "" is no tenant."""
    limit = SCIMClient._meta.get_field("tenant").max_length  # type: ignore[union-attr]
    if key != key.strip():
        raise ClientError(f"The tenant key {key!r} begins or ends with whitespace.")
    if limit is not None and len(key) > limit:
        raise ClientError(f"A tenant key is at most {limit} characters long.")
    if "@" in key or "/" in key:
        raise ClientError(f"A tenant key cannot contain '@' or '/': {key!r}.")
    return key


def create_client(
    name: str,
    token: str | None = None,
    read_only: bool = False,
    expires: datetime | None = None,
    tenant: str = "",
) -> tuple[SCIMClient, str]:
    """Create a client (bound to ``tenant``, if given); returns it and the raw token
    (shown once, never stored)."""
    check_tenant(tenant)
    name = name.strip()
    if not name:
        raise ClientError("A client needs a name.")
    if token is not None and len(token) < tokens.MIN_TOKEN_LENGTH:
        raise ClientError(f"A token must be at least {tokens.MIN_TOKEN_LENGTH} characters long.")
    _check_future(expires)
    existing = SCIMClient.objects.filter(name=name).first()
    if existing is not None and not existing.is_active:
        raise ClientError(
            f"A revoked client named {name!r} exists: rotate it with --reactivate, "
            "or delete it first."
        )
    scope = SCIMClient.Scope.READ if read_only else SCIMClient.Scope.READ_WRITE
    client = SCIMClient(name=name, scope=str(scope), expires=expires, tenant=tenant)
    raw = client.set_token(token)
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError:
        raise ClientError(f"A client named {name!r} or with this token already exists.") from None
    return client, raw


def rotate(client: SCIMClient, reactivate: bool = False, expires: object = KEEP) -> str:
    """Issue a new token (the old one stops working); returns it, shown once."""
    if not client.is_active and not reactivate:
        raise ClientError(
            f"{client.name!r} is revoked: its new token would be refused. "
            "Reactivate it in the same step (--reactivate), or delete it."
        )
    _apply_expiry(client, expires)
    raw = client.set_token()
    client.is_active = True
    client.save(update_fields=["token_prefix", "token_digest", "is_active", "expires"])
    return raw


def revoke(client: SCIMClient) -> None:
    client.is_active = False
    client.save(update_fields=["is_active"])


def reactivate(client: SCIMClient, expires: object = KEEP) -> None:
    """Let the client's current token work again."""
    _apply_expiry(client, expires)
    client.is_active = True
    client.save(update_fields=["is_active", "expires"])


def delete(client: SCIMClient) -> None:
    """Remove the client; its log rows stay, with its name (``client_name``)."""
    client.delete()


def rotate_client(
    name: str, reactivate: bool = False, expires: object = KEEP
) -> tuple[SCIMClient, str]:
    client = get_client(name)
    return client, rotate(client, reactivate, expires)


def revoke_client(name: str) -> SCIMClient:
    client = get_client(name)
    revoke(client)
    return client


def reactivate_client(name: str, expires: object = KEEP) -> SCIMClient:
    client = get_client(name)
    reactivate(client, expires)
    return client


def delete_client(name: str) -> None:
    delete(get_client(name))


def _check_future(expires: object) -> None:
    if isinstance(expires, datetime) and expires <= timezone.now():
        raise ClientError("The expiry must be in the future.")


def _apply_expiry(client: SCIMClient, expires: object) -> None:
    if expires is not KEEP:
        _check_future(expires)
        client.expires = expires  # type: ignore[assignment]
    if client.is_expired:
        raise ClientError(
            f"{client.name!r} expired on {client.expires:%Y-%m-%d %H:%M}: give a new expiry "
            "(--expires-in DAYS) or none (--no-expiry)."
        )
