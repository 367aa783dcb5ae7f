"""Helpers of the API tests: a stub Rasa and the address where nothing listens.

``StubRasa`` is a tiny real HTTP server standing in for Rasa when a test needs Rasa to
answer in a given way (an empty list, an error status, a slow reply): a named fake, used
only where the real Rasa cannot be made to do that on demand. ``DEAD_URL`` is a port where
nothing listens (Rasa down).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

DEAD_URL = "http://127.0.0.1:9"  # the discard port: nothing listens there


@dataclass
class Reply:
    """What the stub answers on one path."""

    status: int = 200
    body: Any = field(default_factory=list)
    delay_s: float = 0.0


@dataclass
class Seen:
    """One request the stub received."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any


class StubRasa:
    """A real HTTP server on an ephemeral port, answering per path what the test set."""

    def __init__(self) -> None:
        self.replies: dict[str, Reply] = {"/webhooks/rest/webhook": Reply(body=[])}
        self.seen: list[Seen] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                stub.seen.append(
                    Seen(
                        self.command,
                        parts.path,
                        parse_qs(parts.query),
                        json.loads(raw) if raw else None,
                    )
                )
                reply = stub.replies.get(parts.path, Reply(status=404, body={}))
                time.sleep(reply.delay_s)
                data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body)
                payload = data.encode() if isinstance(data, str) else data
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            do_GET = _answer
            do_POST = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        """Base URL of the stub."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()


ApiFactory = Callable[..., TestClient]
