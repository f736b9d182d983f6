"""Fixtures for the unit tests: RFC sample resources as the PATCH engine sees them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import load_sample


def as_document(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource without what PATCH never edits (``schemas``, ``id``, ``meta``)."""
    return {k: v for k, v in resource.items() if k not in ("schemas", "id", "meta")}


@pytest.fixture
def bjensen() -> dict[str, Any]:
    """RFC 7643 §8.3: the full bjensen User with the Enterprise extension."""
    return as_document(load_sample("rfc7643-8.3-user-enterprise.json"))


@pytest.fixture
def tour_guides() -> dict[str, Any]:
    """RFC 7643 §8.4: the Tour Guides group."""
    return as_document(load_sample("rfc7643-8.4-group.json"))
