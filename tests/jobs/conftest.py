import contextlib
import uuid

import pytest
from django_q.brokers import get_broker
from django_q.conf import Conf


@pytest.fixture(autouse=True)
def own_queue(monkeypatch, settings, tmp_path):
    """Each test enqueues into its own django-q2 queue and writes under its own SHARED_DIR."""
    name = f"portal-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(Conf, "CLUSTER_NAME", name)
    monkeypatch.setattr(Conf, "PREFIX", name)
    settings.SHARED_DIR = tmp_path / "shared"
    yield name
    # The ORM queue lives in the test transaction and is rolled back anyway.
    with contextlib.suppress(Exception):
        get_broker(name).delete_queue()


@pytest.fixture
def queue(own_queue):
    """The broker this test's jobs are enqueued to."""
    return get_broker(own_queue)
