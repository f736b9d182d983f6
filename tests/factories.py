"""All test factories, in one place (factory-boy's Django idioms)."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from django_scim.models import ProvisioningLog, SCIMClient

KNOWN_TOKEN = "scim_test-token-0123456789abcdef"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:05d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    is_active = True
    password = factory.django.Password("secret-password")


class StaffUserFactory(UserFactory):
    """A staff account: protected from SCIM clients by default (SCIM["PROTECTED_ACCOUNT"])."""

    is_staff = True


class SuperUserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = Group
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"group{n:04d}")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.user_set.add(*extracted)


class SCIMClientFactory(DjangoModelFactory):
    """A client whose raw token is ``raw_token`` (known, so tests can authenticate)."""

    class Meta:
        model = SCIMClient
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"client{n}")
    scope = SCIMClient.Scope.READ_WRITE
    raw_token = factory.Sequence(lambda n: f"{KNOWN_TOKEN}-{n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        raw = kwargs.pop("raw_token")
        client = model_class(*args, **kwargs)
        client.set_token(raw)
        client.save()
        client.raw_token = raw
        return client


class ProvisioningLogFactory(DjangoModelFactory):
    """A log row as a successful read leaves it; pass ``client`` to tie it to one."""

    class Meta:
        model = ProvisioningLog

    method = "GET"
    path = factory.Sequence(lambda n: f"/scim/v2/Users/{n:08d}")
    resource_type = "User"
    operation = "read"
    status = 200
    duration_ms = 1.0
    client_name = factory.LazyAttribute(lambda o: o.client.name if o.client else "")
    # Copied from the client, as the log does at request time.
    tenant = factory.LazyAttribute(lambda o: o.client.tenant if o.client else "")
    client = None
