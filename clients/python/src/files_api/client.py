"""FilesClient: the Files API of one organization, as one API key sees it."""

from __future__ import annotations

import json
import mimetypes
import os
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

import requests

from .crc32c import Crc32c, crc32c_of
from .download import download_into
from .errors import StorageError
from .retry import RetryPolicy
from .session import send_bytes
from .transport import Transport
from .models import (
    DownloadUrl,
    EventList,
    File,
    FileContent,
    FileList,
    FileStatus,
    Progress,
    Redelivery,
    UploadSession,
    WebhookDeliveryList,
    WebhookEndpoint,
    WebhookList,
)

ProgressCallback = Callable[[Progress], None]
Source = str | os.PathLike[str] | BinaryIO

#: The largest file ``upload_file`` sends in one request: the server's default cap (30 MiB), less
#: room for the form's framing, as the TypeScript SDK does.
DIRECT_UPLOAD_MAX_BYTES = 30 * 1024 * 1024 - 64 * 1024


class FilesClient:
    """``FilesClient(base_url, api_key, organization_id)``; any of them left out is read from
    ``FILES_API_URL``, ``FILES_API_KEY``, ``FILES_ORG``."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        organization_id: str | None = None,
        *,
        retry: RetryPolicy | None = None,
        http: requests.Session | None = None,
    ) -> None:
        base_url = base_url or os.environ.get("FILES_API_URL")
        api_key = api_key or os.environ.get("FILES_API_KEY")
        organization_id = organization_id or os.environ.get("FILES_ORG")
        missing = [
            name
            for name, value in (("base_url (FILES_API_URL)", base_url), ("api_key (FILES_API_KEY)", api_key),
                                ("organization_id (FILES_ORG)", organization_id))
            if not value
        ]
        if missing:
            raise ValueError(f"FilesClient needs {', '.join(missing)}")
        self.organization_id: str = organization_id  # type: ignore[assignment]
        self.retry = retry or RetryPolicy()
        # The API key goes only to the API; session URIs and download URLs get a session without it.
        self._api = Transport(base_url, api_key, http or requests.Session(), self.retry)  # type: ignore[arg-type]
        self._storage = requests.Session()

    # -- files -----------------------------------------------------------------------------------

    def get_file(self, file_id: str) -> File:
        return File.from_dict(self._call("getFile", file_id=file_id))

    def update_file(self, file_id: str, filename: str | None = None,
                    metadata: dict[str, str | None] | None = None) -> File:
        """PATCH: renames the file and/or merges ``metadata`` into its own (a ``None`` value removes
        that key). The object keeps its path; get, list and downloads show the new name."""
        change: dict[str, Any] = {}
        if filename is not None:
            change["filename"] = filename
        if metadata is not None:
            change["metadata"] = metadata
        if not change:
            raise ValueError("update_file needs a filename, metadata or both")
        return File.from_dict(self._call("updateFile", file_id=file_id, body=change))

    def delete_file(self, file_id: str) -> None:
        """Deletes a file, or cancels an upload in progress. Harmless to repeat."""
        self._call("deleteFile", file_id=file_id)

    def list_pages(self, *, status: FileStatus | None = None, limit: int | None = None,
                   purpose: str | None = None, search: str | None = None) -> Iterator[FileList]:
        """Every page, newest first (in filename order with ``search``, a case-insensitive prefix of the
        name; ``purpose`` keeps the files of one purpose): the first by number, each next by the previous
        ``next_page_token``, so a deep page costs no more than the first and files added meanwhile are
        neither skipped nor repeated."""
        filters: dict[str, Any] = {"status": status, "limit": limit, "purpose": purpose, "search": search}
        query: dict[str, Any] = {**filters, "page": 1}
        while True:
            page = FileList.from_dict(self._call("listFiles", query=query))
            yield page
            if not page.has_more or not page.files:
                return
            query = dict(filters)
            if page.next_page_token:
                query["page_token"] = page.next_page_token
            else:  # a server from before page tokens
                query["page"] = page.page + 1

    def list_files(self, *, status: FileStatus | None = None, limit: int | None = None,
                   purpose: str | None = None, search: str | None = None) -> Iterator[File]:
        """Every file of every page (``limit`` is the page size), filtered as ``list_pages`` says."""
        for page in self.list_pages(status=status, limit=limit, purpose=purpose, search=search):
            yield from page.files

    def list_events(self, *, after: str | None = None, limit: int | None = None, types: list[str] | None = None) -> EventList:
        """One page of the organization's events after ``after``, oldest first; pass ``next_after`` back as
        ``after`` to read on, each event once (docs/EVENTS.md)."""
        query = {"after": after, "limit": limit, "type": ",".join(types) if types else None}
        return EventList.from_dict(self._call("listEvents", query=query))

    def get_download_url(self, file_id: str, *, attachment: bool = False) -> DownloadUrl:
        query = {"disposition": "attachment"} if attachment else None
        return DownloadUrl.from_dict(self._call("getDownloadUrl", file_id=file_id, query=query))

    def get_file_content(self, file_id: str, *, attachment: bool = False) -> FileContent:
        """The file's name, type and size with a signed URL to its bytes (an hour by default)."""
        query = {"disposition": "attachment"} if attachment else None
        return FileContent.from_dict(self._call("getFileContent", file_id=file_id, query=query))

    def upload_direct(
        self,
        data: bytes,
        *,
        filename: str,
        mime_type: str,
        purpose: str | None = None,
        metadata: dict[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> File:
        """The direct upload: the bytes in one multipart request, answered with the ``uploaded`` File.
        For files up to the server's cap (``DIRECT_UPLOAD_MAX_BYTES``, 30 MiB by default)."""
        form: dict[str, Any] = {"file": (filename, data, mime_type)}
        if purpose is not None:
            form["purpose"] = (None, purpose)
        if metadata is not None:
            form["metadata"] = (None, json.dumps(metadata))
        answer = self._call(
            "uploadFile", form=form, headers={"Idempotency-Key": idempotency_key or str(uuid.uuid4())}
        )
        return File.from_dict(answer)

    # -- upload ----------------------------------------------------------------------------------

    def create_upload_session(
        self,
        *,
        filename: str,
        file_size: int,
        mime_type: str,
        crc32c: str | None = None,
        purpose: str | None = None,
        metadata: dict[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> UploadSession:
        """upload-url: a resumable session for the file described. ``purpose`` and ``metadata`` are
        sent only when given (a server that does not know them answers 400 ``UNKNOWN_FIELD``)."""
        body: dict[str, Any] = {"filename": filename, "file_size": file_size, "mime_type": mime_type}
        optional = {"crc32c": crc32c, "purpose": purpose, "metadata": metadata}
        body.update({name: value for name, value in optional.items() if value is not None})
        answer = self._call(
            "createUploadUrl", body=body, headers={"Idempotency-Key": idempotency_key or str(uuid.uuid4())}
        )
        return UploadSession.from_dict(
            {**answer, "filename": filename, "mime_type": mime_type, "file_size": file_size, "crc32c": crc32c}
        )

    def register_upload(self, session: UploadSession) -> File:
        """register: storage is checked against the declaration, and the file becomes ``uploaded``."""
        body = {
            "filename": session.filename,
            "gcs_path": session.gcs_path,
            "file_size": session.file_size,
            "mime_type": session.mime_type,
            "file_id": session.file_id,
        }
        return File.from_dict(self._call("registerFile", body=body))

    def upload_file(
        self,
        source: Source,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
        purpose: str | None = None,
        metadata: dict[str, str] | None = None,
        on_progress: ProgressCallback | None = None,
        checksum: bool = True,
        chunk_size: int | None = None,
        session: UploadSession | None = None,
        on_session: Callable[[UploadSession], None] | None = None,
    ) -> File:
        """Uploads a file the whole way and returns the registered File.

        ``source`` is a path or a seekable binary file object. A file up to
        ``DIRECT_UPLOAD_MAX_BYTES`` goes in one request (the direct upload), its CRC32C checked
        against the File's. A larger one, or one whose caller asks for a session (``session``,
        ``on_session`` or ``chunk_size``), takes the resumable session: the CRC32C computed first
        and pinned (``checksum=False`` skips that pass), the bytes in chunks with retries and
        resume, then register. ``on_session`` hears the session before the first byte: keep it,
        and pass it back as ``session`` to resume after the process died.
        """
        with ExitStack() as cleanup:
            stream, size, own_name = _open(source, cleanup)
            if size <= DIRECT_UPLOAD_MAX_BYTES and session is None and on_session is None and chunk_size is None:
                declared = _declared(filename or own_name, mime_type, purpose, metadata)
                return self._upload_direct(stream, size, declared, checksum, on_progress)
            resumed = session is not None
            if session is not None:
                if session.file_size != size:
                    raise ValueError(f"the session is for {session.file_size} bytes, the source has {size}")
            else:
                declared = _declared(filename or own_name, mime_type, purpose, metadata)
                session = self._start_session(stream, size, declared, checksum, on_progress)
            if on_session:
                on_session(session)
            return self._upload_resumable(
                stream, size, session, resumed=resumed, chunk_size=chunk_size, on_progress=on_progress
            )

    def _upload_direct(
        self, stream: BinaryIO, size: int, declared: _Declared, checksum: bool, on_progress: ProgressCallback | None
    ) -> File:
        data = stream.read(size)
        file = self.upload_direct(
            data,
            filename=declared.filename,
            mime_type=declared.mime_type,
            purpose=declared.purpose,
            metadata=declared.metadata,
        )
        if checksum:
            sent = Crc32c()
            sent.update(data)
            if file.crc32c != sent.base64():
                raise StorageError("CHECKSUM_MISMATCH", f"stored CRC32C {file.crc32c}, sent {sent.base64()}")
        report = _reporter(on_progress, "upload", size)
        if report:
            report(size)
        return file

    def _start_session(
        self, stream: BinaryIO, size: int, declared: _Declared, checksum: bool, on_progress: ProgressCallback | None
    ) -> UploadSession:
        crc32c = crc32c_of(stream, size, _reporter(on_progress, "checksum", size)) if checksum else None
        return self.create_upload_session(
            filename=declared.filename,
            file_size=size,
            mime_type=declared.mime_type,
            crc32c=crc32c,
            purpose=declared.purpose,
            metadata=declared.metadata,
        )

    def _upload_resumable(
        self,
        stream: BinaryIO,
        size: int,
        session: UploadSession,
        *,
        resumed: bool,
        chunk_size: int | None,
        on_progress: ProgressCallback | None,
    ) -> File:
        """The bytes into the session (a resumed one is asked what it has first), then register."""
        send_bytes(
            self._storage,
            session.upload_url,
            stream,
            size,
            chunk_size=chunk_size or session.chunk_size_recommended,
            retry=self.retry,
            start_at=None if resumed else 0,
            on_bytes=_reporter(on_progress, "upload", size),
        )
        return self.register_upload(session)

    # -- webhooks (owners and admins) ------------------------------------------------------------

    def create_webhook(self, url: str, event_types: list[str] | None = None,
                       description: str | None = None, idempotency_key: str | None = None) -> WebhookEndpoint:
        """A new endpoint for the organization's events (``event_types`` left out: every type). Its
        ``secret`` is in this answer only: keep it to check deliveries (``verify_webhook``). Sent with an
        Idempotency-Key (a new one unless given), so a retry after a lost answer gets the same endpoint,
        secret included, instead of making a second one."""
        body: dict[str, Any] = {"url": url}
        if event_types is not None:
            body["event_types"] = event_types
        if description is not None:
            body["description"] = description
        answer = self._call(
            "createWebhook", body=body, headers={"Idempotency-Key": idempotency_key or str(uuid.uuid4())}
        )
        return WebhookEndpoint.from_dict(answer)

    def list_webhooks(self) -> WebhookList:
        """Every endpoint of the organization, oldest first, without secrets."""
        return WebhookList.from_dict(self._call("listWebhooks"))

    def get_webhook(self, webhook_id: str) -> WebhookEndpoint:
        return WebhookEndpoint.from_dict(self._call("getWebhook", webhook_id=webhook_id))

    def update_webhook(self, webhook_id: str, url: str | None = None, event_types: list[str] | None = None,
                       enabled: bool | None = None) -> WebhookEndpoint:
        """PATCH: changes the URL, the event types and/or ``enabled`` (enabling clears the failure streak)."""
        optional = {"url": url, "event_types": event_types, "enabled": enabled}
        change = {name: value for name, value in optional.items() if value is not None}
        if not change:
            raise ValueError("update_webhook needs a url, event_types or enabled")
        return WebhookEndpoint.from_dict(self._call("updateWebhook", webhook_id=webhook_id, body=change))

    def delete_webhook(self, webhook_id: str) -> None:
        """The endpoint receives nothing more; deliveries queued for it are dropped."""
        self._call("deleteWebhook", webhook_id=webhook_id)

    def rotate_webhook_secret(self, webhook_id: str) -> WebhookEndpoint:
        """A new signing secret, in this answer only; deliveries from now on are signed with it."""
        return WebhookEndpoint.from_dict(self._call("rotateWebhookSecret", webhook_id=webhook_id))

    def list_webhook_deliveries(self, webhook_id: str) -> WebhookDeliveryList:
        """The endpoint's latest delivery attempts, newest first."""
        return WebhookDeliveryList.from_dict(self._call("listWebhookDeliveries", webhook_id=webhook_id))

    def redeliver_event(self, event_id: str) -> Redelivery:
        """Queues an event again for every enabled endpoint of its type, with the same ``webhook-id``."""
        return Redelivery.from_dict(self._call("redeliverEvent", event_id=event_id))

    # -- download --------------------------------------------------------------------------------

    def download_file(self, file_id: str, path: str | os.PathLike[str], *,
                      on_progress: ProgressCallback | None = None) -> File:
        """Downloads an uploaded file to ``path``, verified against its CRC32C. The bytes go to
        ``path + '.part'`` first: a run cut short leaves it, and the next run goes on from its end."""
        file = self.get_file(file_id)
        target = Path(path)
        partial = target.with_name(target.name + ".part")
        hasher = Crc32c()
        # Append mode: after the truncate below, every write lands at the end of what is kept.
        with open(partial, "ab+") as sink:
            sink.seek(0)
            have = crc32c_prefix(sink, hasher, file.file_size)
            sink.truncate(have)
            try:
                download_into(
                    self._storage,
                    sink,
                    fresh_url=lambda: self.get_download_url(file_id).download_url,
                    size=file.file_size,
                    crc32c=file.crc32c,
                    start_at=have,
                    hasher=hasher,
                    retry=self.retry,
                    on_bytes=_reporter(on_progress, "download", file.file_size),
                )
            except StorageError as error:
                # Bytes that do not add up are not worth resuming from.
                if error.code == "CHECKSUM_MISMATCH":
                    partial.unlink(missing_ok=True)
                raise
        os.replace(partial, target)
        return file

    def _call(self, operation: str, *, query: dict[str, Any] | None = None, body: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None, file_id: str | None = None,
              form: dict[str, Any] | None = None, webhook_id: str | None = None,
              event_id: str | None = None, repeatable: bool = True) -> Any:
        params = {"organization_id": self.organization_id}
        ids = {"file_id": file_id, "webhook_id": webhook_id, "event_id": event_id}
        params.update({name: value for name, value in ids.items() if value is not None})
        return self._api.call(operation, params, query=query, body=body, headers=headers, form=form,
                              repeatable=repeatable)


def crc32c_prefix(stream: BinaryIO, hasher: Crc32c, limit: int) -> int:
    """Feeds what a partial download already holds (at most ``limit`` bytes) to ``hasher``; returns its length."""
    have = 0
    while have < limit:
        piece = stream.read(min(8 << 20, limit - have))
        if not piece:
            break
        hasher.update(piece)
        have += len(piece)
    return have


def _open(source: Source, cleanup: ExitStack) -> tuple[BinaryIO, int, str | None]:
    """A path is opened (and closed after); a file object must be seekable: chunks are re-read after a cut."""
    if isinstance(source, (str, os.PathLike)):
        stream: BinaryIO = cleanup.enter_context(open(source, "rb"))
        return stream, os.fstat(stream.fileno()).st_size, os.path.basename(os.fspath(source))
    if not source.seekable():
        raise ValueError("upload_file needs a seekable file object (chunks are read again after a cut)")
    size = source.seek(0, os.SEEK_END)
    name = getattr(source, "name", None)
    return source, size, os.path.basename(name) if isinstance(name, str) else None


@dataclass(frozen=True)
class _Declared:
    """What a new upload says about its file, whichever way the bytes go (direct, or a session)."""

    filename: str
    mime_type: str
    purpose: str | None
    metadata: dict[str, str] | None


def _declared(
    filename: str | None, mime_type: str | None, purpose: str | None, metadata: dict[str, str] | None
) -> _Declared:
    """Without a type, the one its name suggests; a file object with no name must be given one."""
    if not filename:
        raise ValueError("upload_file needs a filename for a file object that has none")
    mime_type = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return _Declared(filename, mime_type, purpose, metadata)


def _reporter(on_progress: ProgressCallback | None, phase: str, total: int) -> Callable[[int], None] | None:
    if on_progress is None:
        return None
    return lambda done: on_progress(Progress(phase, done, total))  # type: ignore[arg-type]
