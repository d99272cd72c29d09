"""The guarded HTTP client: every request Certmint makes to another server goes through it.

Webhook deliveries, DID documents and status lists of other issuers: their URLs come from
people Certmint does not trust with its network position. So each request

* is judged by the :class:`~certmint.adapters.addresses.OutboundPolicy` before anything is sent
  (scheme; https only in production), and its host by the addresses it resolves to;
* connects to an address that was checked, never to the name again (a DNS answer that changes
  between the check and the connection cannot move it: there is no second lookup), while TLS
  still verifies the certificate of the name;
* follows at most ``max_redirects`` redirects (GET only), each hop judged like the first;
* is bounded in time (``connect_timeout`` to connect, ``total_timeout`` for everything, both
  enforced on every socket operation) and in size (the body is streamed and reading stops at
  ``max_bytes``);
* fails with ``OutboundRefused`` (the policy) or ``OutboundFailed`` (one message whatever
  went wrong on the wire, so the error never tells which ports are open).

No proxy from the environment is used, no cookies are kept, no compression is asked for.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore

from certmint.adapters.addresses import OutboundPolicy, Resolver, literal_address, resolve_host
from certmint.adapters.errors import OutboundError, OutboundFailed, OutboundRefused

__all__ = ["GuardedHttpClient"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Everything httpcore, the socket and TLS raise for "no usable answer"; never shown apart.
_WIRE_ERRORS = (
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
    httpcore.ProxyError,
    OSError,
)
_USER_AGENT = "Certmint"
_ANSWER_BYTES = 64_000  # what is read of a webhook receiver's answer (only its status counts)


class GuardedHttpClient:
    """GET documents and POST webhooks under an :class:`OutboundPolicy`.

    ``resolve`` is the name resolver (the system's by default; tests pass their own so that no
    real name is ever looked up); ``ssl_context`` the TLS trust (the system's by default).
    """

    def __init__(
        self,
        policy: OutboundPolicy,
        *,
        resolve: Resolver = resolve_host,
        connect_timeout: float = 5.0,
        total_timeout: float = 10.0,
        max_redirects: int = 3,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.policy = policy
        self._resolve = resolve
        self._connect_timeout = connect_timeout
        self._total_timeout = total_timeout
        self._max_redirects = max_redirects
        self._ssl_context = ssl_context or ssl.create_default_context()

    def fetch(self, url: str, max_bytes: int) -> bytes:
        """GET ``url`` (JSON wanted) and return its body of at most ``max_bytes``.

        A :data:`certmint.credentials.Fetcher`. Redirects are followed, each hop judged anew.
        Raises ``OutboundRefused`` or ``OutboundFailed`` (also for an answer other than 200 and
        for a body larger than ``max_bytes``).
        """
        deadline = time.monotonic() + self._total_timeout
        headers = {"Accept": "application/json, application/did+json, application/ld+json"}
        current = url
        for _ in range(self._max_redirects + 1):
            status, location, body = self._exchange(
                "GET", current, headers=headers, body=b"", max_bytes=max_bytes, deadline=deadline
            )
            if status in _REDIRECTS and location:
                current = urljoin(current, location)
                continue
            if status != 200:
                raise OutboundFailed(url)
            return body
        raise OutboundFailed(url)

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """POST ``body`` to ``url`` and return the answer's status (redirects are not
        followed: a 3xx is the answer). Raises ``OutboundRefused`` or ``OutboundFailed``."""
        deadline = time.monotonic() + self._total_timeout
        status, _, _ = self._exchange(
            "POST",
            url,
            headers=dict(headers),
            body=body,
            max_bytes=_ANSWER_BYTES,
            deadline=deadline,
        )
        return status

    def _exchange(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        body: bytes,
        max_bytes: int,
        deadline: float,
    ) -> tuple[int, str, bytes]:
        """One request to one URL: (status, Location header, body read up to ``max_bytes``)."""
        target = self.policy.check_url(url)
        parts = urlsplit(url)
        try:
            host = target.host.encode("idna")
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            request_url = httpcore.URL(
                scheme=target.scheme.encode(), host=host, port=target.port, target=path.encode()
            )
        except (UnicodeError, ValueError):
            raise OutboundRefused(url, "it is not a valid URL") from None
        authority = host.decode()
        if ":" in authority:
            authority = f"[{authority}]"
        default_port = 443 if target.scheme == "https" else 80
        if target.port != default_port:
            authority += f":{target.port}"
        sent = {"Host": authority, "User-Agent": _USER_AGENT, **headers}
        backend = _GuardedBackend(self.policy, self._resolve, url, deadline)
        timeouts = {"connect": self._connect_timeout, "read": None, "write": None, "pool": None}
        try:
            with (
                httpcore.ConnectionPool(
                    ssl_context=self._ssl_context, network_backend=backend, retries=0
                ) as pool,
                pool.stream(
                    method,
                    request_url,
                    headers=list(sent.items()),
                    content=body if method == "POST" else None,
                    extensions={"timeout": timeouts},
                ) as response,
            ):
                received = _read_bounded(response.iter_stream(), max_bytes, url)
                location = _header(response.headers, b"location")
                return response.status, location, received
        except OutboundError:
            raise
        except _WIRE_ERRORS:
            raise OutboundFailed(url) from None


def _read_bounded(chunks: Iterable[bytes], max_bytes: int, url: str) -> bytes:
    received = bytearray()
    for chunk in chunks:
        received += chunk
        if len(received) > max_bytes:
            raise OutboundFailed(url)
    return bytes(received)


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


class _GuardedBackend(httpcore.NetworkBackend):
    """Connects only to checked addresses of the host, within the request's deadline."""

    def __init__(self, policy: OutboundPolicy, resolve: Resolver, url: str, deadline: float):
        self._policy = policy
        self._resolve = resolve
        self._url = url
        self._deadline = deadline
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        literal = literal_address(host)
        try:
            found = [literal] if literal is not None else list(self._resolve(host, port))
        except OSError:
            raise OutboundFailed(self._url) from None
        addresses = self._policy.allowed_addresses(self._url, found)
        failure: Exception | None = None
        for address in addresses:
            try:
                stream = self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=_within(timeout, self._deadline),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _DeadlineStream(stream, self._deadline)
        raise OutboundFailed(self._url) from failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise OutboundRefused(self._url, "it is not a network address")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake ends by the deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _within(timeout, self._deadline))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _within(timeout, self._deadline))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        left = _within(timeout, self._deadline)
        inner = self._inner.start_tls(ssl_context, server_hostname, left)
        return _DeadlineStream(inner, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def _within(timeout: float | None, deadline: float) -> float:
    """``timeout`` shortened to what is left before ``deadline``; past it, a timeout now."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.TimeoutException("deadline passed")
    return left if timeout is None else min(timeout, left)
