"""Build an Open Badges 3.0 ``OpenBadgeCredential`` (VC Data Model 2.0) from plain values.

Data model: https://www.imsglobal.org/spec/ob/v3p0/#achievementcredential on
https://www.w3.org/TR/vc-data-model-2.0/. The builder validates and sanitises every value before
it reaches a signature, because a signed credential cannot be corrected afterwards:

* printed text loses control characters (pyld escapes only ``\\t \\n \\r`` in N-Quads while
  RDFC-1.0 processors such as jsonld.js write others as ``\\uXXXX`` or raw, so the same text
  would hash differently across implementations, and a control character is never meant);
* every IRI must be absolute, without whitespace or characters N-Quads cannot carry, because
  JSON-LD silently drops a relative or malformed ``@id`` from what gets signed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from certmint.credentials._proofs import format_datetime
from certmint.credentials.errors import InvalidCredentialDataError

__all__ = [
    "OB3_CONTEXT",
    "VC2_CONTEXT",
    "AchievementInfo",
    "CredentialData",
    "EmailIdentity",
    "ExternalIdentity",
    "IssuerProfile",
    "Recipient",
    "ScoreResult",
    "StatusEntry",
    "build_credential",
    "check_iri",
    "email_identity_hash",
    "sanitise_text",
    "status_entry",
]

VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

_IRI = re.compile(
    r"(?:https?://[^/\s]+\S*|urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+|did:[a-z0-9]+:\S+)"
)
_IRI_FORBIDDEN = re.compile(r"[\x00-\x20<>\"{}|\\^`\x7f-\x9f]")
_MAX_TEXT = 10_000
# https://www.imsglobal.org/spec/ob/v3p0/#identifiertypeenum (emailAddress is used hashed only)
_IDENTITY_TYPES = frozenset(
    {
        "name", "sourcedId", "systemId", "productId", "userName", "accountId",
        "nationalIdentityNumber", "isbn", "issn", "lisSourcedId", "oneRosterSourcedId",
        "sisSourcedId", "ltiContextId", "ltiDeploymentId", "ltiToolId", "ltiPlatformId",
        "ltiUserId", "identifier",
    }
)  # fmt: skip


def check_iri(value: str, field: str) -> str:
    """Return ``value`` if it is an absolute http(s), urn or did IRI safe for N-Quads.

    Raises ``InvalidCredentialDataError`` otherwise.
    """
    if not _IRI.fullmatch(value) or _IRI_FORBIDDEN.search(value):
        raise InvalidCredentialDataError(field, f"{value!r} is not an absolute http(s)/urn/did IRI")
    return value


def sanitise_text(value: str, field: str, *, multiline: bool = False) -> str:
    """Return printed text without control characters; raise if nothing printable is left.

    Line breaks become spaces, except in ``multiline`` fields (Markdown narratives) where
    ``\\r\\n``/``\\r`` become ``\\n``. Combining marks, joiners and every other printable character
    are kept as given: no Unicode normalization, so a name is signed exactly as entered.
    """
    if value.isprintable():  # no Cc, Zl, Zp or Cs at all: the loop below would change nothing
        return _checked(value.strip(), field)
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for char in value:
        category = unicodedata.category(char)
        if char == "\n" and multiline:
            out.append(char)
        elif category in ("Cc", "Zl", "Zp"):
            out.append(" " if char in "\t\n\r\x0b\x0c\u2028\u2029\x85" else "")
        elif category == "Cs":
            raise InvalidCredentialDataError(field, "contains a lone surrogate")
        else:
            out.append(char)
    return _checked("".join(out).strip(), field)


def _checked(text: str, field: str) -> str:
    if not text:
        raise InvalidCredentialDataError(field, "is empty")
    if len(text) > _MAX_TEXT:
        raise InvalidCredentialDataError(field, f"is longer than {_MAX_TEXT} characters")
    return text


def email_identity_hash(email: str, salt: str) -> str:
    """Return the OB3 IdentityHash ``sha256$<hex>`` of a trimmed, lower-cased e-mail plus salt.

    https://www.imsglobal.org/spec/ob/v3p0/#identityobject: hash of the UTF-8 identifier with the
    salt appended. E-mail addresses are compared case-insensitively in practice, so we normalise.
    """
    normalised = email.strip().lower()
    return "sha256$" + hashlib.sha256((normalised + salt).encode()).hexdigest()


@dataclass(frozen=True)
class IssuerProfile:
    """The issuing organisation: https://www.imsglobal.org/spec/ob/v3p0/#profile."""

    did: str
    name: str
    url: str
    image: str | None = None


@dataclass(frozen=True)
class EmailIdentity:
    """A recipient known by e-mail, published only as a salted SHA-256 hash."""

    email: str
    salt: str


@dataclass(frozen=True)
class ExternalIdentity:
    """A recipient known by an external (LMS) id, published as is.

    ``identity_type`` is an OB3 IdentifierTypeEnum value or ``ext:...``, but not
    ``emailAddress``: e-mail addresses are published only hashed (:class:`EmailIdentity`).
    """

    identifier: str
    identity_type: str = "sourcedId"


@dataclass(frozen=True)
class Recipient:
    """The learner: https://www.imsglobal.org/spec/ob/v3p0/#achievementsubject."""

    name: str
    identity: EmailIdentity | ExternalIdentity


@dataclass(frozen=True)
class AchievementInfo:
    """What was achieved: https://www.imsglobal.org/spec/ob/v3p0/#achievement."""

    id: str
    name: str
    description: str
    criteria: str
    image: str | None = None


@dataclass(frozen=True)
class ScoreResult:
    """An assessment result: https://www.imsglobal.org/spec/ob/v3p0/#result (value as text)."""

    value: str


@dataclass(frozen=True)
class StatusEntry:
    """A ``BitstringStatusListEntry``: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistentry."""

    list_url: str
    index: int
    purpose: str = "revocation"


@dataclass(frozen=True)
class CredentialData:
    """Everything a certificate's credential says; the builder's only input."""

    certificate_id: UUID
    issuer: IssuerProfile
    recipient: Recipient
    achievement: AchievementInfo
    valid_from: datetime
    valid_until: datetime | None = None
    result: ScoreResult | None = None
    #: One entry, written as an object: OB 3.0 allows one ``credentialStatus``
    #: (https://www.imsglobal.org/spec/ob/v3p0/#achievementcredential, [0..1]) and 1EdTech's
    #: schema checks it as an object. Suspension is held by the server, not in a second entry
    #: (docs/credentials.md, "Status").
    status: StatusEntry | None = None


def _image(url: str, field: str) -> dict[str, Any]:
    return {"id": check_iri(url, field), "type": "Image"}


def _identifier(identity: EmailIdentity | ExternalIdentity) -> dict[str, Any]:
    if isinstance(identity, EmailIdentity):
        if "@" not in identity.email:
            raise InvalidCredentialDataError("recipient.identity.email", "is not an e-mail address")
        salt = sanitise_text(identity.salt, "recipient.identity.salt")
        return {
            "type": "IdentityObject",
            "identityHash": email_identity_hash(identity.email, salt),
            "identityType": "emailAddress",
            "hashed": True,
            "salt": salt,
        }
    if identity.identity_type not in _IDENTITY_TYPES and not re.fullmatch(
        r"ext:[a-zA-Z0-9._-]+", identity.identity_type
    ):
        raise InvalidCredentialDataError(
            "recipient.identity.identity_type", "is not an OB 3.0 IdentifierTypeEnum value"
        )
    return {
        "type": "IdentityObject",
        "identityHash": sanitise_text(identity.identifier, "recipient.identity.identifier"),
        "identityType": identity.identity_type,
        "hashed": False,
    }


def build_credential(data: CredentialData) -> dict[str, Any]:
    """Return the unsigned ``OpenBadgeCredential`` for ``data``.

    Raises ``InvalidCredentialDataError`` naming the first field that cannot be signed.
    """
    issuer = data.issuer
    profile: dict[str, Any] = {
        "id": check_iri(issuer.did, "issuer.did"),
        "type": ["Profile"],
        "name": sanitise_text(issuer.name, "issuer.name"),
        "url": check_iri(issuer.url, "issuer.url"),
    }
    if issuer.image is not None:
        profile["image"] = _image(issuer.image, "issuer.image")
    achievement = data.achievement
    achieved: dict[str, Any] = {
        "id": check_iri(achievement.id, "achievement.id"),
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": sanitise_text(achievement.name, "achievement.name"),
        "description": sanitise_text(achievement.description, "achievement.description"),
        "criteria": {
            "narrative": sanitise_text(achievement.criteria, "achievement.criteria", multiline=True)
        },
    }
    if achievement.image is not None:
        achieved["image"] = _image(achievement.image, "achievement.image")
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "name": sanitise_text(data.recipient.name, "recipient.name"),
        "identifier": [_identifier(data.recipient.identity)],
        "achievement": achieved,
    }
    if data.result is not None:
        subject["result"] = [
            {"type": ["Result"], "value": sanitise_text(data.result.value, "result.value")}
        ]
    credential: dict[str, Any] = {
        "@context": [VC2_CONTEXT, OB3_CONTEXT],
        "id": f"urn:uuid:{data.certificate_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achieved["name"],
        "issuer": profile,
        "validFrom": format_datetime(data.valid_from),
        "credentialSubject": subject,
    }
    if data.valid_until is not None:
        if data.valid_until <= data.valid_from:
            raise InvalidCredentialDataError("valid_until", "must be after valid_from")
        credential["validUntil"] = format_datetime(data.valid_until)
    if data.status is not None:
        credential["credentialStatus"] = status_entry(data.status)
    return credential


def status_entry(entry: StatusEntry) -> dict[str, Any]:
    """Return the ``credentialStatus`` object for ``entry``."""
    list_url = check_iri(entry.list_url, "status.list_url")
    if entry.index < 0:
        raise InvalidCredentialDataError("status.index", "must not be negative")
    if not re.fullmatch(r"[a-z]+", entry.purpose):
        raise InvalidCredentialDataError("status.purpose", "must be a lower-case word")
    return {
        "id": f"{list_url}#{entry.index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": entry.purpose,
        "statusListIndex": str(entry.index),
        "statusListCredential": list_url,
    }
