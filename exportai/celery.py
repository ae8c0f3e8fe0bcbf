"""The Celery application: configured from Django settings (CELERY_* names)."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exportai.settings")

app = Celery("exportai")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in ("intake", "commerce", "exim", "documents", "notify")]
app.autodiscover_tasks()
