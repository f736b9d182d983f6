"""A site's own user model with two HR fields SCIM should fill from the enterprise extension."""

from __future__ import annotations

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
