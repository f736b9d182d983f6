"""Which unique values need the app's own lock (django_scim.locks).

RFC 7643 §4.1.1: userName is unique, case-insensitively ("caseExact": false).
A column that is unique only as written lets "BJensen" in next to "bjensen",
so concurrent creates are serialised with a lock on the folded value; a unique
constraint on ``Lower(column)`` makes the database refuse the second row, and
the lock is skipped.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Upper
from django.test.utils import isolate_apps

from django_scim.locks import enforced_by_database


def test_a_column_unique_as_written_does_not_enforce_case_insensitive_uniqueness():
    """auth.User.username is unique as written: "BJensen" and "bjensen" both fit."""
    assert enforced_by_database(get_user_model(), "username", case_exact=False) is False


def test_a_column_unique_as_written_enforces_case_exact_uniqueness():
    assert enforced_by_database(get_user_model(), "username", case_exact=True) is True


def test_a_plain_column_enforces_nothing():
    assert enforced_by_database(get_user_model(), "email", case_exact=True) is False


@isolate_apps("django_scim")
def test_a_unique_constraint_on_the_lowered_column_enforces_it():
    class Account(models.Model):
        login = models.CharField(max_length=150)

        class Meta:
            app_label = "django_scim"
            constraints = [models.UniqueConstraint(Lower("login"), name="account_login_folded")]

        def __str__(self) -> str:
            return self.login

    assert enforced_by_database(Account, "login", case_exact=False) is True


@isolate_apps("django_scim")
def test_other_unique_constraints_do_not_count():
    """A partial constraint leaves some rows unchecked; UPPER, another column, or two
    columns together are not the comparison SCIM makes."""

    class Account(models.Model):
        login = models.CharField(max_length=150)
        tenant = models.CharField(max_length=50)
        active = models.BooleanField(default=True)

        class Meta:
            app_label = "django_scim"
            constraints = [
                models.UniqueConstraint(
                    Lower("login"), condition=Q(active=True), name="account_login_active"
                ),
                models.UniqueConstraint(Upper("login"), name="account_login_upper"),
                models.UniqueConstraint(Lower("tenant"), name="account_tenant_folded"),
                models.UniqueConstraint(Lower("login"), "tenant", name="account_login_tenant"),
            ]

        def __str__(self) -> str:
            return self.login

    assert enforced_by_database(Account, "login", case_exact=False) is False
