"""What real identity providers send that RFC 7643/7644 do not quite allow, accepted in one place.

Each leniency names its source (the vendor's documented request; see the
research notes in the repository's history and the replay tests in
``tests/idp/``). Those that could surprise a strict client are switched off
per client with ``SCIMClient.strict`` (then the RFC answer is given instead).

- PATCH ``op`` in any case (``Add``, ``Replace``, ``Remove``): Entra ID default job.
- ``"True"``/``"False"`` strings for booleans: Entra ID (values, ``primary``, filters).
- path-less PATCH values whose keys are paths (``name.givenName``,
  ``urn:...:User:department``): Entra ID with ``aadOptscim062020``.
- a complex attribute sent as its bare ``value`` (``manager: "id"``), cleared with
  ``""``, ``null`` or ``{"value": ""}``: Entra ID (enterprise manager).
- ``add``/``replace`` through a value filter that matches nothing creates the element
  (``emails[type eq "work"].value``): Entra ID, Microsoft's validator.
  *Strict clients: 400 noTarget for replace.*
- ``remove`` of ``members`` with a ``value`` list removes only those members: Entra ID.
- read-only ``id``, ``meta``, ``schemas``, ``groups`` inside PUT bodies and path-less
  PATCH values are ignored: Okta (PUT, group rename).
- unknown schema URNs (``.../ADSCIM/2.0/Group``) are tolerated: Entra ID group create.

docs/dialects.md has the full table with the client behaviour each one answers.
"""

from __future__ import annotations

from typing import Any

from django_scim.schemas.attributes import Attribute

BOOLEAN_STRINGS = {"true": True, "false": False}


def normalise_op(op: Any) -> str | None:
    """``Add``/``ADD``/``add`` -> ``add`` (Entra ID capitalises op names)."""
    return op.strip().lower() if isinstance(op, str) else None


def bare_value(attribute: Attribute, value: Any) -> Any:
    """A singular complex attribute given as its ``value`` (Entra's manager) -> ``{"value": ...}``.

    A one-element list stands for its element.

    ``""`` and ``{"value": ""}`` mean "no value" (Entra clears the manager that way).
    """
    if (
        attribute.multi_valued
        or not attribute.is_complex
        or attribute.sub_attribute("value") is None
    ):
        return value
    if isinstance(value, list) and len(value) == 1:
        # Entra's older examples send the manager as a one-element list.
        value = value[0]
    if isinstance(value, str):
        return {"value": value} if value else None
    if isinstance(value, dict) and value.get("value") == "" and len(value) == 1:
        return None
    return value


def is_lenient(client: Any) -> bool:
    return not getattr(client, "strict", False)
