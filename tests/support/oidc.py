"""A real OpenID Connect provider on localhost for the government login tests.

``tests/oidc/provider.js`` runs panva's certified ``oidc-provider`` (pinned in
``tests/oidc/package-lock.json``; ``npm ci`` installs it once when node_modules is
missing). Fixtures (registered in tests/conftest.py):

- ``oidc_provider``: the provider on 127.0.0.1:<free port>, discovery answered;
- ``government_login_site``: a gunicorn like ``served_site``, configured with that provider
  as its government login (``OPVANGLOKET_OIDC_*``).

Without node the tests are skipped, unless CI is set: there they fail.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import connection

from tests.support.servers import GunicornServer, free_port

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_DIR = ROOT / "tests" / "oidc"
ARTIFACTS = ROOT / "test-artifacts"
CALLBACK_PATH = "/account/oidc/acmidm/login/callback/"
# Hosts whose callback is registered with the provider: the platform root and a loket
# as gunicorn serves them (port added), and the test client's ("localhost", no port).
SERVED_HOSTS = ("localhost", "alpha.localhost")

# The provider's test people (tests/oidc/provider.js).
AN = {
    "login": "an.peeters",
    "rrn": "85073003328",
    "name": "An Peeters",
    "email": "an.peeters@ouders.example",
}
BART = {
    "login": "bart.maes",
    "rrn": "86021512383",
    "name": "Bart Maes",
    "email": "bart.maes@ouders.example",
}
# Never logged in successfully: the refused logins use her.
CARLA = {"login": "carla.jacobs", "rrn": "90010112395", "email": "carla.jacobs@ouders.example"}
# Staff with a password account under another address; someone whose address is taken.
DIRK = {"login": "dirk.desmet", "rrn": "75010112371", "email": "dirk.desmet@overheid.example"}
KAREL = {"login": "karel.claes", "rrn": "79030312312", "email": "karel.claes@overheid.example"}
EVA = {"login": "eva.wouters", "rrn": "80020245614", "email": "eva.wouters@test.test"}
# Another government identity (another sub) with An's national register number.
AN_AGAIN = {"login": "an.peeters.tweede", "rrn": AN["rrn"], "email": "an.tweede@ouders.example"}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (the government login tests must run when CI is set)")
    pytest.skip(reason)


@dataclass
class ClientKey:
    """The RSA key of the ``private_key_jwt`` client: PEM for us, public JWKS for the provider."""

    pem: str
    jwks: str
    kid: str = "opvangloket-test"

    @classmethod
    def generate(cls) -> ClientKey:
        from jwt.algorithms import RSAAlgorithm

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        public.update(kid=cls.kid, use="sig", alg="RS256")
        return cls(pem=pem, jwks=json.dumps({"keys": [public]}))


@dataclass
class OidcProvider:
    redirect_uris: list[str]
    port: int = field(default_factory=free_port)
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    client_key: ClientKey = field(default_factory=ClientKey.generate)
    log_path: Path = ARTIFACTS / "oidc-provider.log"
    process: subprocess.Popen | None = None
    _log: IO[str] | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def discovery(self) -> dict:
        url = f"{self.issuer}/.well-known/openid-configuration"
        with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (our localhost)
            return json.loads(answer.read())

    def set_mode(self, mode: str) -> None:
        """``normal``, ``tamper`` (ID token payload changed) or ``expire`` (ID token late)."""
        request = urllib.request.Request(  # noqa: S310 (our localhost)
            f"{self.issuer}/__test__/mode?set={mode}", method="POST"
        )
        with urllib.request.urlopen(request, timeout=5):  # noqa: S310
            pass

    def start(self, timeout: float = 20) -> None:
        node = shutil.which("node")
        npm = shutil.which("npm")
        if not node or not npm:
            _unavailable(
                "node and npm are needed for the OpenID provider (apt-get install nodejs npm)"
            )
        if not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=PROVIDER_DIR,
                check=True,
                timeout=300,
            )
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("w")
        env = {
            **os.environ,
            "OIDC_PORT": str(self.port),
            "OIDC_REDIRECT_URIS": ",".join(self.redirect_uris),
            "OIDC_CLIENT_SECRET": self.client_secret,
            "OIDC_CLIENT_JWKS": self.client_key.jwks,
        }
        self.process = subprocess.Popen(
            [node, str(PROVIDER_DIR / "provider.js")],
            cwd=PROVIDER_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"the OpenID provider exited; see {self.log_path}")
            try:
                if self.discovery()["issuer"] == self.issuer:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the OpenID provider did not answer in time; see {self.log_path}")

    def stop(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test of the served government login uses the test database (as ``served_site``'s,
    tests/support/fixtures.py): without the mark pytest-django would not create it."""
    for item in items:
        if "government_login_site" in getattr(
            item, "fixturenames", ()
        ) and not item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(scope="session")
def _government_login_ports() -> dict[str, int]:
    return {"site": free_port()}


@pytest.fixture(scope="session")
def oidc_provider(_government_login_ports) -> Iterator[OidcProvider]:
    site_port = _government_login_ports["site"]
    redirect_uris = [f"http://{host}:{site_port}{CALLBACK_PATH}" for host in SERVED_HOSTS]
    redirect_uris.append(f"http://localhost{CALLBACK_PATH}")
    provider = OidcProvider(redirect_uris=redirect_uris)
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture(scope="session")
def government_login_site(
    oidc_provider, _government_login_ports, django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[GunicornServer]:
    """gunicorn (as ``served_site``) with ``oidc_provider`` as its government login."""
    if not connection.settings_dict["NAME"].startswith("test_"):
        pytest.fail("government_login_site serves only a test database")
    server = GunicornServer(
        static_root=tmp_path_factory.mktemp("staticfiles-oidc"),
        secret_key=secrets.token_urlsafe(50),
        log_path=ARTIFACTS / "gunicorn-oidc.log",
    )
    server.port = _government_login_ports["site"]
    server.env.update(
        OPVANGLOKET_BIND=f"127.0.0.1:{server.port}",
        OPVANGLOKET_OIDC_ISSUER=oidc_provider.issuer,
        OPVANGLOKET_OIDC_CLIENT_ID="opvangloket",
        OPVANGLOKET_OIDC_CLIENT_SECRET=oidc_provider.client_secret,
        # Verified addresses from the provider: the login needs no e-mail round trip.
        OPVANGLOKET_EMAIL_VERIFICATION="mandatory",
    )
    # The accounts it makes stay until the test database is dropped (a user's rows reach
    # into every loket's schema): tests use people of their own where that matters.
    with django_db_blocker.unblock():
        server.start()
    try:
        yield server
    finally:
        server.stop()
