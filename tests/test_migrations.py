"""The committed migrations match the models: ``makemigrations --check`` finds nothing to do.

A model change without its migration would deploy a schema that differs from
what the code expects.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    """``makemigrations django_scim --check --dry-run`` reports no changes; SystemExit means
    a missing migration."""
    out = StringIO()
    try:
        call_command(
            "makemigrations", "django_scim", "--check", "--dry-run", stdout=out, stderr=StringIO()
        )
    except SystemExit:  # --check exits with status 1 when changes are detected
        pytest.fail(f"django_scim has model changes without a migration:\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()
