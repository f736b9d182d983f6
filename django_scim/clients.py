"""Creating, listing and revoking SCIM clients: the functions behind the command and the admin."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from django_scim import tokens
from django_scim.models import SCIMClient


class ClientError(ValueError):
    """A client operation that cannot be done, with a message for a human."""


def create_client(
    name: str, token: str | None = None, read_only: bool = False
) -> tuple[SCIMClient, str]:
    """Create a client; returns it and the raw token (shown once, never stored)."""
    name = name.strip()
    if not name:
        raise ClientError("A client needs a name.")
    if token is not None and len(token) < tokens.MIN_TOKEN_LENGTH:
        raise ClientError(f"A token must be at least {tokens.MIN_TOKEN_LENGTH} characters long.")
    scope = SCIMClient.Scope.READ if read_only else SCIMClient.Scope.READ_WRITE
    client = SCIMClient(name=name, scope=str(scope))
    raw = client.set_token(token)
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError:
        raise ClientError(f"A client named {name!r} or with this token already exists.") from None
    return client, raw


def revoke_client(name: str) -> SCIMClient:
    client = SCIMClient.objects.filter(name=name).first()
    if client is None:
        raise ClientError(f"No client named {name!r}.")
    client.is_active = False
    client.save(update_fields=["is_active"])
    return client
