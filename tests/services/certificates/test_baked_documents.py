"""The PNG and SVG downloads are baked badges (Open Badges 3.0 § 5.3): tools that are not ours
(png-chunks-extract and @xmldom/xmldom from npm) take the credential out, and it verifies with
Digital Bazaar's library and with ours; the file itself verifies too; exports are baked."""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from certmint.domain.accounts import Principal
from certmint.rendering import FontSet, extract_baked_credential
from certmint.services.certificates.documents import CertificateDocuments, DocumentFormat
from certmint.services.certificates.exports import export_batch
from certmint.services.certificates.lifecycle import (
    get_certificate,
    list_certificates,
    revoke_certificate,
)
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.services.links import Links
from certmint.services.verification.verify import Instance, local_documents, verify_file
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_row, scenario
from tests.node_harness import node_or_skip, run_harness

BASE = "https://certs.example.org"


@pytest.fixture(scope="module")
def node() -> str:
    return node_or_skip("@digitalbazaar/vc", "png-chunks-extract", "@xmldom/xmldom")


def test_baked_png_and_svg_round_trip(
    node: str, uow: SqlAlchemyUnitOfWork, signing: Signing, fonts: FontSet, tmp_path: Path
) -> None:
    rows = [enrolment_row("L1", name="अनन्या ]]> कृष्णमूर्ति"), enrolment_row("L2")]
    s = scenario(uow, signing, rows)
    summary = issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    certificate_id = summary.certificate_ids[0]
    stored = get_certificate(uow, s.organisation.id, certificate_id).credential
    documents = {k: dict(v) for k, v in local_documents(uow, signing.links).items()}
    files: dict[str, bytes] = {}
    for kind in (DocumentFormat.PNG, DocumentFormat.SVG):
        document = CertificateDocuments(lambda: fonts, Links(BASE), tmp_path).document(
            uow, certificate_id, kind
        )
        files[kind.value] = document.content
    png = run_harness(node, "unbake", {"png": base64.b64encode(files["png"]).decode()})
    assert png["chunk"] == {"count": 1, "compression": 0, "afterIhdr": True}
    svg = run_harness(node, "unbake", {"svg": files["svg"].decode()})
    assert svg["namespace"] == {
        "count": 1,
        "declared": "https://purl.imsglobal.org/ob/v3p0",
        "first": True,
    }
    for extracted in (png["text"], svg["text"]):
        credential: dict[str, Any] = json.loads(extracted)
        assert credential == stored  # the signed credential, byte for byte in meaning
        result = run_harness(node, "verify", {"credential": credential, "documents": documents})
        assert result["verified"], result["error"]
    instance = Instance(uow, signing)
    for kind, data in files.items():
        found = verify_file(data, loader=signing.loader, instance=instance)
        assert found.source == f"baked {kind}"
        assert found.report is not None and found.report.verified, found.report
    revoke_certificate(
        uow, Principal.at_shell(s.organisation.id), certificate_id, reason="x", signing=signing
    )
    found = verify_file(files["png"], loader=signing.loader, instance=instance)
    assert found.report is not None and found.report.check("status").outcome == "failed"


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_exports_are_baked(
    kind: str, uow: SqlAlchemyUnitOfWork, signing: Signing, fonts: FontSet, tmp_path: Path
) -> None:
    s = scenario(uow, signing, [enrolment_row("L1"), enrolment_row("L2")])
    issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    archive = tmp_path / "out.zip"
    export_batch(
        uow,
        s.organisation.id,
        s.batch_id,
        kind,
        archive,
        documents=CertificateDocuments(lambda: fonts, Links(BASE), tmp_path / "cache"),
    )
    stored = {
        json.dumps(c.credential, sort_keys=True)
        for c in list_certificates(uow, s.organisation.id, batch_id=s.batch_id)
    }
    with zipfile.ZipFile(archive) as files:
        names = [n for n in files.namelist() if n.endswith(f".{kind}")]
        baked = {json.dumps(extract_baked_credential(files.read(n)), sort_keys=True) for n in names}
    assert len(names) == 2
    assert baked == stored
