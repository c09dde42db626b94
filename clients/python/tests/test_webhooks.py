"""Webhook endpoints through the client (the demo key is an owner's), and verify_webhook."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import replace

import pytest
from conftest import random_file
from test_events import events_of

from files_api import FilesApiError, WebhookVerificationError, verify_webhook

# Nothing listens on the discard port: deliveries fail, which the local stack allows to loopback.
HOOK_URL = "http://127.0.0.1:9/hook"


def deliveries_of(client, webhook_id: str, file_id: str) -> list:
    """The endpoint's attempts at the file's upload event, once there is one (delivery is asynchronous)."""
    uploaded = [e.id for e in events_of(client, file_id, 2) if e.type == "file.uploaded"]
    deadline = time.monotonic() + 30
    while True:
        attempts = [d for d in client.list_webhook_deliveries(webhook_id).deliveries if d.event_id in uploaded]
        if attempts or time.monotonic() > deadline:
            return attempts
        time.sleep(0.5)


def test_an_endpoint_is_created_listed_changed_rotated_and_deleted(client, tmp_path):
    created = client.create_webhook(HOOK_URL, event_types=["file.uploaded"], description="pytest")
    assert created.id.startswith("we_") and created.object == "webhook_endpoint"
    assert (created.url, created.event_types, created.description) == (HOOK_URL, ["file.uploaded"], "pytest")
    assert created.enabled and created.disabled_reason is None
    assert created.secret and created.secret.startswith("whsec_")
    try:
        assert created.id in [w.id for w in client.list_webhooks().webhooks]
        random_file(tmp_path / "hooked.txt", 100)
        file = client.upload_file(tmp_path / "hooked.txt")
        attempts = deliveries_of(client, created.id, file.id)
        assert attempts, "no delivery attempt within 30 s"
        first = attempts[-1]
        assert (first.event_type, first.success, first.status) == ("file.uploaded", False, None)
        assert first.error and first.latency_ms >= 0
        again = client.redeliver_event(first.event_id)
        assert again.event_id == first.event_id and created.id in again.webhook_ids
        got = client.get_webhook(created.id)
        assert got.secret is None
        assert replace(got, updated_at="") == replace(created, secret=None, updated_at="")
        changed = client.update_webhook(created.id, event_types=["file.deleted"], enabled=False)
        assert (changed.event_types, changed.enabled) == (["file.deleted"], False)
        assert changed.disabled_reason == "manual"
        rotated = client.rotate_webhook_secret(created.id)
        assert rotated.secret and rotated.secret.startswith("whsec_") and rotated.secret != created.secret
        assert all(d.webhook_id == first.webhook_id for d in client.list_webhook_deliveries(created.id).deliveries
                   if d.event_id == first.event_id)
    finally:
        client.delete_webhook(created.id)
    with pytest.raises(FilesApiError) as missing:
        client.get_webhook(created.id)
    assert (missing.value.status, missing.value.code) == (404, "WEBHOOK_NOT_FOUND")
    assert created.id not in [w.id for w in client.list_webhooks().webhooks]


def test_a_create_sent_again_with_its_key_answers_the_same_endpoint(client):
    key = "pytest-webhook-create-" + base64.b32encode(hashlib.sha256(str(time.time()).encode()).digest()[:10]).decode()
    first = client.create_webhook(HOOK_URL, description="retried", idempotency_key=key)
    try:
        again = client.create_webhook(HOOK_URL, description="retried", idempotency_key=key)
        assert (again.id, again.secret) == (first.id, first.secret)
        assert [w.id for w in client.list_webhooks().webhooks].count(first.id) == 1
        with pytest.raises(FilesApiError) as reused:
            client.create_webhook(HOOK_URL, description="another body", idempotency_key=key)
        assert (reused.value.status, reused.value.code) == (409, "IDEMPOTENCY_KEY_REUSED")
    finally:
        client.delete_webhook(first.id)


def test_an_unknown_event_is_not_redelivered(client):
    with pytest.raises(FilesApiError) as missing:
        client.redeliver_event("evt_doesnotexist")
    assert missing.value.status == 404


SECRET = "whsec_" + base64.b64encode(b"a key of thirty-two bytes, really").decode()
BODY = json.dumps({"id": "evt_1", "object": "event", "type": "file.uploaded", "created_at": "2026-12-07T00:00:00Z",
                   "organization_id": "org_1", "data": {"file": {}}}).encode()


def signed(body: bytes, timestamp: int, secret: str = SECRET) -> dict[str, str]:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"msg_1.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return {"webhook-id": "msg_1", "webhook-timestamp": str(timestamp),
            "webhook-signature": "v1,bm90IHRoaXMgb25l v1," + base64.b64encode(mac).decode()}


def test_verify_webhook_answers_the_event_of_a_signed_delivery():
    headers = {name.title(): value for name, value in signed(BODY, int(time.time())).items()}
    event = verify_webhook(BODY, headers, SECRET)
    assert (event.id, event.type, event.organization_id) == ("evt_1", "file.uploaded", "org_1")


@pytest.mark.parametrize(
    ("body", "headers", "secret"),
    [
        (BODY + b" ", signed(BODY, int(time.time())), SECRET),  # altered
        (BODY, signed(BODY, int(time.time())), "whsec_" + base64.b64encode(b"another key").decode()),
        (BODY, signed(BODY, int(time.time()) - 600), SECRET),  # stale
        (BODY, signed(BODY, int(time.time()) + 600), SECRET),  # from the future
        (BODY, {**signed(BODY, int(time.time())), "webhook-signature": ""}, SECRET),
    ],
    ids=["altered", "another-secret", "stale", "future", "unsigned"],
)
def test_verify_webhook_refuses(body, headers, secret):
    with pytest.raises(WebhookVerificationError):
        verify_webhook(body, headers, secret)
