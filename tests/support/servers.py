"""A real gunicorn, started with deploy/gunicorn.conf.py, serving the test database."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

# Variables of the test process that must not reach the server: it runs as in production.
_NOT_INHERITED = {
    "DATABASE_URL",
    "DEBUG",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SENTRY_DSN",
    "STATIC_ROOT",
    "SECRET_KEY",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    """The URL of the test database (not the demo's), for processes started by tests."""
    config = connection.settings_dict
    host = config.get("HOST") or config.get("OPTIONS", {}).get("host", "")
    port = f":{config['PORT']}" if config.get("PORT") else ""
    password = f":{quote(config['PASSWORD'], safe='')}" if config.get("PASSWORD") else ""
    host = quote(str(host), safe="")
    return f"postgresql://{config['USER']}{password}@{host}{port}/{config['NAME']}"


test_database_url.__test__ = False  # a helper, not a test, despite its name


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    raw_headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.body.decode()

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class GunicornServer:
    """gunicorn on 127.0.0.1:<free port>, production settings, the test database.

    Every host name of the test world reaches it: connect to 127.0.0.1 and send the
    loket's host in the Host header (``get()``), or let Chromium resolve ``*.localhost``.
    """

    def __init__(self, *, static_root: Path, secret_key: str, log_path: Path, workers: int = 2):
        self.port = free_port()
        self.static_root = static_root
        self.log_path = log_path
        env = {key: value for key, value in os.environ.items() if key not in _NOT_INHERITED}
        self.env = {
            **env,
            "DATABASE_URL": test_database_url(),
            "SECRET_KEY": secret_key,
            # The same keys as the test process, so both read what the other encrypted.
            "OPVANGLOKET_REGISTRY_KEY": settings.REGISTRY_KEY,
            "OPVANGLOKET_DATA_KEYS": ",".join(settings.DATA_KEYS),
            "STATIC_ROOT": str(static_root),
            "DEBUG": "0",
            "OPVANGLOKET_MANIFEST_STATIC": "1",
            "OPVANGLOKET_BASE_DOMAIN": "localhost",
            "OPVANGLOKET_BIND": f"127.0.0.1:{self.port}",
            "OPVANGLOKET_WORKERS": str(workers),
            # Plain http in tests: secure cookies would never come back from the browser,
            # and the redirect to https has nowhere to go (tests send X-Forwarded-Proto).
            "SESSION_COOKIE_SECURE": "0",
            "SECURE_SSL_REDIRECT": "0",
            # Map tiles from the served site itself (one blank tile), never the internet.
            "OPVANGLOKET_MAP_TILE_URL": (
                f"http://localhost:{self.port}/static/catalogue/map-blank-tile.png"
            ),
            # Mails sent by the server land in its log instead of an SMTP server.
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "DJANGO_SETTINGS_MODULE": "opvangloket.settings",
        }
        self.process: subprocess.Popen | None = None
        self._log: IO[str] | None = None
        self._runtime_dir: str | None = None

    def url(self, host: str) -> str:
        return f"http://{host}:{self.port}"

    def get(
        self, host: str, path: str, headers: dict[str, str] | None = None, timeout: float = 10
    ) -> Response:
        """GET ``path`` from 127.0.0.1 with ``Host: <host>:<port>`` (no proxy, no redirects)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path, headers={"Host": f"{host}:{self.port}", **(headers or {})})
            answer = conn.getresponse()
            raw_headers = answer.getheaders()
            return Response(
                status=answer.status,
                headers={name.lower(): value for name, value in raw_headers},
                body=answer.read(),
                raw_headers=raw_headers,
            )
        finally:
            conn.close()

    def post(
        self,
        host: str,
        path: str,
        fields: dict[str, str],
        headers: dict[str, str] | None = None,
        timeout: float = 10,
    ) -> Response:
        """POST ``fields`` as a form, like ``get()`` (no redirects followed)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(
                "POST",
                path,
                body=urlencode(fields),
                headers={
                    "Host": f"{host}:{self.port}",
                    "Content-Type": "application/x-www-form-urlencoded",
                    **(headers or {}),
                },
            )
            answer = conn.getresponse()
            raw_headers = answer.getheaders()
            return Response(
                status=answer.status,
                headers={name.lower(): value for name, value in raw_headers},
                body=answer.read(),
                raw_headers=raw_headers,
            )
        finally:
            conn.close()

    def start(self, timeout: float = 30) -> None:
        """collectstatic into ``static_root``, start gunicorn, wait until /healthz answers."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("w")
        # gunicorn >= 25.1 opens a control socket at $XDG_RUNTIME_DIR/gunicorn.ctl, else at
        # ~/.gunicorn/gunicorn.ctl: one path per user, taken over by every new gunicorn.
        # A private runtime dir keeps test servers (and their neighbours) apart.
        self._runtime_dir = tempfile.mkdtemp(prefix="gunicorn-")
        self.env["XDG_RUNTIME_DIR"] = self._runtime_dir
        try:
            self._start(timeout)
        except BaseException:
            self.stop()
            raise

    def _start(self, timeout: float) -> None:
        python = sys.executable
        subprocess.run(
            [python, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            check=True,
        )
        self.process = subprocess.Popen(
            [python, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "opvangloket.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            # Its own process group: stopping it never touches the test process.
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                if self.get("localhost", "/healthz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in time; see {self.log_path}")

    def stop(self) -> None:
        """Stop the master and its workers, so that no connection keeps the test database busy."""
        process = self.process
        if process is not None and process.poll() is None:
            # SIGTERM: graceful; idle sync workers exit at once.
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._runtime_dir is not None:
            shutil.rmtree(self._runtime_dir, ignore_errors=True)
            self._runtime_dir = None
