"""Python client of the Files API: resumable uploads with a pinned CRC32C, verified downloads."""

from .client import FilesClient
from .errors import FilesApiError, StorageError
from .models import (
    DownloadUrl,
    EventList,
    File,
    FileContent,
    FileEvent,
    FileFailure,
    FileList,
    Progress,
    Redelivery,
    UploadSession,
    WebhookDelivery,
    WebhookDeliveryList,
    WebhookEndpoint,
    WebhookList,
)
from .retry import RetryPolicy
from .webhooks import WebhookVerificationError, verify_webhook

__all__ = [
    "DownloadUrl",
    "EventList",
    "File",
    "FileContent",
    "FileEvent",
    "FileFailure",
    "FileList",
    "FilesApiError",
    "FilesClient",
    "Progress",
    "Redelivery",
    "RetryPolicy",
    "StorageError",
    "UploadSession",
    "WebhookDelivery",
    "WebhookDeliveryList",
    "WebhookEndpoint",
    "WebhookList",
    "WebhookVerificationError",
    "verify_webhook",
]
