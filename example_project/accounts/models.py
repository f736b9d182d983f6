"""A site's own user model with two HR fields SCIM should fill from the enterprise extension."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    employee_number = models.CharField(max_length=64, blank=True)
    department = models.CharField(max_length=128, blank=True)
