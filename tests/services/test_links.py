"""Every public URL is built from the base URL in one place and read back by the same rules."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from certmint.credentials import did_web_document_url
from certmint.domain.ids import url_id
from certmint.domain.organisations import Organisation
from certmint.domain.status_lists import StatusPurpose
from certmint.services.links import DEFAULT_DID_PATH, DID_PATH, Links, StatusListAddress

CERTIFICATE = UUID("0f8a5f7e-8b7c-4d2e-9a31-5b0c6d7e8f90")
NOW = datetime(2026, 12, 7, tzinfo=UTC)


def _organisation(slug: str, *, default: bool = False) -> Organisation:
    return Organisation(
        id=UUID(int=1), slug=slug, name=slug.title(), url="", is_default=default, created_at=NOW
    )


@pytest.mark.parametrize("base", ["https://certs.example.org", "https://certs.example.org/"])
def test_the_base_url_is_taken_with_or_without_its_slash(base: str) -> None:
    links = Links(base)
    assert links.verification(CERTIFICATE) == f"https://certs.example.org/v/{url_id(CERTIFICATE)}"
    assert links.login() == "https://certs.example.org/login"
    assert links.secure and links.host == "certs.example.org"


def test_a_verification_url_is_read_back_only_when_it_is_ours() -> None:
    links = Links("https://certs.example.org:8443")
    url = links.verification(CERTIFICATE)
    assert links.certificate_reference(url) == url_id(CERTIFICATE)
    assert links.certificate_reference(url + "/") == url_id(CERTIFICATE)
    assert links.certificate_reference(f"https://other.example/v/{url_id(CERTIFICATE)}") is None
    assert links.certificate_reference(f"{url}/credential.json") is None
    assert links.certificate_reference("https://certs.example.org:8443/v/a b") is None
    assert not Links("http://127.0.0.1:8000").secure


def test_status_list_urls_round_trip() -> None:
    links = Links("https://certs.example.org/certmint")
    physics = _organisation("physics")
    url = links.status_list(physics, StatusPurpose.REVOCATION, 3)
    assert url == "https://certs.example.org/certmint/orgs/physics/status/revocation/3"
    assert links.status_list_address(url) == StatusListAddress("physics", "revocation", 3)
    for foreign in (
        "https://elsewhere.example/orgs/physics/status/revocation/3",
        "https://certs.example.org/orgs/physics/status/revocation/3",  # not under the path
        f"{url}/extra",
        url.replace("/3", "/3x"),
        url.replace("/3", "/" + "9" * 19),  # past any column's range
    ):
        assert links.status_list_address(foreign) is None, foreign


def test_dids_and_their_documents() -> None:
    links = Links("https://certs.example.org:8443")
    default, physics = _organisation("main", default=True), _organisation("physics")
    assert links.did(default) == "did:web:certs.example.org%3A8443"
    assert links.did(physics) == "did:web:certs.example.org%3A8443:orgs:physics"
    for organisation, path in ((default, DEFAULT_DID_PATH), (physics, DID_PATH)):
        document = did_web_document_url(links.did(organisation))
        assert document == "https://certs.example.org:8443" + path.format(slug="physics")


def test_people_links() -> None:
    links = Links("https://certs.example.org")
    assert links.profile("t0k3n") == "https://certs.example.org/p/t0k3n"
    assert links.sign_in_link("s3cr3t") == "https://certs.example.org/login/link/s3cr3t"
    assert links.template_preview() == "https://certs.example.org/v/preview"
