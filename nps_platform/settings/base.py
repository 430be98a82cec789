"""Shared settings. Every value that differs between deployments comes from the environment
(django-environ); with nothing set, the embedded defaults in `local` make a working demo."""

import os
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1", "[::1]"]),
)

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY", default="")  # each run mode decides what an empty key means
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "anymail",
    "axes",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",  # single sign-on (organizations/sso/)
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "nps_platform",
    "organizations",
    "surveys",
    "contacts",
    "distribution",
    "responses",
    "followups",
    "dashboards",
    "insights",
    "demo",  # seed_demo: on top of every stage
    "benchmarks",  # the benchmark data commands
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # organizations.staff_only.*: the library's or our middleware, passed by on the respondents'
    # links (/r/, /s/, /u/), who never sign in.
    "organizations.staff_only.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "organizations.staff_only.AuthenticationMiddleware",
    "organizations.staff_only.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "organizations.staff_only.SessionActivityMiddleware",  # allauth's session rows, last seen
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "nps_platform.csp.CSPMiddleware",  # django-csp's, each policy built once per process
    "organizations.staff_only.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "nps_platform.guards.OddRequestMiddleware",
    "nps_platform.db_router.ReplicaReadsMiddleware",  # before the tenant: its lookups read there too
    "organizations.staff_only.TenantMiddleware",
    "organizations.staff_only.StaffLocaleMiddleware",  # after the tenant: the member's language, the org's time
    "organizations.staff_only.TwoFactorRequiredMiddleware",  # an organization that requires 2FA
]

ROOT_URLCONF = "nps_platform.urls"
WSGI_APPLICATION = "nps_platform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organizations.context_processors.platform",
            ],
            "builtins": ["nps_platform.templatetags.platform_tags"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# The public answer's INSERT as a server-side prepared statement (nps_platform/prepared.py); off
# behind a PgBouncer in transaction mode older than 1.21.
DB_PREPARED_STATEMENTS = env.bool("DB_PREPARED_STATEMENTS", default=True)
DATABASES = {"default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's native psycopg 3 pool; CONN_MAX_AGE must stay 0 with it.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN", default=2),
        "max_size": env.int("DB_POOL_MAX", default=10),
        "timeout": 10,
    }
    if DB_PREPARED_STATEMENTS:
        # psycopg prepares a statement only when asked (nps_platform/prepared.py: the public
        # answer's INSERT); Django's own cursors bind on the client and never prepare.
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5
elif DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded mode: the web server, the worker (and its outbox consumer) and beat write one
    # file. Write transactions take the lock when they begin (a read that later writes could not
    # wait for it: "database is locked" at once), WAL lets pages read while another process
    # writes, and a writer waits up to 20 s for its turn.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A streaming replica for reads that tolerate a little lag (nps_platform/db_router.py): no pool,
# so a stopped replica is noticed at the next connection and the primary serves instead.
if _replica_url := env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url_config(_replica_url)
    DATABASES["replica"]["CONN_MAX_AGE"] = 0
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["nps_platform.db_router.ReplicaRouter"]
# Views whose GETs may read from the replica (dotted prefixes of the view's module and name).
REPLICA_READ_VIEWS = env.list("REPLICA_READ_VIEWS", default=[
    "dashboards.views.", "dashboards.apis.Stats"])
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=15)  # read-your-writes after a browser's POST
REPLICA_RETRY_SECONDS = env.int("REPLICA_RETRY_SECONDS", default=10)  # after a failed connection

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "organizations.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: a locked-out login stops here
    "allauth.account.auth_backends.AuthenticationBackend",
    "django.contrib.auth.backends.ModelBackend",  # an older mixed-case email (get_by_natural_key)
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# Signing in is django-allauth's (/accounts/…): by email and password, or a passkey; a second
# factor (authenticator app, passkey or security key, recovery codes) when the member set one
# up. New accounts come only from the product's own sign-up (/signup/, a new organization) and
# member invitations, so allauth's own sign-up is closed (organizations.accounts.AccountAdapter).
ACCOUNT_ADAPTER = "organizations.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"  # the sign-up and the invitation link stand for the address
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # a reset asked for an unknown address sends nothing
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_SESSION_REMEMBER = True  # no "remember me" box: a session lasts SESSION_COOKIE_AGE, as before
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# django-axes counts failed logins and locks out (below); allauth's own count would be a second one.
# Sign-ins per address: a whole office behind one address signs in at nine (allauth's default: 30/m).
ACCOUNT_RATE_LIMITS = {"login_failed": None, "login": env("LOGIN_RATE_PER_ADDRESS", default="300/m/ip")}
ACCOUNT_FORMS = {"login": "organizations.accounts.LoginForm"}
MFA_ADAPTER = "organizations.accounts.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="NPS Platform")
# Passkeys belong to one host name (the relying party id): SITE_URL's unless WEBAUTHN_RP_ID says.
WEBAUTHN_RP_ID = env("WEBAUTHN_RP_ID", default="")
# Only for development over plain http on a host that is not localhost: never in production.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env.bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", default=False)
# "Last seen" on the sessions page comes from organizations.security.SessionActivityMiddleware
# (one write per session in five minutes), not allauth's tracking (a write on every request).
USERSESSIONS_TRACK_ACTIVITY = False
# Single sign-on per organization (organizations/sso/): each organization's IdP is a SocialApp
# built from its SsoConnection; users and memberships are made by the adapter, never by allauth's
# sign-up. The IdP's address is trusted only for the organization's verified domains.
SOCIALACCOUNT_ADAPTER = "organizations.sso.adapter.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # linking by address is the adapter's, domain-checked
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
# Client secrets are encrypted with this Fernet key (or one derived from SECRET_KEY when empty).
SSO_ENCRYPTION_KEY = env("SSO_ENCRYPTION_KEY", default="")
# Domain verification asks these DNS servers ("host:port", …) instead of the system's resolver.
SSO_DNS_NAMESERVERS = env.list("SSO_DNS_NAMESERVERS", default=[])
# Let SSO call IdPs at private or loopback addresses (tests, an IdP inside the network).
SSO_ALLOW_PRIVATE_URLS = env.bool("SSO_ALLOW_PRIVATE_URLS", default=False)

# Throttle repeated failed logins per (email, address) pair.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "login"  # allauth's login form posts the email as `login`
AXES_USERNAME_CALLABLE = "organizations.accounts.axes_username"  # one lockout whatever the email's case
# Password-reset requests: at most this many per (address | client) in the window (s).
PASSWORD_RESET_RATE = {
    "address": (env.int("PASSWORD_RESET_PER_ADDRESS", default=5), 3600),
    "client": (env.int("PASSWORD_RESET_PER_CLIENT", default=20), 3600),
}
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("da", "Dansk"),
    ("sv", "Svenska"),
    ("nb", "Norsk bokmål"),
    ("fi", "Suomi"),
    ("hr", "Hrvatski"),
    ("de", "Deutsch"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["nps_platform.formats"]  # English with a 24-hour clock and the day first
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Several hosts: MEDIA in an S3-compatible bucket every host sees (django-storages; credentials from
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY); the files keep their /media/ addresses.
if _media_bucket := env.str("MEDIA_S3_BUCKET", default=""):
    STORAGES["default"] = {"BACKEND": "nps_platform.storage.SharedMediaStorage", "OPTIONS": {
        "bucket_name": _media_bucket, "endpoint_url": env.str("MEDIA_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("MEDIA_S3_REGION", default="") or None, "file_overwrite": False, "default_acl": None}}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email ----------------------------------------------------------------------------------
# EMAIL_URL (smtp://user:pass@host:port, smtp+tls://…) chooses SMTP; unset, mail goes to the
# local outbox under var/outbox that /dev/outbox shows in debug mode.
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "nps_platform.mail.OutboxEmailBackend"
# A provider instead of SMTP: EMAIL_BACKEND=anymail.backends.postmark.EmailBackend (or mailgun,
# sendgrid, amazon_ses, brevo, …) with its keys as ANYMAIL_<NAME>=… (e.g. ANYMAIL_POSTMARK_SERVER_TOKEN).
EMAIL_BACKEND = env("EMAIL_BACKEND", default=EMAIL_BACKEND)
# A mail server that stops answering fails the message (it is retried) well within a send lease.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
EMAIL_OUTBOX_DIR = VAR_DIR / "outbox"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="NPS Platform <no-reply@nps.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Provider back ends (EMAIL_BACKEND=anymail.backends.<esp>.EmailBackend) read their keys here;
# the bounce/complaint webhook is /anymail/<esp>/tracking/, guarded by this shared secret.
ANYMAIL = {key.removeprefix("ANYMAIL_"): value for key, value in os.environ.items()
           if key.startswith("ANYMAIL_") and value}

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# CELERY_BROKER_URL=amqp://… chooses RabbitMQ for the tasks (Redis keeps the cache and the rate
# limits): quorum queues (replicated, durable), publisher confirms, and the late acks and
# prefetch of 1 below; countdowns use RabbitMQ's native delayed delivery (topic exchanges).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
if CELERY_BROKER_URL.startswith(("amqp://", "amqps://", "pyamqp://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True}
    CELERY_TASK_DEFAULT_QUEUE_TYPE = CELERY_TASK_CREATE_MISSING_QUEUE_TYPE = "quorum"
    CELERY_TASK_DEFAULT_EXCHANGE_TYPE = CELERY_TASK_CREATE_MISSING_QUEUE_EXCHANGE_TYPE = "topic"
    CELERY_BROKER_HEARTBEAT = 30
elif CELERY_BROKER_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
elif REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # Embedded mode: kombu's file-system transport needs no server.
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # the exchange tables (celery.exchange, celery.pidbox.exchange): kombu's default is
        # ./control, beside the code; runtime files live under var/
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {
    "distribution-tick": {"task": "distribution.tick", "schedule": 60.0},
    "followups-tick": {"task": "followups.tick", "schedule": 60.0},
    "followups-sweep": {"task": "followups.sweep", "schedule": 300.0},
    "followups-digest": {"task": "followups.digest", "schedule": 3600.0},
    "dashboards-reports": {"task": "dashboards.reports", "schedule": 3600.0},
    "insights-suggestions": {"task": "insights.suggestions_refresh", "schedule": 86400.0},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A batch of emails is leased to its worker this long, renewed as it runs; a lost batch (a dead
# worker, a flushed broker) is handed out again by the first tick after its lease ends.
SEND_LEASE_SECONDS = env.int("SEND_LEASE_SECONDS", default=60)

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# --- API ------------------------------------------------------------------------------------
# The API kit (nps_platform/api/) reaches organizations only by these names, as Django reaches
# the user model by AUTH_USER_MODEL, so the core imports no app: who a bearer key is (the live
# key, marked used, or None), a browser session's membership, and where idempotency keys live.
API_KEY_AUTHENTICATE = "organizations.services.api_key_authenticate"
API_MEMBERSHIP_FOR = "organizations.tenancy.membership_for"
API_IDEMPOTENCY_MODEL = "organizations.IdempotencyKey"
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "nps_platform.api.base.problem_details",
    "DEFAULT_THROTTLE_RATES": {"api_key": env("API_RATE", default="600/min")},
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NPS Platform API",
    "VERSION": "1.0.0",
    "DESCRIPTION": "Organization-bound keys: `Authorization: Bearer <key>`. Errors are RFC 9457 problem details.",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "nps_platform.settings.base.LANGUAGES",
        "SurveyStatusEnum": "surveys.models.SurveyStatus",
        "CampaignStatusEnum": "distribution.models.Campaign.Status",
        "CaseStatusEnum": "followups.models.Case.Status",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "nps_platform.api.schema.add_problem_responses"],
}

# --- Cache (rate limits) --------------------------------------------------------------------
CACHES = {"default": {"BACKEND": "nps_platform.counters.RedisCache", "LOCATION": REDIS_URL}
          if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Product defaults -----------------------------------------------------------------------
# Public survey links: at most this many submissions per address and survey in the window (s).
PUBLIC_RESPONSE_RATE = (env.int("PUBLIC_RESPONSE_LIMIT", default=20), env.int("PUBLIC_RESPONSE_WINDOW", default=600))
# Personal links: at most this many writes (answers, score saves) per link and address in the window (s).
PERSONAL_RESPONSE_RATE = (env.int("PERSONAL_RESPONSE_LIMIT", default=30),
                          env.int("PERSONAL_RESPONSE_WINDOW", default=600))
# Behind a reverse proxy that sets X-Forwarded-For, the first address there is the client's.
TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", default=False)
# Webhooks to private, loopback or link-local addresses are refused unless this is on.
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
MEMBER_INVITATION_DAYS = 14
# Answers to one survey and day within this many seconds share one rollup recount (0: one each).
ROLLUP_REFRESH_DELAY = env.int("ROLLUP_REFRESH_DELAY", default=2)
# Saved answers reach the closed loop, the rollups and the comment analysis through the outbox
# (responses.outbox): a consumer thread in every Celery worker, woken by PostgreSQL's NOTIFY, and
# looking at least this often anyway (SQLite, the embedded mode, has no NOTIFY: this is its delay).
OUTBOX_CONSUMER = env.bool("OUTBOX_CONSUMER", default=True)
OUTBOX_POLL_SECONDS = env.float("OUTBOX_POLL_SECONDS", default=1.0)
# An answer whose handling failed (one organization's bad data) is tried again this much later,
# doubling with each attempt up to an hour.
OUTBOX_RETRY_SECONDS = env.int("OUTBOX_RETRY_SECONDS", default=30)
# Changes to contacts within this many seconds share one rebuild of each segment's rollups.
SEGMENT_ROLLUP_DELAY = env.int("SEGMENT_ROLLUP_DELAY", default=10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
