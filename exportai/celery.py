"""The Celery application: configured from Django settings (CELERY_* names)."""

import os

from celery import Celery
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exportai.settings")

app = Celery("exportai")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each queue gets its own direct exchange and routing key: with one shared default exchange every
# queue would be bound to the same key and receive a copy of every task.
app.conf.task_queues = [
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in ("intake", "commerce", "exim", "documents", "notify")
]
# Each area keeps its tasks in its own `tasks` module.
app.autodiscover_tasks(
    [f"proposals.{area}" for area in ("intake", "commerce", "exim", "documents", "notify", "search")]
)
