"""Webhooks against a real HTTP server on loopback."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import select

from certmint.adapters import GuardedHttpClient
from certmint.bootstrap import outbound_client
from certmint.config import load_settings
from certmint.domain.accounts import Principal, Role
from certmint.domain.ids import url_id
from certmint.services.certificates.lifecycle import (
    reinstate_certificate,
    reissue_certificate,
    revoke_certificate,
    suspend_certificate,
)
from certmint.services.errors import Forbidden, InvalidInput, NotFound
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.services.notifications.webhooks import (
    add_webhook,
    deliver_due,
    list_webhooks,
    list_webhooks_page,
    remove_webhook,
)
from certmint.storage.tables import WebhookDeliveryRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_row, make_organisation, scenario


class Receiver:
    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 200


@pytest.fixture
def client() -> GuardedHttpClient:
    """The operator allows loopback: the receivers of these tests listen on 127.0.0.1."""
    return outbound_client(load_settings(outbound_allow_networks="127.0.0.0/8"))


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append((dict(self.headers), body))
            self.send_response(state.status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()


def _verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    fields = dict(part.split("=", 1) for part in headers["Certmint-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), fields["v1"])


def test_events_are_signed_delivered_once_and_retried(
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    receiver: tuple[Receiver, str],
    client: GuardedHttpClient,
) -> None:
    state, url = receiver
    s = scenario(uow, signing, [enrolment_row("L1"), enrolment_row("L2")])
    _, secret = add_webhook(
        uow, Principal.at_shell(s.organisation.id), url=url, policy=client.policy
    )
    summary = issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    post = client.post
    now = datetime.now(UTC)
    assert deliver_due(uow, post, now=now).delivered == 2
    assert deliver_due(uow, post, now=now).delivered == 0  # once
    events = [json.loads(body) for _, body in state.requests]
    assert {e["type"] for e in events} == {"certificate.issued"}
    assert {e["data"]["certificate_id"] for e in events} == {
        url_id(i) for i in summary.certificate_ids
    }
    assert all(_verify(secret, headers, body) for headers, body in state.requests)
    assert not _verify("whsec_wrong", *state.requests[0])

    first = summary.certificate_ids[0]
    state.status = 500
    revoke_certificate(
        uow,
        Principal.at_shell(s.organisation.id),
        first,
        reason="fraud",
        signing=signing,
    )
    later = datetime.now(UTC)
    failing = deliver_due(uow, post, now=later)
    assert (failing.delivered, failing.retrying) == (0, 1)
    state.status = 204
    assert deliver_due(uow, post, now=later).delivered == 0  # backing off
    assert deliver_due(uow, post, now=later + timedelta(minutes=2)).delivered == 1
    revoked = json.loads(state.requests[-1][1])
    assert (revoked["type"], revoked["data"]["reason"]) == ("certificate.revoked", "fraud")


def test_reissue_event_and_subscriptions(
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    receiver: tuple[Receiver, str],
    client: GuardedHttpClient,
) -> None:
    state, url = receiver
    s = scenario(uow, signing, [enrolment_row("L1")])
    events = ["certificate.reissued"]
    add_webhook(
        uow, Principal.at_shell(s.organisation.id), url=url, events=events, policy=client.policy
    )
    (old,) = issue_achievement(
        uow, signing, IssueRequest(s.organisation.id, s.achievement_id)
    ).certificate_ids
    reissue_certificate(
        uow,
        signing,
        Principal.at_shell(s.organisation.id, "t"),
        old,
        name="New Name",
        reason="typo",
    )
    assert deliver_due(uow, client.post).delivered == 1  # only the subscribed event
    event = json.loads(state.requests[0][1])
    assert event["type"] == "certificate.reissued"
    assert event["data"]["supersedes"] == url_id(old)


def test_suspended_and_reinstated_events(
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    receiver: tuple[Receiver, str],
    client: GuardedHttpClient,
) -> None:
    state, url = receiver
    s = scenario(uow, signing, [enrolment_row("L1")])
    events = ["certificate.suspended", "certificate.reinstated"]
    add_webhook(
        uow, Principal.at_shell(s.organisation.id), url=url, events=events, policy=client.policy
    )
    (first,) = issue_achievement(
        uow, signing, IssueRequest(s.organisation.id, s.achievement_id)
    ).certificate_ids
    org = s.organisation.id
    suspend_certificate(uow, Principal.at_shell(org), first, reason="checking", signing=signing)
    reinstate_certificate(uow, Principal.at_shell(org), first, signing=signing)
    assert deliver_due(uow, client.post).delivered == 2  # not the issued event
    suspended, reinstated = sorted(
        (json.loads(body) for _, body in state.requests), key=lambda e: e["created"]
    )
    assert suspended["type"] == "certificate.suspended"
    assert (suspended["data"]["status"], suspended["data"]["reason"]) == ("suspended", "checking")
    assert reinstated["type"] == "certificate.reinstated"
    assert reinstated["data"]["status"] == "active" and "reason" not in reinstated["data"]
    assert reinstated["data"]["certificate_id"] == url_id(first)


def test_unreachable_endpoint_and_bad_registrations(
    uow: SqlAlchemyUnitOfWork, signing: Signing, client: GuardedHttpClient
) -> None:
    s = scenario(uow, signing, [enrolment_row("L1")])
    nowhere = "http://127.0.0.1:9/nowhere"
    add_webhook(uow, Principal.at_shell(s.organisation.id), url=nowhere, policy=client.policy)
    issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    assert deliver_due(uow, client.post).retrying == 1
    with uow:
        errors = uow.session.scalars(select(WebhookDeliveryRow.last_error)).all()
    assert errors == [f"could not get an answer from {nowhere}"]  # not why: port state stays out
    with pytest.raises(InvalidInput):
        add_webhook(uow, Principal.at_shell(s.organisation.id), url="ftp://x")
    with pytest.raises(InvalidInput):
        add_webhook(
            uow, Principal.at_shell(s.organisation.id), url="https://x.example", events=["nope"]
        )


def test_removed_webhooks_are_listed_but_never_sent_to(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    s = scenario(uow, signing, [enrolment_row("L1")])
    org = s.organisation.id
    first, _ = add_webhook(uow, Principal.at_shell(org), url="https://a.example/h")
    second, _ = add_webhook(uow, Principal.at_shell(org), url="https://b.example/h")
    remove_webhook(uow, Principal.at_shell(org), first.id)
    with pytest.raises(NotFound):
        remove_webhook(uow, Principal.at_shell(org), first.id)
    with pytest.raises(NotFound):
        remove_webhook(uow, Principal.at_shell(make_organisation(uow, "Elsewhere").id), second.id)
    page = list_webhooks_page(uow, Principal.at_shell(org), after=None, limit=1)
    rest = list_webhooks_page(uow, Principal.at_shell(org), after=page[0].id, limit=5)
    assert {w.id: w.active for w in page + rest} == {first.id: False, second.id: True}
    issue_achievement(uow, signing, IssueRequest(org, s.achievement_id))
    with uow:
        due = uow.webhooks.due(datetime.now(UTC) + timedelta(days=1), datetime.now(UTC), 100)
    assert {d.webhook_id for d in due} == {second.id}


def test_only_admins_manage_webhooks(uow: SqlAlchemyUnitOfWork) -> None:
    """The use cases ask the policy, whoever calls them: a course manager is refused."""
    org = make_organisation(uow).id
    webhook, _ = add_webhook(uow, Principal.at_shell(org), url="https://a.example/h")
    manager = Principal(org, Role.COURSE_MANAGER, frozenset(), user_id=uuid4())
    for attempt in (
        lambda: add_webhook(uow, manager, url="https://b.example/h"),
        lambda: list_webhooks(uow, manager),
        lambda: remove_webhook(uow, manager, webhook.id),
    ):
        with pytest.raises(Forbidden):
            attempt()
    assert [w.active for w in list_webhooks(uow, Principal.at_shell(org))] == [True]
