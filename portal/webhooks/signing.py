"""What a webhook request carries: the JSON body, its headers and its signature.

The body names the event's id, which stays the same on every attempt and redelivery: it is the
receiver's idempotency key (delivery is at least once). docs/events.md shows the receiver's side.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from django.utils import timezone


def event_body(delivery) -> bytes:
    """The request body of a delivery (compact JSON, UTF-8)."""
    event = delivery.event
    if event is None:  # a test ping
        data = {
            "id": None,
            "kind": delivery.kind,
            "created_at": timezone.localtime(delivery.created_at).isoformat(),
            "team": delivery.endpoint.team_id,
            "task": None,
            "actor": None,
            "payload": {"endpoint": delivery.endpoint_id},
        }
    else:
        data = {
            "id": event.pk,
            "kind": event.kind,
            "created_at": timezone.localtime(event.created_at).isoformat(),
            "team": event.team_id,
            "task": event.task_id,
            "actor": event.actor_id,
            "payload": event.payload,
        }
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """hex HMAC-SHA256(secret, f"{timestamp}.{body}")."""
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def request_headers(delivery, body: bytes, *, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(now if now is not None else time.time()))
    return {
        "Content-Type": "application/json",
        "User-Agent": "portal-webhooks/1",
        "X-Portal-Event": delivery.kind,
        "X-Portal-Delivery": str(delivery.pk),
        "X-Portal-Timestamp": timestamp,
        "X-Portal-Signature": f"sha256={signature(delivery.endpoint.secret, timestamp, body)}",
    }
