"""A real gunicorn, started with deploy/gunicorn.conf.py, serving the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


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
    return f"postgresql://{config['USER']}{password}@{quote(str(host), safe='')}{port}/{config['NAME']}"


class GunicornServer:
    def __init__(self, *, static_root: Path, secret_key: str, log_path: Path):
        self.port = free_port()
        self.static_root = static_root
        self.log_path = log_path
        self.env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "SECRET_KEY": secret_key,
            "STATIC_ROOT": str(static_root),
            "OPVANGLOKET_BIND": f"127.0.0.1:{self.port}",
            "OPVANGLOKET_WORKERS": "2",
            "SESSION_COOKIE_SECURE": "0",
            "DJANGO_SETTINGS_MODULE": "opvangloket.settings",
        }
        self.process: subprocess.Popen | None = None

    def url(self, host: str) -> str:
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        python = sys.executable
        subprocess.run(
            [python, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [python, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "opvangloket.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url("localhost") + "/healthz", timeout=2):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in time; see {self.log_path}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
