"""A learner's own certificates: only theirs, as printed, with share links."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import pytest

from certmint.domain.accounts import Principal, Role
from certmint.domain.certificates import CertificateStatus
from certmint.domain.ids import url_id
from certmint.services.certificates.lifecycle import reissue_certificate
from certmint.services.errors import Forbidden, NotFound
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.services.links import Links
from certmint.services.read_models.learner_certificates import (
    learner_certificate,
    learner_certificates,
)
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_row, scenario

BASE = "https://certs.example.org"


def _learner(s_org: object, learner_id: object) -> Principal:
    return Principal(s_org, Role.LEARNER, user_id=uuid4(), learner_id=learner_id)  # type: ignore[arg-type]


def test_a_learner_sees_only_their_own(uow: SqlAlchemyUnitOfWork, signing: Signing) -> None:
    s = scenario(uow, signing, [enrolment_row("L1", name="Jon Smiht"), enrolment_row("L2")])
    issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    jon = _learner(s.organisation.id, s.learners["L1"])
    (mine,) = learner_certificates(uow, jon, links=Links(BASE))
    assert mine.printed["recipient.name"] == "Jon Smiht"
    assert mine.printed["achievement.name"] == "Completion"
    assert mine.verification_url == f"{BASE}/v/{mine.reference}"
    assert mine.reference == url_id(mine.id)
    assert learner_certificate(uow, jon, mine.id, links=Links(BASE)).id == mine.id
    (theirs,) = learner_certificates(
        uow, _learner(s.organisation.id, s.learners["L2"]), links=Links(BASE)
    )
    with pytest.raises(NotFound):
        learner_certificate(uow, jon, theirs.id, links=Links(BASE))
    with pytest.raises(Forbidden):
        learner_certificates(uow, Principal(s.organisation.id, Role.ADMIN), links=Links(BASE))


def test_linkedin_link_is_filled_in(uow: SqlAlchemyUnitOfWork, signing: Signing) -> None:
    s = scenario(uow, signing, [enrolment_row("L1")])
    issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    (mine,) = learner_certificates(
        uow, _learner(s.organisation.id, s.learners["L1"]), links=Links(BASE)
    )
    link = urlsplit(mine.linkedin_url)
    assert (link.scheme, link.netloc, link.path) == ("https", "www.linkedin.com", "/profile/add")
    query = {k: v[0] for k, v in parse_qs(link.query).items()}
    assert query == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Completion",
        "organizationName": "Scenario Academy",
        "issueYear": str(mine.issued_at.year),
        "issueMonth": str(mine.issued_at.month),
        "certUrl": mine.verification_url,
        "certId": mine.printed["certificate.number"],
    }


def test_a_superseded_certificate_points_to_the_current_one(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    s = scenario(uow, signing, [enrolment_row("L1", name="Jon Smiht")])
    (first,) = issue_achievement(
        uow, signing, IssueRequest(s.organisation.id, s.achievement_id)
    ).certificate_ids
    second = reissue_certificate(
        uow,
        signing,
        Principal.at_shell(s.organisation.id, "t"),
        first,
        reason="typo",
        name="Jon Smith",
    )
    third = reissue_certificate(
        uow,
        signing,
        Principal.at_shell(s.organisation.id, "t"),
        second.id,
        reason="again",
        name="John Smith",
    )
    jon = _learner(s.organisation.id, s.learners["L1"])
    shown = {c.id: c for c in learner_certificates(uow, jon, links=Links(BASE))}
    assert shown[first].status is CertificateStatus.SUPERSEDED
    assert shown[first].current_reference == url_id(third.id)  # the chain is followed
    assert shown[second.id].current_reference == url_id(third.id)
    assert shown[third.id].current_reference is None
    assert shown[third.id].printed["recipient.name"] == "John Smith"
