"""The production shape's files agree with the settings: .env.example names every setting the settings
read and nothing they do not, and docker-compose.yml runs one worker per Celery queue."""

import re
from pathlib import Path

import yaml
from django.conf import settings

BASE = Path(settings.BASE_DIR)
# env.str("NAME", ...), env.int(\n "NAME" ...), env.db("NAME") ...: every environment variable read.
_READ = re.compile(r"\benv(?:\.[a-z_]+)?\(\s*\"([A-Z][A-Z0-9_]+)\"")
# NAME=value, or "# NAME=value" for a setting documented but left at its default.
_LINE = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]+)=", re.M)


def _read_by_settings() -> set[str]:
    return set(_READ.findall((BASE / "exportai" / "settings.py").read_text()))


def _env_example() -> dict[str, bool]:
    """Name -> whether the line is active (not commented out)."""
    return {name: not comment for comment, name in _LINE.findall((BASE / ".env.example").read_text())}


def test_env_example_lists_every_setting_the_settings_read():
    assert sorted(_read_by_settings() - set(_env_example())) == []


def test_env_example_sets_nothing_the_settings_do_not_read():
    active = {name for name, on in _env_example().items() if on}
    assert sorted(active - _read_by_settings()) == []


def test_compose_runs_one_worker_for_each_queue_and_one_beat():
    services = yaml.safe_load((BASE / "docker-compose.yml").read_text())["services"]
    consumed: dict[str, list[str]] = {}
    beats = []
    for name, service in services.items():
        command = service.get("command") or []
        if command[:4] == ["celery", "-A", "exportai", "worker"]:
            queues = command[command.index("-Q") + 1].split(",")
            for queue in queues:
                consumed.setdefault(queue, []).append(name)
            assert len(queues) == 1, f"{name} consumes several queues: {queues}"
        elif command[:4] == ["celery", "-A", "exportai", "beat"]:
            beats.append(name)
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert {queue: len(names) for queue, names in consumed.items()} == dict.fromkeys(routed, 1)
    assert consumed["documents"] != consumed["notify"]
    assert beats == ["beat"]
