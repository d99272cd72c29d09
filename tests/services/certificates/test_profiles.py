"""Public profiles: opt-in, unguessable, current certificates only, and withdrawable."""

from __future__ import annotations

from uuid import UUID

import pytest

from certmint.domain.accounts import Principal, Role
from certmint.services.certificates.lifecycle import revoke_certificate
from certmint.services.certificates.profiles import (
    profile_token,
    public_profile,
    set_public_profile,
)
from certmint.services.errors import Forbidden, NotFound
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.services.links import Links
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import Scenario, enrolment_row, make_user, scenario

BASE = "https://certs.example.org"


@pytest.fixture
def learner(uow: SqlAlchemyUnitOfWork, signing: Signing) -> tuple[Scenario, Principal, list[UUID]]:
    s = scenario(uow, signing, [enrolment_row("L1", name="Ada Lovelace")])
    issued = issue_achievement(
        uow, signing, IssueRequest(s.organisation.id, s.achievement_id)
    ).certificate_ids
    user = make_user(uow, s.organisation.id, Role.LEARNER, learner_id=s.learners["L1"])
    return s, Principal.of_user(user), list(issued)


def test_off_until_turned_on_then_shows_current_certificates(
    uow: SqlAlchemyUnitOfWork, signing: Signing, learner: tuple[Scenario, Principal, list[UUID]]
) -> None:
    s, principal, (certificate_id,) = learner
    assert profile_token(uow, principal) is None
    token = set_public_profile(uow, principal, enabled=True)
    assert token is not None and len(token) >= 32
    assert set_public_profile(uow, principal, enabled=True) == token  # idempotent: same URL
    profile = public_profile(uow, token, links=Links(BASE))
    assert profile.name == "Ada Lovelace"
    assert [c.id for c in profile.certificates] == [certificate_id]
    revoke_certificate(
        uow, Principal.at_shell(s.organisation.id), certificate_id, reason="error", signing=signing
    )
    assert public_profile(uow, token, links=Links(BASE)).certificates == ()


def test_turning_it_off_kills_the_url_and_a_new_one_differs(
    uow: SqlAlchemyUnitOfWork, learner: tuple[Scenario, Principal, list[UUID]]
) -> None:
    _, principal, _ = learner
    first = set_public_profile(uow, principal, enabled=True)
    assert first is not None
    assert set_public_profile(uow, principal, enabled=False) is None
    with pytest.raises(NotFound):
        public_profile(uow, first, links=Links(BASE))
    second = set_public_profile(uow, principal, enabled=True)
    assert second is not None and second != first
    with pytest.raises(NotFound):
        public_profile(uow, "x" * 32, links=Links(BASE))


def test_only_learners_have_profiles(
    uow: SqlAlchemyUnitOfWork, learner: tuple[Scenario, Principal, list[UUID]]
) -> None:
    s, _, _ = learner
    with pytest.raises(Forbidden):
        set_public_profile(uow, Principal(s.organisation.id, Role.ADMIN), enabled=True)
