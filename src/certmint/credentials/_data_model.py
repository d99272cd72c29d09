"""The VC Data Model's normative statements that a credential's JSON can be checked against.

https://www.w3.org/TR/vc-data-model-2.0/ (and 1.1 for credentials whose ``@context`` starts
with the 1.1 context): required properties and their shapes, URLs where URLs are required,
dateTimeStamp validity dates, a ``type`` on every status, schema, terms-of-use, evidence and
refresh object, language value objects, ``relatedResource`` digests, and the
``BitstringStatusListEntry`` fields of https://www.w3.org/TR/vc-bitstring-status-list/.

Every problem is returned, each with the JSON path of the value at fault, so that an issuer can
refuse a credential naming all that is wrong and a verifier can say which statement failed.
What needs JSON-LD (every term defined, no protected term redefined) is the safe-mode
expansion's job (``expand_safe``), not this module's.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from certmint.credentials._keys import base58btc_decode
from certmint.credentials.errors import CredentialError

__all__ = [
    "DataModelProblem",
    "DigestLookup",
    "credential_problems",
    "presentation_problems",
]

VC1 = "https://www.w3.org/2018/credentials/v1"
VC2 = "https://www.w3.org/ns/credentials/v2"
# RFC 3986 scheme, then anything but whitespace and the characters a URL never holds.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+")
# XML Schema dateTimeStamp (a time zone is required); dateTime lets 1.1 credentials omit it.
_DATE_TIME = re.compile(
    r"-?(\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-](\d\d):(\d\d))?"
)
_SRI = re.compile(r"(sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})")
# Multihash prefixes of the SHA-2 digests (code, length).
_MULTIHASH = {b"\x12\x20": 32, b"\x20\x30": 48, b"\x13\x40": 64}
_TYPED = ("credentialStatus", "credentialSchema", "termsOfUse", "evidence", "refreshService")

#: The raw digests (any SHA-2 size) known to be right for a resource's URL; empty when the
#: resource is not held here, so that its digest cannot be checked offline.
DigestLookup = Callable[[str], frozenset[bytes]]


@dataclass(frozen=True)
class DataModelProblem:
    """One statement the document breaks: ``path`` (``$.credentialStatus[0].type``) and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and _URL.fullmatch(value) is not None


def _items(value: Any, path: str) -> Iterator[tuple[Any, str]]:
    """The value's items with their paths: a list's elements, or the value alone."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield item, f"{path}[{index}]"
    else:
        yield value, path


def _date_time(value: Any, *, zone_required: bool) -> float | None:
    """The moment in seconds since 1970 (UTC), or None when ``value`` is not a date-time.

    Years past 9999 are valid XML Schema years (the W3C suite sends one) that ``datetime``
    cannot hold: they are placed after every earlier year, which is all a comparison needs."""
    match = _DATE_TIME.fullmatch(value) if isinstance(value, str) else None
    if match is None or (zone_required and match[8] is None):
        return None
    year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
    zone = UTC
    if match[8] not in (None, "Z"):
        sign = 1 if match[8][0] == "+" else -1
        zone = timezone(sign * timedelta(hours=int(match[9]), minutes=int(match[10])))
    try:
        moment = datetime(min(year, 9999), month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None
    fraction = float(match[7] or 0)
    return moment.timestamp() + fraction + max(0, year - 9999) * 366 * 86400


class _Checker:
    def __init__(self, digests: DigestLookup | None) -> None:
        self.problems: list[DataModelProblem] = []
        self.digests = digests

    def add(self, path: str, message: str) -> None:
        self.problems.append(DataModelProblem(path, message))

    def url(self, value: Any, path: str, what: str = "must be a URL") -> None:
        if not _is_url(value):
            self.add(path, what)

    def context(self, document: dict[str, Any]) -> str | None:
        context = document.get("@context")
        if context is None:
            self.add("$.@context", "is required")
            return None
        items = context if isinstance(context, list) else [context]
        if not items or items[0] not in (VC2, VC1):
            self.add("$.@context[0]", f"must be {VC2} (or {VC1})")
            return None
        for item, path in list(_items(context, "$.@context"))[1:]:
            if not (_is_url(item) or isinstance(item, dict)):
                self.add(path, "must be a URL or a context object")
        return str(items[0])

    def types(self, value: Any, path: str, required: str | None = None) -> None:
        if value is None:
            self.add(path, "is required")
            return
        names = value if isinstance(value, list) else [value]
        if not names or not all(isinstance(n, str) and n for n in names):
            self.add(path, "must be a string or a list of strings")
        elif required is not None and required not in names:
            self.add(path, f"must include {required}")

    def identified(self, value: Any, path: str, *, required: bool) -> None:
        """An issuer or holder: a URL, or an object whose ``id`` is a URL."""
        if value is None and not required:
            return
        if isinstance(value, dict):
            self.url(value.get("id"), f"{path}.id")
            self.texts(value, path)
        else:
            self.url(value, path, "must be a URL or an object whose id is a URL")

    def texts(self, holder: dict[str, Any], path: str) -> None:
        """``name`` and ``description``: strings or language value objects."""
        for key in ("name", "description"):
            if key not in holder:
                continue
            for item, where in _items(holder[key], f"{path}.{key}"):
                if isinstance(item, str):
                    continue
                if not isinstance(item, dict) or not isinstance(item.get("@value"), str):
                    self.add(where, "must be a string or a language value object")
                elif set(item) - {"@value", "@language", "@direction"}:
                    extra = ", ".join(sorted(set(item) - {"@value", "@language", "@direction"}))
                    self.add(
                        where,
                        f"a language value object holds only @value, @language "
                        f"and @direction, not {extra}",
                    )
                elif item.get("@direction") not in (None, "ltr", "rtl"):
                    self.add(f"{where}.@direction", "must be ltr or rtl")

    def subjects(self, value: Any) -> None:
        if value is None or value == []:
            self.add("$.credentialSubject", "is required (one or more objects)")
            return
        for item, path in _items(value, "$.credentialSubject"):
            if not isinstance(item, dict) or not item:
                self.add(path, "must be an object making at least one claim")
            elif "id" in item:
                self.url(item["id"], f"{path}.id")

    def typed_objects(self, document: dict[str, Any]) -> None:
        for key in _TYPED:
            if key not in document:
                continue
            for item, path in _items(document[key], f"$.{key}"):
                if not isinstance(item, dict):
                    self.add(path, "must be an object")
                    continue
                self.types(item.get("type"), f"{path}.type")
                if "id" in item or key == "credentialSchema":
                    self.url(item.get("id"), f"{path}.id")

    def validity(self, document: dict[str, Any], version: str) -> None:
        names = (
            ("validFrom", "validUntil") if version == VC2 else ("issuanceDate", "expirationDate")
        )
        if version == VC1 and "issuanceDate" not in document:
            self.add("$.issuanceDate", "is required in a VC 1.1 credential")
        moments: dict[str, float | None] = {}
        for name in names:
            if name in document:
                moments[name] = _date_time(document[name], zone_required=version == VC2)
                if moments[name] is None:
                    kind = "dateTimeStamp" if version == VC2 else "dateTime"
                    self.add(f"$.{name}", f"must be an XML Schema {kind} string")
        start, end = moments.get(names[0]), moments.get(names[1])
        if start is not None and end is not None and start > end:
            self.add(f"$.{names[1]}", f"must not be earlier than {names[0]}")

    def related(self, value: Any) -> None:
        seen: set[str] = set()
        for item, path in _items(value, "$.relatedResource"):
            if not isinstance(item, dict):
                self.add(path, "must be an object with an id and a digest")
                continue
            resource = item.get("id")
            self.url(resource, f"{path}.id")
            if isinstance(resource, str):
                if resource in seen:
                    self.add(f"{path}.id", "must be unique among the related resources")
                seen.add(resource)
            given = [item[k] for k in ("digestSRI", "digestMultibase") if k in item]
            if not given:
                self.add(path, "must have a digestSRI or a digestMultibase")
            known = self.digests(resource) if self.digests and isinstance(resource, str) else None
            for key in ("digestSRI", "digestMultibase"):
                if key not in item:
                    continue
                raw = decode_digest(item[key], key)
                if raw is None:
                    self.add(f"{path}.{key}", "is not a well-formed digest")
                elif known and raw not in known:
                    self.add(f"{path}.{key}", f"does not match the digest of {resource}")

    def status_entries(self, node: Any, path: str) -> None:
        """Every ``BitstringStatusListEntry`` object, wherever it is."""
        if isinstance(node, list):
            for index, item in enumerate(node):
                self.status_entries(item, f"{path}[{index}]")
            return
        if not isinstance(node, dict):
            return
        types = node.get("type")
        if types == "BitstringStatusListEntry" or (
            isinstance(types, list) and "BitstringStatusListEntry" in types
        ):
            self.bitstring_entry(node, path)
        for key, value in node.items():
            if key != "proof":
                self.status_entries(value, f"{path}.{key}")

    def bitstring_entry(self, entry: dict[str, Any], path: str) -> None:
        if not isinstance(entry.get("statusPurpose"), str):
            self.add(f"{path}.statusPurpose", "must be a string")
        index = entry.get("statusListIndex")
        if not (isinstance(index, str) and index.isascii() and index.isdigit()):
            self.add(f"{path}.statusListIndex", "must be a base-10 integer >= 0, as a string")
        self.url(entry.get("statusListCredential"), f"{path}.statusListCredential")
        size = entry.get("statusSize", 1)
        if type(size) is not int or size < 1:
            self.add(f"{path}.statusSize", "must be an integer greater than zero")
        elif size > 1 and not isinstance(entry.get("statusMessage"), list):
            self.add(f"{path}.statusMessage", "is required when statusSize is greater than 1")
        messages = entry.get("statusMessage")
        if messages is not None:
            if not isinstance(messages, list) or (type(size) is int and len(messages) != 2**size):
                self.add(f"{path}.statusMessage", "must list one message per possible value")
            else:
                for number, message in enumerate(messages):
                    if not (
                        isinstance(message, dict)
                        and isinstance(message.get("status"), str)
                        and isinstance(message.get("message"), str)
                    ):
                        self.add(f"{path}.statusMessage[{number}]", "needs status and message")


def decode_digest(value: Any, kind: str) -> bytes | None:
    """The raw digest of a ``digestSRI`` (``sha384-<base64>``) or ``digestMultibase`` (``u``
    base64url or ``z`` base58btc, of a multihash or of the bare digest); None if malformed."""
    if not isinstance(value, str):
        return None
    try:
        if kind == "digestSRI":
            match = _SRI.fullmatch(value)
            return base64.b64decode(match[2], validate=True) if match else None
        if value[:1] == "u":
            raw = base64.urlsafe_b64decode(value[1:] + "=" * (-len(value[1:]) % 4))
        elif value[:1] == "z":
            raw = base58btc_decode(value[1:])
        else:
            return None
    except (binascii.Error, ValueError, CredentialError):
        return None
    if _MULTIHASH.get(raw[:2]) == len(raw) - 2:
        return raw[2:]
    return raw if len(raw) in (32, 48, 64) else None


def credential_problems(
    document: Any, digests: DigestLookup | None = None, *, dates: bool = True
) -> list[DataModelProblem]:
    """Every VC Data Model statement ``document`` breaks (empty: none), with its JSON path.

    ``digests`` gives the known digests of related resources (the bundled contexts); a
    ``relatedResource`` whose digest matches none of them is a problem, one not held here is
    checked for its shape only. ``proof`` is not looked at (that is the signature's step).
    ``dates=False`` leaves the validity dates to a caller that reports them itself.
    """
    check = _Checker(digests)
    if not isinstance(document, dict):
        check.add("$", "must be a JSON object")
        return check.problems
    version = check.context(document)
    if "id" in document:
        check.url(document["id"], "$.id")
    check.types(document.get("type"), "$.type", "VerifiableCredential")
    check.identified(document.get("issuer"), "$.issuer", required=True)
    check.subjects(document.get("credentialSubject"))
    check.texts(document, "$")
    if version is not None and dates:
        check.validity(document, version)
    check.typed_objects(document)
    if "relatedResource" in document:
        check.related(document["relatedResource"])
    check.status_entries({k: v for k, v in document.items() if k != "proof"}, "$")
    return check.problems


def _enveloped(item: dict[str, Any]) -> bool:
    types = item.get("type")
    return types == "EnvelopedVerifiableCredential" or (
        isinstance(types, list) and "EnvelopedVerifiableCredential" in types
    )


def presentation_problems(document: Any) -> list[DataModelProblem]:
    """Every VC Data Model statement a presentation's own properties break (the credentials it
    holds are checked one by one, as credentials)."""
    check = _Checker(None)
    if not isinstance(document, dict):
        check.add("$", "must be a JSON object")
        return check.problems
    check.context(document)
    if "id" in document:
        check.url(document["id"], "$.id")
    check.types(document.get("type"), "$.type", "VerifiablePresentation")
    check.identified(document.get("holder"), "$.holder", required=False)
    for item, path in _items(document.get("verifiableCredential", []), "$.verifiableCredential"):
        if not isinstance(item, dict):
            check.add(path, "must be a credential object")
        elif _enveloped(item) and not str(item.get("id")).startswith("data:"):
            check.add(f"{path}.id", "an enveloped credential's id must be a data: URL")
    return check.problems
