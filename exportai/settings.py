"""Settings for every environment, read from the environment (see .env.example).

The defaults are the embedded ones `make run` uses: SQLite, a filesystem broker, console email.
Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=false.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab

from exportai.broker import (
    EMBEDDED_POLLING_INTERVAL,
    broker_transport,
    broker_transport_options,
    embedded_broker_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-not-secret-exportai-portal")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "accounts.admin_config.PortalAdminConfig",  # django.contrib.admin, two-factor admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",  # API tokens: hashed, expiring, several per user (accounts.tokens)
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc assets served from our static files, no CDN
    "django_filters",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    "accounts",
    "proposals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "proposals.core.api.middleware.request_guard",  # body size, NUL in any parameter
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # After OTPMiddleware (needs user.is_verified) and htmx (answers htmx requests with HX-Redirect).
    "accounts.middleware.TwoFactorRequiredMiddleware",
    # The schema and docs for signed-in users only, unless EXPORTAI_API_DOCS_PUBLIC.
    "accounts.middleware.ApiDocsSignInMiddleware",
    # Cache-Control: private, no-store on signed-in responses and downloads (after the view: token users).
    "accounts.middleware.PrivateResponsesMiddleware",
    # Last, so it sees the lockout flag the login view's authenticate() call sets.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "exportai.urls"
WSGI_APPLICATION = "exportai.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "proposals.core.web.context.nav_items",
                "proposals.notify.web.inbox_context",
            ],
        },
    },
]

# PostgreSQL without JIT: the portal's queries are short, and above jit_above_cost (the dashboard's
# "Action required" counts) compiling took 10-18 ms of a 110 ms query at 100,000 proposals. bench/
# settings.py uses the same options, so the baselines run on the same terms. The statements that read
# rows by their keys are prepared (core.statements, decision 0012, issue 16); no other statement is:
# psycopg would prepare one sent this many times, a number never reached (its None would refuse
# every prepare). DATABASE_PREPARED_STATEMENTS=false prepares nothing (a pooler that cannot carry
# prepared statements).
POSTGRES_OPTIONS = {
    "options": "-c jit=off",
    "prepare_threshold": 2**62 if env.bool("DATABASE_PREPARED_STATEMENTS", default=True) else None,
}
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {**POSTGRES_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and the embedded worker share one file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # The list index proposal_status_recent INCLUDEs revision_number for PostgreSQL's index-only
    # scans; SQLite builds it without that column, which is all the embedded default needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username or address before any password is checked.
    "accounts.backends.ThrottledLoginBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE", default="django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploads: the size limit and the content types accepted (checked from the bytes, not the name).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
# Line items one bill-of-materials file may carry (the whole file is checked before anything is saved).
BOM_IMPORT_MAX_ROWS = env.int("BOM_IMPORT_MAX_ROWS", default=5000)
# CPU seconds (of the request's thread) one import may spend reading its file before it is refused.
BOM_IMPORT_CPU_SECONDS = env.float("BOM_IMPORT_CPU_SECONDS", default=1.5)
# Imports read at the same time across all web processes; more wait (429) so sign-ins keep workers.
BOM_IMPORT_CONCURRENCY = env.int("BOM_IMPORT_CONCURRENCY", default=2)
# A file with more bytes to parse than this (a CSV's size, an XLSX's uncompressed members) is stored and
# read by the intake worker, with a progress page; smaller ones are read during the request. 8 KB (about
# 120 CSV rows) costs at most ~25 ms of CPU, like an ordinary page; every XLSX unpacks to more.
BOM_IMPORT_INLINE_MAX_BYTES = env.int("BOM_IMPORT_INLINE_MAX_BYTES", default=8 * 1024)
# Starts of one worker import that never finished (the worker died reading it) before it is failed.
BOM_IMPORT_JOB_MAX_ATTEMPTS = env.int("BOM_IMPORT_JOB_MAX_ATTEMPTS", default=3)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The largest JSON body the API reads (413 above it); the longest texts of a proposal fit many times.
EXPORTAI_JSON_MAX_BYTES = env.int("EXPORTAI_JSON_MAX_BYTES", default=1024 * 1024)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ExportAI Portal <no-reply@exportai.localhost>")

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: DRF takes the first class's WWW-Authenticate header, so an anonymous call gets
    # 401 (with a challenge) rather than 403.
    "DEFAULT_PARSER_CLASSES": [
        "proposals.core.api.parsers.JSONParser",
        "proposals.core.api.parsers.FormParser",
        "proposals.core.api.parsers.MultiPartParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.PortalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["proposals.core.api.filters.StrictFilterBackend"],
    "EXCEPTION_HANDLER": "proposals.core.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ExportAI Portal API",
    "DESCRIPTION": "Proposals for full-stack American AI export packages: intake, Commerce and EXIM review.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Every operation documents the error statuses it can answer (proposals.core.api.errors).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "proposals.core.api.errors.document_error_statuses",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name per choice set used by several fields.
    "ENUM_NAME_OVERRIDES": {
        "SectionEnum": "proposals.core.enums.Section",
        "GateDecisionEnum": "proposals.commerce.workflow.GATE_DECISIONS",
        "HitActionEnum": "proposals.commerce.workflow.HIT_ACTIONS",
        "GateStatusEnum": "proposals.core.enums.GateStatus",
        "HitStatusEnum": "proposals.core.enums.HitStatus",
        "ProposalStatusEnum": "proposals.core.enums.ProposalStatus",
        "EximProductEnum": "proposals.core.enums.EximProduct",
        "DealStageEnum": "proposals.core.enums.DealStage",
        "MemberRoleEnum": "proposals.core.enums.MemberRole",
        "PartyRoleEnum": "proposals.core.enums.PartyRole",
        "LayerEnum": "proposals.core.enums.Layer",
        "DocumentCategoryEnum": "proposals.core.enums.DocumentCategory",
        "PanelStatusEnum": "proposals.evaluation.enums.PanelStatus",
    },
}

# --- Cache ------------------------------------------------------------------------------------
# Shared by every process (web, workers, beat): a worker's write must invalidate the pages that web
# processes cached (proposals.core.page_cache). Redis in production (CACHE_URL=redis://...); the embedded
# default is a folder under var/, which `make run`'s runserver and worker share without a server.
CACHES = {"default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}
CACHES["default"].setdefault("KEY_PREFIX", env.str("CACHE_KEY_PREFIX", default="exportai"))
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "exportai.cache.RedisCache"  # one client per pool (exportai/cache.py)
# Seconds a cached list page (the Commerce queue) may be served; any write to what it shows
# invalidates it sooner. 0 turns page caching off.
EXPORTAI_PAGE_CACHE_SECONDS = env.int("EXPORTAI_PAGE_CACHE_SECONDS", default=300)
# Seconds each process keeps the country list its selects show (core.selectors.country_choices);
# 0 reads it on every form.
EXPORTAI_REFERENCE_CACHE_SECONDS = env.int("EXPORTAI_REFERENCE_CACHE_SECONDS", default=300)

# --- Celery -----------------------------------------------------------------------------------
# The embedded default needs no server; every file it writes lives under var/broker (exportai/broker.py).
# EXPORTAI_BROKER_DIR moves it (a bench or a second checkout). Production sets CELERY_BROKER_URL=redis://.
EXPORTAI_BROKER_DIR = Path(env.str("EXPORTAI_BROKER_DIR", default=str(VAR_DIR / "broker")))
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=embedded_broker_url(EXPORTAI_BROKER_DIR))
# The transport class, when not kombu's own for the URL's scheme (the embedded one wakes on acks).
CELERY_BROKER_TRANSPORT = env.str("CELERY_BROKER_TRANSPORT", default="") or broker_transport(
    CELERY_BROKER_URL
)
CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(
    CELERY_BROKER_URL,
    folder=EXPORTAI_BROKER_DIR,
    polling_interval=env.float("CELERY_BROKER_POLLING_INTERVAL", default=EMBEDDED_POLLING_INTERVAL),
    visibility_timeout=env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=3600),
    restore_interval=env.int("CELERY_BROKER_RESTORE_INTERVAL", default=30),
)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True

# --- Program rules that are settings (the rest live in the ProgramSettings table) ---------------
# Seconds a proposal may wait in an automated state before the sweeper re-enqueues its work, how
# often the sweeper runs, and the most proposals one sweep re-enqueues (oldest first), so a long
# backlog is not flooded with duplicates every minute.
EXPORTAI_SWEEPER_STALE_AFTER_SECONDS = env.int("EXPORTAI_SWEEPER_STALE_AFTER_SECONDS", default=300)
EXPORTAI_SWEEPER_INTERVAL_SECONDS = env.int("EXPORTAI_SWEEPER_INTERVAL_SECONDS", default=60)
# How often beat checks for congressional notification periods that have run.
EXPORTAI_EXIM_NOTIFICATION_SWEEP_SECONDS = env.int("EXPORTAI_EXIM_NOTIFICATION_SWEEP_SECONDS", default=3600)
# Days ahead an EXIM officer is reminded of a deal's target date (final commitment, closing).
EXPORTAI_EXIM_REMINDER_DAYS = env.int("EXPORTAI_EXIM_REMINDER_DAYS", default=7)
EXPORTAI_SWEEPER_BATCH = env.int("EXPORTAI_SWEEPER_BATCH", default=1000)
# Seconds a worker may reuse the completeness rules (program settings, countries) it read for intake;
# 0 reads them for every proposal. An administrator's change reaches intake within this delay.
EXPORTAI_INTAKE_RULES_MAX_AGE_SECONDS = env.int("EXPORTAI_INTAKE_RULES_MAX_AGE_SECONDS", default=30)
EXPORTAI_DEFAULT_HARDWARE_US_CONTENT_MIN = Decimal("0.51")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},  # every attempt is in its tables; lockouts are logged as warnings
        "django.db.backends": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},  # WeasyPrint's font subsetting logs every step at INFO
        "weasyprint": {"level": "WARNING"},
    },
}

# --- Security: two-factor, login throttling, content security policy (docs/security.md) --------
# Two-factor (TOTP, django-otp) is required for agency and staff accounts: accounts.middleware.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="ExportAI Portal")
# A wrong code doubles the wait before the next attempt on that device: 1 s, 2 s, 4 s, ...
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_TOTP_THROTTLE_FACTOR", default=1)
# The demo seed enrols each staff demo login with this base32 TOTP secret. Only with DEBUG (`make run`):
# a published secret must never guard a real account.
EXPORTAI_DEMO_TOTP_SECRET = env.str(
    "EXPORTAI_DEMO_TOTP_SECRET", default="EXPORTAIPORTALDEMOSECRETTOTP2345" if DEBUG else ""
)

# Login throttling (django-axes), on the sign-in page, the admin and the API token endpoint.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Either limit locks: N failures for one username (from anywhere), or N from one address.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
# How many proxies in front of gunicorn append to X-Forwarded-For (0: use the socket address), and
# optionally their addresses or networks: then X-Forwarded-For is read only from those peers
# (accounts.lockout.client_ip; the system check accounts.W00x compares it with the deployment).
EXPORTAI_TRUSTED_PROXY_COUNT = env.int("EXPORTAI_TRUSTED_PROXY_COUNT", default=0 if DEBUG else 1)
# In production only peers on private networks (a load balancer, the compose network) are believed by
# default, so a client reaching gunicorn's published port directly cannot choose its address.
EXPORTAI_TRUSTED_PROXIES = env.list(
    "EXPORTAI_TRUSTED_PROXIES",
    default=[]
    if DEBUG
    else ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "::1", "fc00::/7"],
)

# API tokens (django-rest-knox, accounts.tokens): lifetime, and how many one user may hold at once.
EXPORTAI_API_TOKEN_TTL_HOURS = env.int("EXPORTAI_API_TOKEN_TTL_HOURS", default=8)
EXPORTAI_API_TOKENS_PER_USER = env.int("EXPORTAI_API_TOKENS_PER_USER", default=10)
REST_KNOX = {"TOKEN_TTL": timedelta(hours=EXPORTAI_API_TOKEN_TTL_HOURS), "AUTO_REFRESH": False}
# The API schema and its docs pages open to anyone (development) or to signed-in users only.
EXPORTAI_API_DOCS_PUBLIC = env.bool("EXPORTAI_API_DOCS_PUBLIC", default=DEBUG)

# Content security policy (django-csp 4): our own origin only, no inline script, never framed.
# htmx's indicator <style> is switched off in base.html (htmx-config meta) and lives in portal.css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # USWDS and Swagger UI draw icons from data: SVGs in their CSS
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Production hardening (DEBUG=false) --------------------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)  # one working day
    CSRF_COOKIE_SECURE = True
    X_FRAME_OPTIONS = "DENY"

# --- Celery queues, routing and delivery guarantees (see docs/operations.md) -----------

# Tasks are named by queue (`intake_*`, `commerce_*`, ...): the routes below follow from the names.
CELERY_TASK_DEFAULT_QUEUE = "intake"
CELERY_TASK_ROUTES = {
    "proposals.intake.tasks.intake_*": {"queue": "intake"},
    "proposals.search.tasks.intake_*": {"queue": "intake"},
    "proposals.commerce.tasks.commerce_*": {"queue": "commerce"},
    "proposals.exim.tasks.exim_*": {"queue": "exim"},
    "proposals.documents.tasks.document_*": {"queue": "documents"},
    "proposals.notify.tasks.notify_*": {"queue": "notify"},
}
# Acknowledge a message only after its task has run, and give it back to the broker when the
# process running it dies (SIGKILL, out of memory): at-least-once delivery; tasks are idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A lost broker connection means the broker will deliver the running tasks again: stop them.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Celery's Django fixup closes the database connection around every task unless told to reuse it:
# a new PostgreSQL connection per task cost intake about a fifth of its time. Reuse it for this many
# tasks, then reconnect; a connection that broke meanwhile fails one task, which is retried.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=200)
# Each worker process reserves one message at a time, so a busy worker does not sit on others' work.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    # The one sweeper: the work each track owes (intake.workflow.OWED_WORK) whose message was lost.
    "sweep-owed-work": {
        "task": "proposals.intake.tasks.intake_sweep_owed_work",
        "schedule": EXPORTAI_SWEEPER_INTERVAL_SECONDS,
        # A sweep still queued when the next one is due is dropped, so a backlog does not stack sweeps.
        "options": {"expires": EXPORTAI_SWEEPER_INTERVAL_SECONDS},
    },
    "commerce-check-clocks": {
        "task": "proposals.commerce.tasks.commerce_check_clocks",
        "schedule": env.int("EXPORTAI_COMMERCE_CLOCK_INTERVAL_SECONDS", default=3600),
    },
    "commerce-rfi-reminders": {
        "task": "proposals.commerce.tasks.commerce_rfi_reminders",
        "schedule": env.int("EXPORTAI_RFI_REMINDER_INTERVAL_SECONDS", default=3600),
    },
    "exim-notification-period": {
        "task": "proposals.exim.tasks.exim_notification_sweep",
        "schedule": EXPORTAI_EXIM_NOTIFICATION_SWEEP_SECONDS,
    },
    "exim-deadline-reminders": {
        "task": "proposals.exim.tasks.exim_deadline_reminders",
        "schedule": env.int("EXPORTAI_EXIM_REMINDER_INTERVAL_SECONDS", default=3600),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Notifications and generated documents ------------------------------------------------------
# Links in email point here (the portal's public address).
EXPORTAI_SITE_URL = env.str("EXPORTAI_SITE_URL", default="http://localhost:8000")
# A failed send waits base * 2^(attempts - 1) seconds, never more than the cap, then is retried.
EXPORTAI_OUTBOX_RETRY_BASE_SECONDS = env.int("EXPORTAI_OUTBOX_RETRY_BASE_SECONDS", default=60)
EXPORTAI_OUTBOX_RETRY_MAX_SECONDS = env.int("EXPORTAI_OUTBOX_RETRY_MAX_SECONDS", default=6 * 3600)
# How often beat looks for messages due (a lost message or a retry); and when the digest goes out.
EXPORTAI_OUTBOX_FLUSH_INTERVAL_SECONDS = env.int("EXPORTAI_OUTBOX_FLUSH_INTERVAL_SECONDS", default=30)
EXPORTAI_DIGEST_HOUR = env.int("EXPORTAI_DIGEST_HOUR", default=7)  # local time (TIME_ZONE)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# Generated papers (proposals.documents.services.generated): seconds one render may take before the
# worker stops it (soft limit; the hard limit is 30 s later), how many attempts a paper gets before it
# is marked as not renderable, and the largest data (canonical JSON, bytes) a paper is rendered from.
EXPORTAI_PAPER_RENDER_SECONDS = env.int("EXPORTAI_PAPER_RENDER_SECONDS", default=120)
EXPORTAI_PAPER_RENDER_ATTEMPTS = env.int("EXPORTAI_PAPER_RENDER_ATTEMPTS", default=3)
EXPORTAI_PAPER_MAX_SOURCE_BYTES = env.int("EXPORTAI_PAPER_MAX_SOURCE_BYTES", default=4 * 1024 * 1024)
if EMAIL_BACKEND.endswith("filebased.EmailBackend"):
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))

CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE |= {
    "notify-flush-outbox": {
        "task": "proposals.notify.tasks.notify_flush_outbox",
        "schedule": EXPORTAI_OUTBOX_FLUSH_INTERVAL_SECONDS,
    },
    "notify-daily-digest": {
        "task": "proposals.notify.tasks.notify_daily_digest",
        "schedule": crontab(minute=0, hour=EXPORTAI_DIGEST_HOUR),
    },
}
