"""Typed answers of the Files API, field for field as schemas/ describes them (a test checks that)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal, TypeVar

FileStatus = Literal["uploading", "uploaded", "failed", "cancelled", "expired", "deleted"]

T = TypeVar("T")


def _build(cls: type[T], data: dict[str, Any]) -> T:
    """Known fields by name; a field a newer server added is kept in ``extra``, not refused."""
    names = {f.name for f in fields(cls)} - {"extra"}  # type: ignore[arg-type]
    known = {name: value for name, value in data.items() if name in names}
    extra = {name: value for name, value in data.items() if name not in names}
    return cls(**known, extra=extra)  # type: ignore[call-arg]


@dataclass(frozen=True)
class FileFailure:
    reason: str
    field: str | None
    expected: Any
    actual: Any


@dataclass(frozen=True)
class File:
    """The File object (schemas/file.schema.json)."""

    id: str
    object: str
    organization_id: str
    original_filename: str
    file_size: int
    mime_type: str
    storage_path: str
    status: FileStatus
    crc32c: str | None
    md5_hash: str | None
    uploaded_by: str
    uploaded_by_api_key_id: str
    created_at: str
    uploaded_at: str | None
    expires_at: str | None
    failure: FileFailure | None
    purpose: str = "user_upload"
    metadata: dict[str, str] = field(default_factory=dict)
    #: only while ``uploading``: the bytes its session has received (as storage said a few seconds ago)
    bytes_received: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> File:
        failure = data.get("failure")
        return _build(cls, {**data, "failure": FileFailure(**failure) if isinstance(failure, dict) else None})


@dataclass(frozen=True)
class FileList:
    """One page of files, newest first (schemas/file-list.schema.json)."""

    files: list[File]
    total: int
    page: int
    limit: int
    has_more: bool
    next_page_token: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileList:
        return _build(cls, {**data, "files": [File.from_dict(f) for f in data.get("files", [])]})


@dataclass(frozen=True)
class FileEvent:
    """A change of a file, with the file right after it (schemas/event.schema.json, docs/EVENTS.md)."""

    id: str
    object: str
    type: str
    created_at: str
    organization_id: str
    data: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def file(self) -> File:
        return File.from_dict(self.data["file"])

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileEvent:
        return _build(cls, data)


@dataclass(frozen=True)
class EventList:
    """The events after a cursor, oldest first (schemas/event-list.schema.json)."""

    events: list[FileEvent]
    has_more: bool
    next_after: str | None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EventList:
        return _build(cls, {**data, "events": [FileEvent.from_dict(e) for e in data.get("events", [])]})


@dataclass(frozen=True)
class UploadSession:
    """upload-url's answer (schemas/upload-url-response.schema.json), plus what was declared for it,
    which register repeats. It is all a later run needs to resume: the ``upload_url`` is a capability
    to write the object, so keep it as private as the API key."""

    upload_url: str
    gcs_path: str
    file_id: str
    expires_at: str
    max_file_size: int
    upload_type: str
    chunk_size_recommended: int
    filename: str = ""
    mime_type: str = ""
    file_size: int = 0
    crc32c: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UploadSession:
        return _build(cls, data)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}


@dataclass(frozen=True)
class DownloadUrl:
    """A short-lived signed URL (schemas/download-url-response.schema.json)."""

    download_url: str
    expires_at: str
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DownloadUrl:
        return _build(cls, data)


@dataclass(frozen=True)
class FileContent:
    """A file and a signed URL to its bytes (schemas/file-content.schema.json)."""

    file_id: str
    filename: str
    mime_type: str
    file_size: int
    download_url: str
    expires_at: str
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileContent:
        return _build(cls, data)


@dataclass(frozen=True)
class WebhookEndpoint:
    """A webhook endpoint (schemas/webhook-endpoint.schema.json). ``secret`` (``whsec_…``) is answered by
    create and rotate-secret only: keep it, it is never shown again."""

    id: str
    object: str
    url: str
    event_types: list[str]
    description: str
    enabled: bool
    disabled_reason: str | None
    created_at: str
    updated_at: str
    secret: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WebhookEndpoint:
        return _build(cls, data)


@dataclass(frozen=True)
class WebhookList:
    """Every webhook endpoint of the organization, oldest first (schemas/webhook-list.schema.json)."""

    webhooks: list[WebhookEndpoint]
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WebhookList:
        return _build(cls, {**data, "webhooks": [WebhookEndpoint.from_dict(w) for w in data.get("webhooks", [])]})


@dataclass(frozen=True)
class WebhookDelivery:
    """One delivery attempt (an item of schemas/webhook-delivery-list.schema.json). ``webhook_id`` is the
    ``webhook-id`` header sent, the same on every attempt of one event; ``status`` is None when no answer came."""

    event_id: str
    event_type: str
    webhook_id: str
    attempted_at: str
    status: int | None
    latency_ms: int
    success: bool
    error: str | None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WebhookDelivery:
        return _build(cls, data)


@dataclass(frozen=True)
class WebhookDeliveryList:
    """An endpoint's latest delivery attempts, newest first (schemas/webhook-delivery-list.schema.json)."""

    deliveries: list[WebhookDelivery]
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WebhookDeliveryList:
        return _build(cls, {**data, "deliveries": [WebhookDelivery.from_dict(d) for d in data.get("deliveries", [])]})


@dataclass(frozen=True)
class Redelivery:
    """redeliver's answer: the endpoints the event was queued for again (schemas/redeliver-response.schema.json)."""

    event_id: str
    webhook_ids: list[str]
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Redelivery:
        return _build(cls, data)


@dataclass(frozen=True)
class Progress:
    """What ``on_progress`` hears. ``phase`` is ``checksum`` (the CRC32C pass before the first byte),
    ``upload`` (bytes the session confirmed) or ``download`` (bytes written)."""

    phase: Literal["checksum", "upload", "download"]
    done: int
    total: int
