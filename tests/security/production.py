"""Production's settings in a fresh Django process (DEBUG off, a random secret key): what settings.py
decides at import, which the test process, already configured, cannot read again."""

import os
import secrets
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production_env(*, unset: Iterable[str] = (), **variables: str) -> dict[str, str]:
    """This process's environment with DEBUG off, a fresh secret key and `variables`, less `unset`."""
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(64), **variables}
    for name in unset:
        env.pop(name, None)
    return env


def printed_in_production(code: str, *, unset: Iterable[str] = ()) -> str:
    """What `code` prints under `manage.py shell` with production's settings (without `unset`)."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", code],
        cwd=ROOT,
        env=production_env(unset=unset),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()
