"""A profile kept beside the user model: what many sites have, and SCIM can fill."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Profile(models.Model):
    """One row per user, made when first needed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    preferred_language = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class Team(models.Model):
    """A group whose members are groups: nested groups, as the RFC 7644 §3.7.1 example
    (Group A and Group B, each a member of the other) needs."""

    name = models.CharField(max_length=150, unique=True)
    subteams = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="parent_teams"
    )

    def __str__(self) -> str:
        return self.name
