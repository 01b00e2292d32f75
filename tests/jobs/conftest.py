import contextlib
import smtplib
import uuid

import pytest
from django.core.mail.backends import locmem
from django_q.brokers import get_broker
from django_q.conf import Conf


@pytest.fixture(autouse=True)
def own_queue(monkeypatch, settings, tmp_path):
    """Each test enqueues into its own django-q2 queue and writes under its own SHARED_DIR."""
    name = f"portal-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(Conf, "CLUSTER_NAME", name)
    monkeypatch.setattr(Conf, "PREFIX", name)
    # Where clusters of this queue publish their stats (read by the watchdog).
    monkeypatch.setattr(Conf, "Q_STAT", f"django_q:{name}:cluster")
    settings.SHARED_DIR = tmp_path / "shared"
    yield name
    # The ORM queue lives in the test transaction and is rolled back anyway.
    with contextlib.suppress(Exception):
        get_broker(name).delete_queue()


@pytest.fixture
def queue(own_queue):
    """The broker this test's jobs are enqueued to."""
    return get_broker(own_queue)


class FlakyEmailBackend(locmem.EmailBackend):
    """The in-memory backend, except that it refuses recipients listed in `refuse`."""

    refuse: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            bad = self.refuse.intersection(message.to)
            if bad:
                raise smtplib.SMTPRecipientsRefused(dict.fromkeys(bad, (550, b"no such user")))
        return super().send_messages(messages)


@pytest.fixture
def flaky_email(settings):
    settings.EMAIL_BACKEND = "tests.jobs.conftest.FlakyEmailBackend"
    FlakyEmailBackend.refuse = set()
    yield FlakyEmailBackend.refuse
    FlakyEmailBackend.refuse = set()
