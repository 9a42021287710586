"""Debian's PgBouncer, started by a test in front of the test database.

It runs the shipped settings (``deploy/pgbouncer.ini``, included as is); the test only
says where to listen, where PostgreSQL is, who may log in, and optionally overrides a
setting (the pool mode, to show why transaction mode is refused).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from tests.support.servers import ROOT, free_port

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def pgbouncer_binary() -> str:
    """The binary; without it the test is skipped locally and fails in CI."""
    if not os.access(PGBOUNCER, os.X_OK):
        if os.environ.get("CI"):
            pytest.fail("pgbouncer is missing (apt-get install pgbouncer); CI must run this test")
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    return PGBOUNCER


class PgBouncer:
    """``pgbouncer`` on 127.0.0.1:<free port>, forwarding every database to the test server."""

    def __init__(self, *, log_path: Path, **overrides: str) -> None:
        self.binary = pgbouncer_binary()
        self.port = free_port()
        self.log_path = log_path
        self.overrides = overrides
        self.process: subprocess.Popen | None = None
        self._dir = Path(tempfile.mkdtemp(prefix="pgbouncer-"))

    def url(self, *, user: str | None = None) -> str:
        config = connection.settings_dict
        user = user or config["USER"]
        password = f":{quote(config['PASSWORD'], safe='')}" if config.get("PASSWORD") else ""
        return f"postgresql://{user}{password}@127.0.0.1:{self.port}/{config['NAME']}"

    def _server_address(self) -> str:
        config = connection.settings_dict
        host = str(config.get("HOST") or "127.0.0.1")
        port = config.get("PORT") or "5432"
        return f"host={host} port={port}"

    def _write_config(self) -> Path:
        config = connection.settings_dict
        users = {config["USER"]: config.get("PASSWORD") or "", settings.AUDITOR_DB_ROLE: ""}
        auth_file = self._dir / "users.txt"
        auth_file.write_text("".join(f'"{name}" "{secret}"\n' for name, secret in users.items()))
        extra = "".join(f"{key} = {value}\n" for key, value in self.overrides.items())
        ini = self._dir / "pgbouncer.ini"
        ini.write_text(
            "[databases]\n"
            f"* = {self._server_address()}\n"
            f"%include {ROOT / 'deploy' / 'pgbouncer.ini'}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {self.port}\n"
            "unix_socket_dir =\n"
            # The test server trusts local connections; PgBouncer passes the user through.
            "auth_type = trust\n"
            f"auth_file = {auth_file}\n"
            f"admin_users = {config['USER']}\n"
            f"{extra}"
        )
        for path in (self._dir, auth_file, ini):
            path.chmod(0o755 if path.is_dir() else 0o644)
        return ini

    def _run_as(self) -> list[str]:
        """PgBouncer refuses to run as root: as root, run it as the owner of PostgreSQL's
        socket directory (the embedded server's user), who may also open that socket."""
        if os.geteuid() != 0:
            return []
        host = str(connection.settings_dict.get("HOST") or "")
        owner = pwd.getpwuid(Path(host).stat().st_uid).pw_name if host.startswith("/") else ""
        return ["-u", owner if owner and owner != "root" else "nobody"]

    def start(self, timeout: float = 15) -> None:
        ini = self._write_config()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [self.binary, *self._run_as(), str(ini)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pgbouncer exited; see {self.log_path}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"pgbouncer did not listen in time; see {self.log_path}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> PgBouncer:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
