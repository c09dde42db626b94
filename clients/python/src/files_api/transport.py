"""One JSON call of the API, with retries: nearly every call the client makes is safe to repeat (reads,
deletes, register, and upload-url under its Idempotency-Key). One that is not (creating a webhook, which
has no Idempotency-Key) is called with ``repeatable=False`` and retried only after a 429, which did nothing."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from .errors import FilesApiError, api_error_from
from .retry import RetryPolicy, is_transient_status

# What this client calls of the route table (schemas/api.contract.json), by operation id.
# A test fails when the table has an operation that is not here.
OPERATIONS: dict[str, tuple[str, str]] = {
    "createUploadUrl": ("POST", "/v1/organizations/{organization_id}/files/upload-url"),
    "registerFile": ("POST", "/v1/organizations/{organization_id}/files"),
    "listFiles": ("GET", "/v1/organizations/{organization_id}/files"),
    "listEvents": ("GET", "/v1/organizations/{organization_id}/events"),
    "getFile": ("GET", "/v1/organizations/{organization_id}/files/{file_id}"),
    "updateFile": ("PATCH", "/v1/organizations/{organization_id}/files/{file_id}"),
    "deleteFile": ("DELETE", "/v1/organizations/{organization_id}/files/{file_id}"),
    "getDownloadUrl": ("GET", "/v1/organizations/{organization_id}/files/{file_id}/download-url"),
    "uploadFile": ("POST", "/v1/organizations/{organization_id}/files/upload"),
    "getFileContent": ("GET", "/v1/organizations/{organization_id}/files/{file_id}/content"),
    "createWebhook": ("POST", "/v1/organizations/{organization_id}/webhooks"),
    "listWebhooks": ("GET", "/v1/organizations/{organization_id}/webhooks"),
    "getWebhook": ("GET", "/v1/organizations/{organization_id}/webhooks/{webhook_id}"),
    "updateWebhook": ("PATCH", "/v1/organizations/{organization_id}/webhooks/{webhook_id}"),
    "deleteWebhook": ("DELETE", "/v1/organizations/{organization_id}/webhooks/{webhook_id}"),
    "rotateWebhookSecret": ("POST", "/v1/organizations/{organization_id}/webhooks/{webhook_id}/rotate-secret"),
    "listWebhookDeliveries": ("GET", "/v1/organizations/{organization_id}/webhooks/{webhook_id}/deliveries"),
    "redeliverEvent": ("POST", "/v1/organizations/{organization_id}/events/{event_id}/redeliver"),
}

#: (connect, read) seconds: a frozen peer cannot hang a call
TIMEOUT = (10.0, 120.0)


@dataclass
class Transport:
    base_url: str
    api_key: str
    session: requests.Session
    retry: RetryPolicy

    def call(
        self,
        operation: str,
        params: dict[str, str],
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        form: dict[str, Any] | None = None,
        repeatable: bool = True,
    ) -> Any:
        method, template = OPERATIONS[operation]
        path = template.format(**{name: quote(value, safe="") for name, value in params.items()})
        url = self.base_url.rstrip("/") + path
        sent_headers = {"X-API-Key": self.api_key, "Accept": "application/json", **(headers or {})}
        query = {name: value for name, value in (query or {}).items() if value is not None}
        attempt = 0
        while True:
            retry_after = None
            try:
                response = self.session.request(
                    method, url, params=query, json=body, files=form, headers=sent_headers, timeout=TIMEOUT
                )
            except requests.RequestException as error:
                if not repeatable:
                    raise
                failure: Exception = error
            else:
                if response.ok:
                    return response.json() if response.content else None
                failure = api_error_from(response)
                if not is_transient_status(response.status_code) or (not repeatable and response.status_code != 429):
                    raise failure
                retry_after = failure.retry_after if isinstance(failure, FilesApiError) else None
            if attempt >= self.retry.retries:
                raise failure
            time.sleep(self.retry.delay(attempt, retry_after))
            attempt += 1
