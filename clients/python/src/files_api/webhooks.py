"""Checking a webhook the Files API sent (Standard Webhooks), with the standard library only."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any, Mapping

from .models import FileEvent

#: How far a delivery's ``webhook-timestamp`` may be from now, either way, in seconds.
TOLERANCE_SECONDS = 5 * 60


class WebhookVerificationError(ValueError):
    """The delivery is not the API's: a header is missing, the signature does not match, or it is stale."""


def verify_webhook(body: bytes, headers: Mapping[str, Any], secret: str, *, now: float | None = None) -> FileEvent:
    """Checks the signature over ``webhook-id``, ``webhook-timestamp`` and the body, made with the
    endpoint's secret (``whsec_…``), and a timestamp within five minutes; answers the event. Pass the
    body exactly as received (bytes), never re-serialized JSON. Deduplicate on ``webhook-id``: delivery
    is at least once. Raises ``WebhookVerificationError``."""
    wanted = {name.lower(): value for name, value in headers.items()}
    message_id, timestamp, signatures = (
        str(wanted.get(name) or "") for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
    )
    if not (message_id and timestamp and signatures):
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not a number") from None
    if abs((time.time() if now is None else now) - sent_at) > TOLERANCE_SECONDS:
        raise WebhookVerificationError("webhook-timestamp is more than five minutes away")
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except binascii.Error:
        raise WebhookVerificationError("the secret is not whsec_ and base64") from None
    signed = message_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for each in signatures.split():
        version, _, signature = each.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return FileEvent.from_dict(json.loads(body))
    raise WebhookVerificationError("no signature matches")
