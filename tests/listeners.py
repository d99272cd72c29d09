"""A real HTTP listener on loopback that records every request it gets.

Tests of outbound requests point Certmint at it: a refused request must leave ``hits`` empty
(nothing reached the socket), an allowed one shows what was sent. Answers are set per path.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["Answer", "Listener", "accepting", "listening"]


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b'{"ok": true}'
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Listener:
    port: int
    scheme: str
    answers: dict[str, Answer] = field(default_factory=dict)
    #: (method, path, Host header) of every request received, in order.
    hits: list[tuple[str, str, str]] = field(default_factory=list)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"


@contextmanager
def listening(certificate: tuple[Path, Path] | None = None) -> Iterator[Listener]:
    """Serve on 127.0.0.1 (an ephemeral port), over TLS when given ``(key, cert)``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    listener = Listener(server.server_address[1], "https" if certificate else "http")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            listener.hits.append((self.command, self.path, self.headers.get("Host", "")))
            answer = listener.answers.get(self.path, Answer(404, b"{}"))
            self.send_response(answer.status)
            for name, value in answer.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        do_GET = do_POST = _answer  # noqa: N815

        def log_message(self, *args: Any) -> None:
            pass

    server.RequestHandlerClass = Handler
    if certificate is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate[1], certificate[0])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def accepting() -> Iterator[tuple[int, list[str]]]:
    """A bare TCP listener on 127.0.0.1 that records every connection it accepts (whatever is
    then sent: HTTP, a TLS handshake) and closes it; yields its port and the record."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    accepted: list[str] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, peer = server.accept()
            except TimeoutError:
                continue
            accepted.append(peer[0])
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join()
        server.close()
