"""A site's own user model with two HR fields SCIM should fill from the enterprise extension,
and the organisations (tenants) its users are members of."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class User(AbstractUser):
    employee_number = models.CharField(max_length=64, blank=True)
    department = models.CharField(max_length=128, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        # SCIM matches userName case-insensitively (LOWER(username) = LOWER(value)),
        # and userName is unique that way (RFC 7643 §4.1.1): a unique index on
        # LOWER(username) serves the lookups and refuses "BJensen" next to "bjensen"
        # (django_scim then needs no lock of its own). A site whose table already
        # holds names differing only in case cannot add it, and need not.
        indexes = [models.Index(Lower("email"), name="accounts_user_email_lower")]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_folded")
        ]


class Organisation(models.Model):
    """A customer organisation: a tenant (RFC 7644 §6) whose identity provider provisions
    its people. A SCIM client bound to the tenant ``slug`` sees and changes only the
    organisation's members (``EmployeeUserAdapter``)."""

    slug = models.SlugField(
        "key",
        max_length=64,  # as SCIMClient.tenant
        unique=True,
        help_text="The tenant key a SCIM client is bound to (scim_token create … --tenant KEY).",
    )
    name = models.CharField(max_length=200)
    email_domains = models.CharField(
        "e-mail domains",
        max_length=500,
        blank=True,
        help_text="The domains of its people's addresses, separated by spaces (optional).",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations", blank=True
    )

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in an organisation: added when the organisation's identity provider
    creates the user, removed when it deletes the user (``DELETE_MODE = "detach"``)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="accounts_membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation}"
