"""`make run`'s embedded default, as a new engineer gets it: migrate, reference data and the demo seed
on SQLite, then the main list pages of each role answer. The rest of the suite runs on PostgreSQL, so
a PostgreSQL-only statement in a shared path (one once broke every move on SQLite) shows only here.
Processes of their own, on a database file in the test's temporary folder."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WALK = """
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from accounts.models import User

settings.ALLOWED_HOSTS = ["testserver"]
pages = {
    "atlas.lead": ["home", "api-proposal-list"],
    "commerce": ["home", "commerce-queue", "api-commerce-queue", "api-proposal-list"],
    "exim": ["home", "exim-pipeline", "api-exim-deals"],
}
for name, routes in pages.items():
    user = User.objects.get(username=name)
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    for route in routes:
        for query in ({}, {"q": "kenya", "eccn": "3A090"}):
            print(name, route, query, client.get(reverse(route), query).status_code)
"""


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_make_run_seeds_the_embedded_database_and_its_list_pages_answer(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CACHE_URL": "locmemcache://",
        "CELERY_BROKER_URL": "memory://",  # the seed's follow-up messages go nowhere: no worker here
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    for step in (("migrate", "--no-input", "-v0"), ("load_reference_data",), ("seed_demo",)):
        done = _manage(*step, env=env)
        assert done.returncode == 0, (step, done.stderr[-2000:])
    walked = _manage("shell", "-v0", "-c", WALK, env=env)
    assert walked.returncode == 0, walked.stderr[-2000:]
    lines = walked.stdout.strip().splitlines()
    assert len(lines) == 18
    assert [line for line in lines if not line.endswith(" 200")] == []
