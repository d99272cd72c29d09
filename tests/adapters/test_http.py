"""The guarded client against real listeners on loopback (and nothing else: names are resolved
by a resolver the test controls, never by DNS). A refused request must not reach the listener."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from ipaddress import ip_address, ip_network
from pathlib import Path
from typing import Any

import pytest

from certmint.adapters import (
    GuardedHttpClient,
    IPAddress,
    IPNetwork,
    OutboundFailed,
    OutboundPolicy,
    OutboundRefused,
    Resolver,
)
from tests.listeners import Answer, Listener, listening
from tests.tls import loopback_certificate

LOOPBACK = (ip_network("127.0.0.0/8"),)
ONLY_127_0_0_1 = (ip_network("127.0.0.1/32"),)


def _resolver(names: dict[str, str]) -> tuple[list[str], Resolver]:
    """A resolver for made-up names (``.test``); records what it was asked."""
    asked: list[str] = []

    def resolve(host: str, port: int) -> Sequence[IPAddress]:
        asked.append(host)
        if host not in names:
            raise socket.gaierror(socket.EAI_NONAME, "unknown name")
        return [ip_address(names[host])]

    return asked, resolve


def _client(allowed: tuple[IPNetwork, ...] = (), **kwargs: Any) -> GuardedHttpClient:
    """Development's policy (http allowed), with ``allowed`` networks."""
    return GuardedHttpClient(
        OutboundPolicy(require_https=False, allowed_networks=allowed), **kwargs
    )


@pytest.fixture
def listener() -> Iterator[Listener]:
    with listening() as served:
        served.answers["/doc"] = Answer(body=b'{"id": "doc"}')
        yield served


def test_loopback_by_address_is_refused_and_never_reached(listener: Listener) -> None:
    for url in (listener.url("/doc"), listener.url("/doc", "[::ffff:127.0.0.1]")):
        with pytest.raises(OutboundRefused, match="loopback"):
            _client().fetch(url, 1000)
        with pytest.raises(OutboundRefused, match="loopback"):
            _client().post(url, b"{}", {})
    assert listener.hits == []


def test_a_name_that_resolves_to_loopback_is_refused_and_never_reached(listener: Listener) -> None:
    asked, resolve = _resolver({"hooks.test": "127.0.0.1"})
    with pytest.raises(OutboundRefused, match="its host is a loopback address"):
        _client(resolve=resolve).fetch(listener.url("/doc", "hooks.test"), 1000)
    with pytest.raises(OutboundRefused, match="loopback"):  # localhost: refused unlooked-up
        _client().post(listener.url("/doc", "localhost"), b"{}", {})
    assert (asked, listener.hits) == (["hooks.test"], [])


def test_an_allowed_loopback_target_works(listener: Listener) -> None:
    _, resolve = _resolver({"hooks.test": "127.0.0.1"})
    client = _client(LOOPBACK, resolve=resolve)
    assert client.fetch(listener.url("/doc"), 1000) == b'{"id": "doc"}'
    assert client.fetch(listener.url("/doc", "hooks.test"), 1000) == b'{"id": "doc"}'
    listener.answers["/in"] = Answer(204, b"")
    assert client.post(listener.url("/in"), b'{"a": 1}', {"X-Test": "1"}) == 204
    assert listener.hits == [
        ("GET", "/doc", f"127.0.0.1:{listener.port}"),
        ("GET", "/doc", f"hooks.test:{listener.port}"),  # the name is sent, the address used
        ("POST", "/in", f"127.0.0.1:{listener.port}"),
    ]


def test_a_redirect_to_a_refused_target_is_not_followed(listener: Listener) -> None:
    client = _client(ONLY_127_0_0_1, resolve=_resolver({"inside.test": "127.0.0.2"})[1])
    with listening() as other:  # also loopback, but not allowed: it must hear nothing
        other_url = other.url("/doc")
        assert other_url.startswith("http://127.0.0.1:")
        targets = {
            "/to-other": other_url.replace("127.0.0.1", "127.0.0.2"),
            "/to-name": other_url.replace("127.0.0.1", "inside.test"),
            "/to-metadata": "http://169.254.169.254/latest/meta-data/",
            "/to-file": "file:///etc/passwd",
        }
        for path, target in targets.items():
            listener.answers[path] = Answer(302, b"", (("Location", target),))
            with pytest.raises(OutboundRefused):
                client.fetch(listener.url(path), 1000)
        assert other.hits == []
    assert [hit[1] for hit in listener.hits] == list(targets)
    listener.answers["/to-doc"] = Answer(307, b"", (("Location", "/doc"),))
    assert client.fetch(listener.url("/to-doc"), 1000) == b'{"id": "doc"}'  # allowed hop


def test_redirects_are_bounded_and_posts_do_not_follow_them(listener: Listener) -> None:
    listener.answers["/loop"] = Answer(302, b"", (("Location", "/loop"),))
    client = _client(LOOPBACK, max_redirects=2)
    with pytest.raises(OutboundFailed):
        client.fetch(listener.url("/loop"), 1000)
    assert len(listener.hits) == 3
    assert client.post(listener.url("/loop"), b"{}", {}) == 302
    assert len(listener.hits) == 4


def test_bodies_are_bounded_and_errors_are_failures(listener: Listener) -> None:
    listener.answers["/big"] = Answer(body=b"x" * 10_001)
    client = _client(LOOPBACK)
    assert client.fetch(listener.url("/doc"), 13) == b'{"id": "doc"}'
    with pytest.raises(OutboundFailed):
        client.fetch(listener.url("/big"), 10_000)
    with pytest.raises(OutboundFailed):
        client.fetch(listener.url("/missing"), 1000)  # a 404


def test_time_is_bounded_for_a_listener_that_never_answers() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # connections complete in the backlog; nothing is ever sent back
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/doc"
        started = time.monotonic()
        with pytest.raises(OutboundFailed):
            _client(LOOPBACK, total_timeout=0.5).fetch(url, 1000)
        assert time.monotonic() - started < 3


def test_failures_do_not_tell_which_ports_are_open() -> None:
    """A closed port, a silent one and one that speaks another protocol read the same."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    silent = socket.create_server(("127.0.0.1", 0))
    chatty = socket.create_server(("127.0.0.1", 0))

    def greet() -> None:
        connection, _ = chatty.accept()
        with connection:
            connection.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")

    thread = threading.Thread(target=greet, daemon=True)
    thread.start()
    client = _client(LOOPBACK, total_timeout=0.5)
    messages = []
    try:
        for port in (closed, silent.getsockname()[1], chatty.getsockname()[1]):
            with pytest.raises(OutboundFailed) as failed:
                client.fetch(f"http://127.0.0.1:{port}/did.json", 1000)
            messages.append(str(failed.value).replace(str(port), "PORT"))
    finally:
        silent.close()
        chatty.close()
        thread.join(5)
    assert messages == ["could not get an answer from http://127.0.0.1:PORT/did.json"] * 3


def test_the_name_is_verified_by_tls_while_the_checked_address_is_used(tmp_path: Path) -> None:
    key, certificate = loopback_certificate(tmp_path)  # for localhost and 127.0.0.1 only
    trust = ssl.create_default_context(cafile=str(certificate))
    policy = OutboundPolicy(allowed_networks=LOOPBACK)  # https only, as in production
    _, resolve = _resolver({"certs.test": "127.0.0.1", "localhost": "127.0.0.1"})
    client = GuardedHttpClient(policy, resolve=resolve, ssl_context=trust)
    with listening((key, certificate)) as served:
        served.answers["/did.json"] = Answer(body=b"{}")
        assert client.fetch(served.url("/did.json", "localhost"), 100) == b"{}"
        with pytest.raises(OutboundFailed):  # same address, but the certificate is not its
            client.fetch(served.url("/did.json", "certs.test"), 100)
        with pytest.raises(OutboundRefused, match="only https"):
            client.fetch(served.url("/did.json").replace("https:", "http:"), 100)
    assert [hit[1] for hit in served.hits] == ["/did.json"]


def test_one_lookup_per_connection_so_a_changing_answer_cannot_move_it(
    listener: Listener,
) -> None:
    """DNS rebinding: the first answer is checked and connected to; a later answer (here a
    forbidden one) is never asked for within the request."""
    answers = iter(["127.0.0.1", "127.0.0.2", "127.0.0.2"])
    asked: list[str] = []

    def rebinding(host: str, port: int) -> Sequence[IPAddress]:
        asked.append(host)
        return [ip_address(next(answers))]

    client = _client(ONLY_127_0_0_1, resolve=rebinding)
    assert client.fetch(listener.url("/doc", "rebind.test"), 1000) == b'{"id": "doc"}'
    assert asked == ["rebind.test"]
    with pytest.raises(OutboundRefused):  # the next request asks again and is refused
        client.fetch(listener.url("/doc", "rebind.test"), 1000)
    assert len(listener.hits) == 1
