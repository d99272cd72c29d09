"""Every public URL of this instance, built in one place from the base URL and read back.

QR codes, e-mails, webhooks, DIDs, status list entries and sign-in links all name pages of this
instance; the formats live here, next to the parsers that recognise them again (a status list
entry that points back at this instance is read from the database, a QR code of ours is
verified locally). The web layer's routes use the same path patterns. ``bootstrap`` builds one
``Links`` from the settings and the container carries it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit
from uuid import UUID

from certmint.credentials import did_web_for
from certmint.domain.ids import url_id
from certmint.domain.organisations import Organisation
from certmint.domain.status_lists import StatusPurpose

__all__ = [
    "DEFAULT_DID_PATH",
    "DID_PATH",
    "PASSWORD_RESET_PATH",
    "PROFILE_PATH",
    "SIGN_IN_LINK_PATH",
    "STATUS_LIST_PATH",
    "VERIFY_PATH",
    "Links",
    "StatusListAddress",
]

# Route patterns (FastAPI's syntax), shared by the routes and the builders below.
VERIFY_PATH = "/v/{reference}"
STATUS_LIST_PATH = "/orgs/{slug}/status/{purpose}/{sequence}"
# Where DID documents are served: did:web resolves the DIDs of ``Links.did`` to these.
DID_PATH = "/orgs/{slug}/did.json"
DEFAULT_DID_PATH = "/.well-known/did.json"
PROFILE_PATH = "/p/{token}"
SIGN_IN_LINK_PATH = "/login/link/{token}"
PASSWORD_RESET_PATH = "/login/reset/{token}"  # noqa: S105 - a route, not a password
LOGIN_PATH = "/login"
# What a template's preview QR code holds: it opens the verify page's "not found".
PREVIEW_REFERENCE = "preview"

_REFERENCE = re.compile(r"[A-Za-z0-9_-]{1,128}")
_STATUS_LIST = re.compile(r"/orgs/([^/]+)/status/([a-z]+)/([0-9]{1,18})")


@dataclass(frozen=True)
class StatusListAddress:
    """Which list a status list URL of this instance names."""

    slug: str
    purpose: str
    sequence: int


@dataclass(frozen=True)
class Links:
    """The public URLs under ``base_url`` (given with or without a trailing slash)."""

    base_url: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    @property
    def secure(self) -> bool:
        """Whether the instance is reached over https (cookies are then ``Secure``)."""
        return self.base_url.startswith("https://")

    @property
    def host(self) -> str:
        """``host[:port]`` of the public URL (same-origin checks accept it)."""
        return urlsplit(self.base_url).netloc

    def _url(self, pattern: str, **values: str | int) -> str:
        return self.base_url + pattern.format(**values)

    # Certificates: the QR code's page and the files behind it.

    def verification(self, certificate_id: UUID) -> str:
        """``BASE/v/<short id>``: what the QR code holds and the verify page answers."""
        return self._url(VERIFY_PATH, reference=url_id(certificate_id))

    def template_preview(self) -> str:
        """The QR code of a template's preview (no certificate: the page says not found)."""
        return self._url(VERIFY_PATH, reference=PREVIEW_REFERENCE)

    def certificate_reference(self, url: str) -> str | None:
        """The reference in a verify page URL of this instance (as a QR code holds it), else
        None."""
        prefix = self.base_url + VERIFY_PATH.removesuffix("{reference}")
        if not url.startswith(prefix):
            return None
        reference = url[len(prefix) :].rstrip("/")
        return reference if _REFERENCE.fullmatch(reference) else None

    # Issuers: DIDs, their documents, achievements and status lists.

    def did(self, organisation: Organisation) -> str:
        """``did:web:<host>`` for the default organisation, ``did:web:<host>:orgs:<slug>``
        otherwise."""
        return did_web_for(self.base_url, None if organisation.is_default else organisation.slug)

    def issuer_site(self, organisation: Organisation) -> str:
        """The issuer's web address in its credentials: its own, else this instance's."""
        return organisation.url or self.base_url

    def achievement(self, achievement_id: UUID) -> str:
        return f"{self.base_url}/achievements/{achievement_id}"

    def status_list(self, organisation: Organisation, purpose: StatusPurpose, sequence: int) -> str:
        return self._url(
            STATUS_LIST_PATH, slug=organisation.slug, purpose=purpose.value, sequence=sequence
        )

    def status_list_address(self, url: str) -> StatusListAddress | None:
        """The list a status list URL names, when it is one of this instance's; else None."""
        if not url.startswith(self.base_url + "/"):
            return None
        found = _STATUS_LIST.fullmatch(url[len(self.base_url) :])
        if found is None:
            return None
        slug, purpose, sequence = found.groups()
        return StatusListAddress(slug, purpose, int(sequence))

    # People: public profiles and sign-in.

    def profile(self, token: str) -> str:
        return self._url(PROFILE_PATH, token=token)

    def sign_in_link(self, token: str) -> str:
        return self._url(SIGN_IN_LINK_PATH, token=token)

    def password_reset(self, token: str) -> str:
        return self._url(PASSWORD_RESET_PATH, token=token)

    def is_password_reset(self, url: str) -> bool:
        """Whether ``url`` is a password-reset link of this instance (not a sign-in link)."""
        return url.startswith(self.password_reset(""))

    def login(self) -> str:
        return self.base_url + LOGIN_PATH
