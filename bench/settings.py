"""Settings for `make bench`: the project's settings against the bench database, with the bench URLs.

The bench never uses anyone's test database: EXPORTAI_BENCH_DATABASE_URL, default exportai_bench.
DEBUG is off so pages render as in production (no debug toolbar-style overhead, no query log).
"""

from exportai.settings import *  # noqa: F403
from exportai.settings import CACHES, POSTGRES_OPTIONS, env

BENCH_DATABASE_URL = env.str(
    "EXPORTAI_BENCH_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/exportai_bench"
)
DATABASES = {"default": env.db_url_config(BENCH_DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["OPTIONS"] = dict(POSTGRES_OPTIONS)  # as the portal's (no JIT)
# Persistent connections, as in production (.env.example): otherwise every request, portal and
# baseline alike, pays for a new PostgreSQL connection and the ratios measure that instead.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
ROOT_URLCONF = "bench.urls"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# The bench's own keys in the shared cache (never a test run's).
CACHES["default"]["KEY_PREFIX"] = "bench"
