"""Production settings (the environment of deploy/opvangloket.service) pass the deploy check."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

from opvangloket.settings import caches_from_environment
from tests.support.servers import _NOT_INHERITED, ROOT, test_database_url

pytestmark = pytest.mark.django_db


def production_environment(**overrides: str) -> dict[str, str]:
    """What an operator sets (docs/operations.md, step 2): no DEBUG, real keys."""
    env = {key: value for key, value in os.environ.items() if key not in _NOT_INHERITED}
    return {
        **env,
        "DATABASE_URL": test_database_url(),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "OPVANGLOKET_REGISTRY_KEY": settings.REGISTRY_KEY,
        "OPVANGLOKET_DATA_KEYS": ",".join(settings.DATA_KEYS),
        "OPVANGLOKET_BASE_DOMAIN": "opvangloket.example",
        "DJANGO_SETTINGS_MODULE": "opvangloket.settings",
        **overrides,
    }


def manage_py(*arguments: str) -> subprocess.CompletedProcess:
    """``manage.py`` with the production settings, in a process of its own."""
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_deploy_check_is_clean_with_production_settings():
    result = manage_py("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout + result.stderr


def test_production_offers_security_keys_and_checks_their_origin():
    """A key's answer is checked against the host's own origin: allauth's switch that
    accepts answers made for any origin is off in production."""
    result = manage_py(
        "shell",
        "-c",
        "from allauth.mfa import app_settings as s; "
        "print(s.WEBAUTHN_ALLOW_INSECURE_ORIGIN, 'webauthn' in s.SUPPORTED_TYPES, "
        "s.PASSKEY_LOGIN_ENABLED)",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    last_line = result.stdout.strip().splitlines()[-1]
    assert last_line.split() == ["False", "True", "False"], result.stdout + result.stderr


def test_the_counters_are_shared_in_the_database_unless_redis_is_configured():
    assert caches_from_environment(None)["default"]["BACKEND"] == (
        "django.core.cache.backends.db.DatabaseCache"
    )
    redis = caches_from_environment("redis://127.0.0.1:6379/1")["default"]
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/1"


def test_an_unknown_cache_address_is_refused_at_start():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        caches_from_environment("memcached://127.0.0.1:11211")
