"""A small TLS-terminating reverse proxy for tests, standing in for nginx or a load balancer:
HTTPS from the browser, plain HTTP to gunicorn with X-Forwarded-Proto/-For/-Host added.

One request per connection (it answers with `Connection: close`), which browsers handle and which
keeps the relay simple: read the whole request, send it on, copy the whole response back.
"""
from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from pathlib import Path

MAX_HEAD = 64 * 1024
HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"x-forwarded-proto", b"x-forwarded-for",
              b"x-forwarded-host", b"x-forwarded-port", b"x-forwarded-prefix"}


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, made with the openssl command line."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


def _read_request(client: ssl.SSLSocket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > MAX_HEAD and b"\r\n\r\n" not in data:
            return None
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = 0
    kept = [lines[0]]
    host = b"127.0.0.1"
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        lowered = name.strip().lower()
        if lowered == b"content-length":
            length = int(value.strip())
        if lowered == b"host":
            host = value.strip()
        if lowered not in HOP_BY_HOP:
            kept.append(line)
    while len(body) < length:
        chunk = client.recv(65536)
        if not chunk:
            break
        body += chunk
    kept += [b"X-Forwarded-Proto: https", b"X-Forwarded-For: 127.0.0.1", b"X-Forwarded-Host: " + host,
             b"Connection: close"]
    return b"\r\n".join(kept) + b"\r\n\r\n" + body


class TLSProxy:
    def __init__(self, backend_port: int, cert: Path, key: Path) -> None:
        self.backend_port = backend_port
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert, key)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="tls-proxy", daemon=True)

    def __enter__(self) -> TLSProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopped.set()
        self.listener.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(raw,), daemon=True).start()

    def _relay(self, raw: socket.socket) -> None:
        try:
            raw.settimeout(30)
            with self.context.wrap_socket(raw, server_side=True) as client:
                request = _read_request(client)
                if request is None:
                    return
                with socket.create_connection(("127.0.0.1", self.backend_port), timeout=30) as backend:
                    backend.sendall(request)
                    while chunk := backend.recv(65536):
                        client.sendall(chunk)
        except (OSError, ssl.SSLError, ValueError):
            pass  # a browser may drop a connection it opened speculatively
        finally:
            raw.close()
