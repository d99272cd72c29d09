"""The offline document loader serves exactly the bundled bytes, and nothing else."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from certmint.credentials import (
    BundledDocumentLoader,
    UnknownDocumentError,
    bundled_context_urls,
    expand_safe,
    ob3_json_schema,
)

REQUIRED = {
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/2018/credentials/v1",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    "https://w3id.org/security/data-integrity/v1",
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/multikey/v1",
    "https://w3id.org/security/suites/ed25519-2020/v1",
    "https://www.w3.org/ns/credentials/status/v1",
    "https://www.w3.org/ns/did/v1",
    # the W3C test suites and the specifications' examples use it in most credentials
    "https://www.w3.org/ns/credentials/examples/v2",
}


def test_every_needed_context_is_bundled() -> None:
    assert bundled_context_urls() >= REQUIRED


def test_serves_the_exact_bundled_bytes(loader: BundledDocumentLoader) -> None:
    data = resources.files("certmint.credentials.data").joinpath("contexts")
    index = json.loads(data.joinpath("index.json").read_bytes())
    assert set(index) == bundled_context_urls()
    for url, entry in index.items():
        raw = data.joinpath(entry["file"]).read_bytes()
        assert loader.raw(url) == raw
        served = loader(url)
        assert served["documentUrl"] == url
        assert served["document"] == json.loads(raw)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/context.json",
        "https://www.w3.org/ns/credentials/v2/",
        "http://www.w3.org/ns/credentials/v2",
    ],
)
def test_unknown_urls_raise_and_are_never_fetched(loader: BundledDocumentLoader, url: str) -> None:
    with pytest.raises(UnknownDocumentError) as info:
        loader(url)
    assert info.value.url == url
    assert url not in loader


def test_extra_documents_are_served_and_isolated() -> None:
    url = "https://example.org/ctx"
    term = "https://example.org/vocab#term"
    one = BundledDocumentLoader({url: {"@context": {"thing": term}}})
    two = one.with_documents({url: {"@context": {"thing": "https://example.org/other#thing"}}})
    document = {"@context": url, "@id": "urn:x", "thing": "v"}
    assert term in expand_safe(document, one)[0]
    # pyld's global cache is keyed by URL: each loader must see its own document
    assert "https://example.org/other#thing" in expand_safe(document, two)[0]
    assert term in expand_safe(document, one)[0]
    assert url not in BundledDocumentLoader()


def test_ob3_schema_is_bundled() -> None:
    schema = ob3_json_schema()
    assert schema["$schema"].startswith("https://json-schema.org/draft/2019-09")
    assert "proof" in schema["properties"]
