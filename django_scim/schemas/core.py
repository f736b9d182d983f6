"""Core User and Group schemas and the common attributes (RFC 7643 §3.1, §4.1, §4.2, §8.7.1).

Every attribute and characteristic follows the RFC's schema representation.
Where §4 and §8.7.1 disagree (Group displayName is "REQUIRED" in §4.2 but
``required: false`` in §8.7.1) we follow the normative §4 text.
"""

from __future__ import annotations

from django_scim.constants import GROUP_SCHEMA, USER_SCHEMA
from django_scim.schemas.attributes import (
    Attribute,
    Schema,
    boolean,
    complex_,
    reference,
    string,
)
from django_scim.schemas.characteristics import AttributeType, Mutability, Returned, Uniqueness

RO = Mutability.READ_ONLY


def _plural(
    name: str,
    description: str,
    types: tuple[str, ...] = (),
    value: Attribute | None = None,
    primary: bool = True,
) -> Attribute:
    """A multi-valued attribute with the standard sub-attributes (RFC 7643 §2.4)."""
    subs = [
        value or string("value", f"The value of the {name} entry."),
        string("display", "A human-readable name, primarily used for display purposes."),
        string("type", "A label indicating the attribute's function.", canonical_values=types),
    ]
    if primary:
        subs.append(boolean("primary", "Whether this is the preferred value; true at most once."))
    return complex_(name, tuple(subs), description, multi_valued=True)


# RFC 7643 §3.1: attributes every resource has, outside any schema's attribute list.
ID = string(
    "id",
    "Unique, stable identifier of the resource, assigned by the service provider.",
    case_exact=True,
    mutability=RO,
    returned=Returned.ALWAYS,
    uniqueness=Uniqueness.SERVER,
)
EXTERNAL_ID = string(
    "externalId",
    "Identifier of the resource as defined by the provisioning client.",
    case_exact=True,
)
META = complex_(
    "meta",
    (
        string("resourceType", "The name of the resource type.", case_exact=True, mutability=RO),
        Attribute("created", AttributeType.DATETIME, "When the resource was added.", mutability=RO),
        Attribute(
            "lastModified",
            AttributeType.DATETIME,
            "When the resource was last updated.",
            mutability=RO,
        ),
        reference("location", ("uri",), "The URI of the resource.", case_exact=True, mutability=RO),
        string(
            "version", "The version (entity tag) of the resource.", case_exact=True, mutability=RO
        ),
    ),
    "Resource metadata.",
    mutability=RO,
)
COMMON_ATTRIBUTES = (ID, EXTERNAL_ID, META)

NAME = complex_(
    "name",
    (
        string("formatted", "The full name, formatted for display."),
        string("familyName", "The family name, or last name."),
        string("givenName", "The given name, or first name."),
        string("middleName", "The middle name(s)."),
        string("honorificPrefix", "The honorific prefix(es), or title (e.g. 'Ms.')."),
        string("honorificSuffix", "The honorific suffix(es) (e.g. 'III')."),
    ),
    "The components of the user's real name.",
)

ADDRESSES = complex_(
    "addresses",
    (
        string("formatted", "The full mailing address, formatted for display."),
        string("streetAddress", "The full street address component."),
        string("locality", "The city or locality component."),
        string("region", "The state or region component."),
        string("postalCode", "The zip code or postal code component."),
        string("country", "The country name component (ISO 3166-1 alpha-2)."),
        string(
            "type",
            "A label indicating the address's function.",
            canonical_values=("work", "home", "other"),
        ),
        boolean("primary", "Whether this is the preferred address; true at most once."),
    ),
    "Physical mailing addresses for this user.",
    multi_valued=True,
)

GROUPS = complex_(
    "groups",
    (
        string("value", "The identifier of the user's group.", mutability=RO),
        reference("$ref", ("User", "Group"), "The URI of the group.", mutability=RO),
        string("display", "The group's display name.", mutability=RO),
        string(
            "type",
            "How the membership arises.",
            canonical_values=("direct", "indirect"),
            mutability=RO,
        ),
    ),
    "The groups the user belongs to; managed through the Group resource.",
    multi_valued=True,
    mutability=RO,
)

USER = Schema(
    id=USER_SCHEMA,
    name="User",
    description="User Account",
    attributes=(
        string(
            "userName",
            "Unique identifier for the user, used to authenticate.",
            required=True,
            uniqueness=Uniqueness.SERVER,
        ),
        NAME,
        string("displayName", "The name of the user, suitable for display to end-users."),
        string("nickName", "The casual way to address the user."),
        reference("profileUrl", ("external",), "A URI of the user's online profile."),
        string("title", "The user's title, such as 'Vice President'."),
        string("userType", "The relationship between the organization and the user."),
        string("preferredLanguage", "The user's preferred written or spoken language."),
        string("locale", "The user's default location for localisation."),
        string("timezone", "The user's time zone in IANA 'Olson' format."),
        boolean("active", "The user's administrative status."),
        string(
            "password",
            "The user's clear-text password, for setting it only.",
            mutability=Mutability.WRITE_ONLY,
            returned=Returned.NEVER,
        ),
        _plural("emails", "Email addresses for the user.", ("work", "home", "other")),
        _plural(
            "phoneNumbers",
            "Phone numbers for the user.",
            ("work", "home", "mobile", "fax", "pager", "other"),
        ),
        _plural(
            "ims",
            "Instant messaging addresses for the user.",
            ("aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"),
        ),
        _plural(
            "photos",
            "URLs of photos of the user.",
            ("photo", "thumbnail"),
            value=reference("value", ("external",), "The URL of a photo of the user."),
        ),
        ADDRESSES,
        GROUPS,
        _plural("entitlements", "Entitlements held by the user."),
        _plural("roles", "Roles of the user."),
        _plural(
            "x509Certificates",
            "X.509 certificates issued to the user.",
            value=Attribute("value", AttributeType.BINARY, "A DER-encoded X.509 certificate."),
        ),
    ),
)

MEMBERS = complex_(
    "members",
    (
        string("value", "The identifier of the member.", mutability=Mutability.IMMUTABLE),
        reference(
            "$ref", ("User", "Group"), "The URI of the member.", mutability=Mutability.IMMUTABLE
        ),
        string("display", "The member's display name.", mutability=RO),
        string(
            "type",
            "The member's resource type.",
            canonical_values=("User", "Group"),
            mutability=Mutability.IMMUTABLE,
        ),
    ),
    "A list of members of the group.",
    multi_valued=True,
)

GROUP = Schema(
    id=GROUP_SCHEMA,
    name="Group",
    description="Group",
    attributes=(
        string("displayName", "A human-readable name for the group.", required=True),
        MEMBERS,
    ),
)
