"""Pick the services `make test` runs against, say which, then run pytest with the given arguments.

PostgreSQL: DATABASE_URL if set, else 127.0.0.1:5432 when it answers, else SQLite (printed loudly:
the PostgreSQL-only checks, such as the append-only audit trigger, are then skipped and reported as such).
Broker for the worker tests: CELERY_BROKER_URL if set, else Redis on 127.0.0.1:6379 when it answers,
else the filesystem transport. Cache (CACHE_URL): likewise Redis, else local memory.
"""

import os
import socket
import sys


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def main() -> None:
    env = os.environ
    if "DATABASE_URL" not in env:
        if _answers("127.0.0.1", 5432):
            env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/exportai"
        else:
            print("make test: no PostgreSQL on 127.0.0.1:5432, running against SQLite", file=sys.stderr)
    if "CELERY_BROKER_URL" not in env and _answers("127.0.0.1", 6379):
        env["CELERY_BROKER_URL"] = "redis://127.0.0.1:6379/15"
    if "CACHE_URL" not in env:
        # Real worker processes invalidate cached pages, so the cache is shared: Redis when it
        # answers, else local memory (the worker tests then use the filesystem broker anyway).
        env["CACHE_URL"] = "redis://127.0.0.1:6379/8" if _answers("127.0.0.1", 6379) else "locmemcache://"
    # Keys of parallel runs (CI, developers' checkouts) apart: one prefix per test database.
    env.setdefault("CACHE_KEY_PREFIX", "test-" + env.get("DATABASE_URL", "sqlite").rsplit("/", 1)[-1])
    db = env.get("DATABASE_URL", "sqlite (embedded)").split("@")[-1]
    print(f"make test: database {db}, broker {env.get('CELERY_BROKER_URL', 'filesystem://')}")
    python = sys.executable
    os.execv(python, [python, "-m", "pytest", *sys.argv[1:]])


if __name__ == "__main__":
    main()
