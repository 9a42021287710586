"""Settings: one module, read from the environment (12-factor), safe defaults for production.

Local use (demo, tests) needs no environment at all: without DATABASE_URL an embedded
PostgreSQL starts in ``.local/pgdata`` and a secret key is kept in ``.local/secret_key``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]
LOCAL_DIR = Path(os.environ.get("OPVANGLOKET_LOCAL_DIR", BASE_DIR / ".local"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
BASE_DOMAIN = os.environ.get("OPVANGLOKET_BASE_DOMAIN", "localhost").lower()

# --- Database --------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL")
USES_EMBEDDED_DATABASE = not DATABASE_URL
if USES_EMBEDDED_DATABASE:
    from opvangloket.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url(
        data_dir=LOCAL_DIR / "pgdata",
        database=os.environ.get("OPVANGLOKET_EMBEDDED_DATABASE", "opvangloket"),
    )

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
        engine="django_tenants.postgresql_backend",
    )
}
# The auditor tenant reads through this alias: the same server, a role with only SELECT
# grants and read-only transactions (manage.py ensure_auditor_role; opvangloket.auditor_db).
AUDITOR_DB_ROLE = os.environ.get("OPVANGLOKET_AUDITOR_DB_ROLE", "opvangloket_auditor")
DATABASES["auditor"] = {
    **DATABASES["default"],
    "USER": AUDITOR_DB_ROLE,
    "PASSWORD": os.environ.get("OPVANGLOKET_AUDITOR_DB_PASSWORD", ""),
}
DATABASE_ROUTERS = (
    "opvangloket.auditor_db.AuditorRouter",
    "django_tenants.routers.TenantSyncRouter",
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# --- Secrets ---------------------------------------------------------------------------
def _local_secret(name: str) -> str:
    """A random secret kept in .local/ for the demo and tests; never used with a real database."""
    path = LOCAL_DIR / name
    if not path.exists():
        LOCAL_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not USES_EMBEDDED_DATABASE:
        raise ImproperlyConfigured("SECRET_KEY must be set when DATABASE_URL is set.")
    SECRET_KEY = _local_secret("secret_key")

# Keys for personal data. The registry key makes the keyed hashes that recognise a child
# across lokets (changing it breaks recognition of earlier requests); the data keys
# encrypt national register numbers and drafts at rest (first key encrypts, all decrypt,
# so keys can be rotated by putting a new one first).
REGISTRY_KEY = os.environ.get("OPVANGLOKET_REGISTRY_KEY", "")
# An unborn child registered again by the same family is the same child when the due
# (or real birth) dates are at most this many days apart (shared.registry.children).
EXPECTED_BIRTH_WINDOW_DAYS = int(os.environ.get("OPVANGLOKET_EXPECTED_BIRTH_WINDOW_DAYS", "42"))
# A desk registration's claim code (shared.registry.claim_codes) works this many days.
CLAIM_CODE_DAYS = int(os.environ.get("OPVANGLOKET_CLAIM_CODE_DAYS", "90"))
# Attempts to claim with a code, per account and per client address, in one window.
CLAIM_ATTEMPTS_PER_ACCOUNT = int(os.environ.get("OPVANGLOKET_CLAIM_ATTEMPTS_PER_ACCOUNT", "5"))
CLAIM_ATTEMPTS_PER_ADDRESS = int(os.environ.get("OPVANGLOKET_CLAIM_ATTEMPTS_PER_ADDRESS", "20"))
CLAIM_ATTEMPT_WINDOW_SECONDS = int(os.environ.get("OPVANGLOKET_CLAIM_ATTEMPT_WINDOW", "3600"))
# Parents are reminded of an open offer this many days before its answer date.
OFFER_REMINDER_DAYS = int(os.environ.get("OPVANGLOKET_OFFER_REMINDER_DAYS", "2"))
# The outbox (shared.lokets.outbox): an e-mail not sent right after its commit is sent by
# the job mail.outbox_send once it is this old, retried after OUTBOX_RETRY_SECONDS doubled
# per failed attempt (at most OUTBOX_RETRY_MAX_SECONDS); sent e-mails are deleted this many
# days after they left (they hold personal data).
OUTBOX_GRACE_SECONDS = int(os.environ.get("OPVANGLOKET_OUTBOX_GRACE_SECONDS", "60"))
OUTBOX_RETRY_SECONDS = int(os.environ.get("OPVANGLOKET_OUTBOX_RETRY_SECONDS", "60"))
OUTBOX_RETRY_MAX_SECONDS = int(os.environ.get("OPVANGLOKET_OUTBOX_RETRY_MAX_SECONDS", "3600"))
OUTBOX_RETENTION_DAYS = int(os.environ.get("OPVANGLOKET_OUTBOX_RETENTION_DAYS", "7"))
OUTBOX_BATCH = int(os.environ.get("OPVANGLOKET_OUTBOX_BATCH", "500"))
# A job another worker is running for the same loket is waited for this long, then
# skipped (shared.jobs.services): long enough for a killed worker's connection to end.
JOB_LOCK_WAIT_SECONDS = float(os.environ.get("OPVANGLOKET_JOB_LOCK_WAIT", "10"))
# An upload on the import page starts its import in a thread of the web process at once
# (the demo has no worker); off, only the job onboarding.imports (run_jobs, Celery) runs it.
IMPORTS_START_AT_ONCE = env_bool("OPVANGLOKET_IMPORTS_START_AT_ONCE", default=True)
DATA_KEYS = env_list("OPVANGLOKET_DATA_KEYS")
if not REGISTRY_KEY or not DATA_KEYS:
    if not USES_EMBEDDED_DATABASE:
        raise ImproperlyConfigured(
            "OPVANGLOKET_REGISTRY_KEY and OPVANGLOKET_DATA_KEYS must be set with DATABASE_URL."
        )
    REGISTRY_KEY = REGISTRY_KEY or _local_secret("registry_key")
    DATA_KEYS = DATA_KEYS or [_local_secret("data_key")]

# --- Hosts and tenancy -----------------------------------------------------------------
ALLOWED_HOSTS = [BASE_DOMAIN, f".{BASE_DOMAIN}", *env_list("ALLOWED_HOSTS")]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

TENANT_MODEL = "lokets.Loket"
TENANT_DOMAIN_MODEL = "lokets.Domain"
PUBLIC_SCHEMA_NAME = "public"
# New lokets are made from a DDL script of this template schema (shared/lokets/schema_script.py)
# instead of replaying every migration; the template itself is kept migrated.
TENANT_BASE_SCHEMA = "loket_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
TENANT_MULTIPROCESSING_MAX_PROCESSES = int(os.environ.get("OPVANGLOKET_MIGRATION_PROCESSES", "4"))

SHARED_APPS = [
    "django_tenants",
    "opvangloket",
    "shared.lokets",
    "shared.geography",
    "shared.accounts",
    "shared.catalogue",
    "shared.registry",
    # The parents' portal: the wizard, drafts and "Mijn aanvragen" (on top of the loket apps).
    "shared.portal",
    "shared.statistics",
    # Background jobs: their registry and the record of every run (JobRun).
    "shared.jobs",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.admin",
    "allauth",
    "allauth.account",
    # Staff's second factor: an authenticator app (TOTP) with recovery codes.
    "allauth.mfa",
    # The government login (OpenID Connect: ACM/IDM), see "Government login" below.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    # Content-Security-Policy (Django 5.2 has none built in; Django 6.0 will).
    "csp",
    "rest_framework",
    "drf_spectacular",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    # Object permissions belong to a loket: a grant in one schema means nothing in another.
    "guardian",
    "tenants.providers",
    "tenants.requests",
    "tenants.allocation",
    "tenants.audit",
    "tenants.signals",
    "tenants.onboarding",
    # Tokens for planning software (OAuth2 client credentials): applications and tokens
    # live in the loket's schema, so a token of one loket is unknown on every other host.
    "oauth2_provider",
    "tenants.planning_clients",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

ROOT_URLCONF = "opvangloket.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "opvangloket.urls_public"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Permissions-Policy, no-store for personal data, the admin on the base domain only.
    "opvangloket.security.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    # Static files need no loket: served before the host is looked up in the database.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "opvangloket.middleware.HealthCheckMiddleware",
    "opvangloket.middleware.LoketMiddleware",
    "opvangloket.middleware.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # One login per region: stale sessions out (a logout elsewhere), the silent check.
    "shared.accounts.region_login.RegionLoginMiddleware",
    # Staff who logged in with a password set up a second factor before any other page.
    "shared.accounts.second_factor.SecondFactorMiddleware",
    # A NUL character in the path or query: 400 before any view (opvangloket.request_limits).
    "opvangloket.request_limits.NulCharacterMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opvangloket.context_processors.site",
            ],
        },
    }
]

WSGI_APPLICATION = "opvangloket.wsgi.application"
ASGI_APPLICATION = "opvangloket.asgi.application"

# --- Accounts --------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "shared.accounts.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "shared.accounts.password_validation.MinimumLengthValidator"},
    {"NAME": "shared.accounts.password_validation.CommonPasswordValidator"},
    {"NAME": "shared.accounts.password_validation.NumericPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("OPVANGLOKET_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "shared.accounts.adapter.AccountAdapter"
# allauth's limits count per real client address (the adapter asks opvangloket.proxies) in
# the shared cache. Its hard lock after failed logins is replaced by a growing wait
# (shared.accounts.login_throttle), for the password and for the second factor's code.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
# How links in e-mails reach the platform (shared/lokets/links.py): the scheme, and the
# port when it is not the scheme's default (``make demo``: 8000).
PUBLIC_URL_SCHEME = os.environ.get("OPVANGLOKET_PUBLIC_URL_SCHEME", ACCOUNT_DEFAULT_HTTP_PROTOCOL)
PUBLIC_PORT = os.environ.get("OPVANGLOKET_PUBLIC_PORT", "")
# Who runs the platform (the processor for the lokets), named in the privacy and
# accessibility statements (shared/lokets/statements.py), and when accessibility was last
# evaluated (the accessibility statement's date; the axe-core walk runs in every test run).
OPVANGLOKET_PLATFORM_OPERATOR = os.environ.get("OPVANGLOKET_PLATFORM_OPERATOR", "Opvangloket")
# The platform's contact address: configured, never made up from the host name (an
# address at the base domain may not exist); unset, the statements show no address.
OPVANGLOKET_PLATFORM_CONTACT = os.environ.get("OPVANGLOKET_PLATFORM_CONTACT", "").strip()
OPVANGLOKET_ACCESSIBILITY_EVALUATED_ON = os.environ.get(
    "OPVANGLOKET_ACCESSIBILITY_EVALUATED_ON", "2026-12-02"
)
LOGIN_URL = "account_login"
# One login per region (shared.accounts.region_login): how long a hand-off from the portal
# to a loket host is valid, and whether a loket host checks once per browser session at
# the portal whether the person is logged in there (on unless switched off; the tests
# switch it off and on where they test it).
REGION_LOGIN_HANDOFF_SECONDS = int(os.environ.get("OPVANGLOKET_REGION_LOGIN_HANDOFF_SECONDS", "60"))
REGION_LOGIN_CHECK = env_bool("OPVANGLOKET_REGION_LOGIN_CHECK", default=True)
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
# Staff's second factor (shared.accounts.second_factor): an authenticator app or a security
# key/passkey (WebAuthn, its relying party the host in use), with recovery codes; the app's
# secret encrypted like other personal data. A code of the period before or after counts
# too (a phone's clock a few seconds off). A key is a second factor only, never a login on
# its own (MFA_PASSKEY_LOGIN_ENABLED stays off). No MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN,
# anywhere: it would accept a key's answer made for any origin; fido2 accepts
# http://*.localhost (the demo and tests) by itself.
MFA_ADAPTER = "shared.accounts.second_factor.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_TOLERANCE = 1
MFA_FORMS = {
    "authenticate": "shared.accounts.second_factor.ThrottledAuthenticateForm",
    "reauthenticate": "shared.accounts.second_factor.ThrottledReauthenticateForm",
    "authenticate_webauthn": "shared.accounts.second_factor.ThrottledAuthenticateWebAuthnForm",
    "reauthenticate_webauthn": "shared.accounts.second_factor.ThrottledReauthenticateWebAuthnForm",
    "add_webauthn": "shared.accounts.second_factor.SecurityKeyAddForm",
}
# guardian: no anonymous user row; anonymous visitors never hold object permissions.
ANONYMOUS_USER_NAME = None

# Cookies are per host unless an operator shares them across the base domain.
SESSION_COOKIE_DOMAIN = os.environ.get("SESSION_COOKIE_DOMAIN") or None
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS only, from Django (nginx no longer adds these headers): browsers remember it for a
# year, for every loket's subdomain too. /healthz stays reachable over plain http.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = "same-origin"
# The maps (Leaflet, our own static files) load their tiles from one tile server: an
# OpenStreetMap-style URL template; the Content-Security-Policy allows exactly its host.
MAP_TILE_URL = os.environ.get(
    "OPVANGLOKET_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
# The tile server's terms ask for its credit on the map, linked to its licence page.
MAP_TILE_ATTRIBUTION = os.environ.get(
    "OPVANGLOKET_MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors"
)
MAP_TILE_ATTRIBUTION_URL = os.environ.get(
    "OPVANGLOKET_MAP_TILE_ATTRIBUTION_URL", "https://www.openstreetmap.org/copyright"
)


def url_origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def tile_origin(url_template: str) -> str:
    """``https://tile.openstreetmap.org`` from its tile URL template (scheme and host only)."""
    parts = urlsplit(url_template)
    if parts.scheme not in ("http", "https") or not parts.netloc or "{" in parts.netloc:
        raise ImproperlyConfigured(
            "OPVANGLOKET_MAP_TILE_URL must be an http(s) URL on one host, "
            "e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        )
    return f"{parts.scheme}://{parts.netloc}"


# No inline script or style anywhere: every page uses our static files only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", tile_origin(MAP_TILE_URL)],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}


# --- Government login (OpenID Connect: the Flemish government's ACM/IDM) ----------------
# allauth's openid_connect provider with our provider class (shared.accounts.government_login):
# the ID token's signature always checked, a client secret or a signed JWT, the national
# register number kept only as a keyed hash. Off (no button) without an issuer.
def government_login_apps() -> list[dict]:
    issuer = os.environ.get("OPVANGLOKET_OIDC_ISSUER", "").rstrip("/")
    if not issuer:
        return []
    client_id = os.environ.get("OPVANGLOKET_OIDC_CLIENT_ID", "")
    secret = os.environ.get("OPVANGLOKET_OIDC_CLIENT_SECRET", "")
    key_file = os.environ.get("OPVANGLOKET_OIDC_PRIVATE_KEY_FILE", "")
    private_key = Path(key_file).read_text() if key_file else ""
    if not client_id or not (secret or private_key):
        raise ImproperlyConfigured(
            "OPVANGLOKET_OIDC_ISSUER needs OPVANGLOKET_OIDC_CLIENT_ID and either "
            "OPVANGLOKET_OIDC_CLIENT_SECRET or OPVANGLOKET_OIDC_PRIVATE_KEY_FILE."
        )
    app_settings = {
        "server_url": issuer,
        "oauth_pkce_enabled": True,
        "scope": env_list("OPVANGLOKET_OIDC_SCOPES", "openid,profile,email,rrn"),
    }
    if private_key:
        app_settings.update(
            private_key=private_key, key_id=os.environ.get("OPVANGLOKET_OIDC_KEY_ID", "")
        )
    else:
        app_settings["token_auth_method"] = os.environ.get(
            "OPVANGLOKET_OIDC_TOKEN_AUTH_METHOD", "client_secret_basic"
        )
    return [
        {
            "provider_id": "acmidm",
            "name": "ACM/IDM",
            "client_id": client_id,
            "secret": secret,
            "settings": app_settings,
        }
    ]


SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "provider_class": "shared.accounts.government_login.provider.GovernmentLoginProvider",
        "APPS": government_login_apps(),
    }
}
SOCIALACCOUNT_ADAPTER = "shared.accounts.government_login.adapter.SocialAccountAdapter"
# The claim with a civil servant's roles (shared.accounts.government_login.staff_claims).
OPVANGLOKET_OIDC_ROLE_CLAIM = os.environ.get("OPVANGLOKET_OIDC_ROLE_CLAIM", "opvangloket_roles")
# Forms post to their own host only; the government login's form hands the browser on to
# the provider (a redirect after a POST, which form-action governs too).
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] = [
    "'self'",
    *(url_origin(app["settings"]["server_url"]) for app in government_login_apps()),
]
# Tokens are not kept: the login needs them once. No login into an existing account by
# e-mail address alone: an account with a password connects the government login itself.
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False

# --- Login throttling and the real client address ---------------------------------------
# Proxies whose X-Forwarded-For is believed (addresses or networks): nginx on this host.
OPVANGLOKET_TRUSTED_PROXIES = env_list("OPVANGLOKET_TRUSTED_PROXIES", "127.0.0.1,::1")
OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ACCOUNT = int(
    os.environ.get("OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ACCOUNT", "5")
)
OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ADDRESS = int(
    os.environ.get("OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ADDRESS", "20")
)
OPVANGLOKET_LOGIN_LONGEST_WAIT = int(os.environ.get("OPVANGLOKET_LOGIN_LONGEST_WAIT", "900"))
OPVANGLOKET_LOGIN_ALERT_AFTER = int(os.environ.get("OPVANGLOKET_LOGIN_ALERT_AFTER", "5"))


# --- Cache -----------------------------------------------------------------------------
def caches_from_environment(url: str | None) -> dict:
    """One cache for every process: the database's (table ``opvangloket_cache``, made by
    ``migrate_platform``), or Redis when ``OPVANGLOKET_CACHE_URL`` is ``redis://…``."""
    if not url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "opvangloket_cache",
                # Room for an attack's counters: at the default 300, a spray of made-up
                # logins would cull the counter of the account under attack.
                "OPTIONS": {"MAX_ENTRIES": 100_000},
            }
        }
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
            }
        }
    raise ImproperlyConfigured("OPVANGLOKET_CACHE_URL must be a redis:// URL (or unset).")


CACHES = caches_from_environment(os.environ.get("OPVANGLOKET_CACHE_URL"))

# --- E-mail ----------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"Opvangloket <noreply@{BASE_DOMAIN}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Languages -------------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("fr", _("French")), ("en", _("English"))]
# Dates and numbers as written in Belgium in each language (not the US's or the Netherlands').
FORMAT_MODULE_PATH = ["opvangloket.formats"]
LOCALE_PATHS = [BASE_DIR / "src" / "opvangloket" / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Brussels"
USE_TZ = True

# --- Static files ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("OPVANGLOKET_MANIFEST_STATIC", default=True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or not env_bool("OPVANGLOKET_MANIFEST_STATIC", default=True)

# --- API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # A planning client's bearer token (tenants.planning_clients): only on views that
        # declare the scopes they need (``token_scopes``), refused everywhere else.
        "tenants.planning_clients.authentication.PlanningTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Bodies nested too deep or holding a NUL character are refused while parsing.
    "DEFAULT_PARSER_CLASSES": [
        "opvangloket.request_limits.JSONParser",
        "opvangloket.request_limits.FormParser",
        "opvangloket.request_limits.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    # Service errors (Django ValidationError, PermissionDenied, domain "not found") answered
    # in one shape: API views just call the service.
    "EXCEPTION_HANDLER": "opvangloket.api_errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Opvangloket API",
    "DESCRIPTION": "Childcare locations, requests and figures of the Lokaal Loket Kinderopvang.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Planning software's tokens (tenants.planning_clients.openapi): the client
    # credentials flow, with the token URL of the loket host the document is read on.
    "OAUTH2_FLOWS": ["clientCredentials"],
    "OAUTH2_TOKEN_URL": "/oauth/token/",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "opvangloket.api_errors.error_responses_hook",
        "opvangloket.openapi.local_time_hook",
        "opvangloket.openapi.token_security_hook",
    ],
    "ENUM_NAME_OVERRIDES": {
        "LoketKindEnum": "shared.lokets.models.Loket.Kind",
        "CareKindEnum": "shared.catalogue.vocabulary.CareKind",
        "TariffEnum": "shared.catalogue.vocabulary.Tariff",
        "AgeGroupEnum": "shared.catalogue.vocabulary.AgeGroup",
        "MembershipRoleEnum": "shared.accounts.models.Membership.Role",
        "RequestStatusEnum": "shared.registry.models.RequestStatus",
        "ChoiceStatusEnum": "tenants.requests.models.ChoiceStatus",
        "RequestEventKindEnum": "tenants.requests.models.RequestEvent.Kind",
        "PriorityEnum": "tenants.requests.models.Priority",
        "ImportKindEnum": "tenants.onboarding.models.ImportKind",
        # The site's languages (an account's preferred one, an invitation's).
        "LanguageEnum": LANGUAGES,
    },
}

# --- Tokens for planning software (OAuth2 client credentials) -------------------------
# django-oauth-toolkit serves POST /oauth/token/ on loket hosts; the client credentials
# grant is the only one (no authorization pages, no refresh tokens). Each client may ask
# for the scopes the loket gave it (tenants.planning_clients.scopes).
OPVANGLOKET_TOKEN_LIFETIME = int(os.environ.get("OPVANGLOKET_TOKEN_LIFETIME", "3600"))
# Named so migrations can depend on it (the toolkit's model, not swapped).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": OPVANGLOKET_TOKEN_LIFETIME,
    "OAUTH2_SERVER_CLASS": "oauthlib.oauth2.BackendApplicationServer",
    "SCOPES_BACKEND_CLASS": "tenants.planning_clients.scopes.ClientScopes",
    # RFC 9700 (OAuth 2.0 Security BCP): no implicit or password grant, no plain PKCE, tokens
    # never in the query string, the `iss` parameter, tokens stored hashed, replay detection.
    # Only client credentials are served, but the toolkit's defaults are the unsafe ones.
    **{
        f"COMPLIANT_BCP_RFC9700_{name}": True
        for name in (
            "IMPLICIT_GRANT",
            "PASSWORD_GRANT",
            "PKCE_METHOD",
            "ACCESS_TOKEN_TRANSPORT",
            "AUTHZ_RESPONSE_ISS",
            "TOKEN_STORAGE",
            "REFRESH_TOKEN",
            "REDIRECT_URI_SCHEME",
            "REDIRECT_URI_MATCHING",
            "PKCE_REQUIRED",
        )
    },
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}

# --- Operations ------------------------------------------------------------------------
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "opvangloket.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "pgserver": {"level": "WARNING"},
    },
}

SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from opvangloket.observability import init_sentry

    init_sentry(dsn=SENTRY_DSN, environment=os.environ.get("SENTRY_ENVIRONMENT", "production"))
