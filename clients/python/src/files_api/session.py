"""The client's side of a Cloud Storage resumable session: chunks with Content-Range, status
queries, and going on from what the session says it has after any failure."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import BinaryIO, Callable

import requests

from .errors import StorageError, parse_retry_after
from .retry import RetryPolicy, is_transient_status

#: Cloud Storage takes chunks in multiples of this (all but the last).
CHUNK_GRANULE = 256 * 1024
#: connect, read: a chunk of a few MiB must be answered well within this
TIMEOUT = (10.0, 120.0)


class TransientFailure(Exception):
    """A dropped connection, a deadline, 408, 429 or 5xx: worth another try after a status query."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Answer:
    done: bool
    #: bytes the session has persisted (when not done)
    persisted: int = 0


def put_on_session(
    http: requests.Session, uri: str, total: int, start: int, data: bytes | memoryview | None
) -> Answer:
    """One PUT: a chunk at ``start``, or with no bytes the status query. The session URI is a
    capability: it never goes into an error message."""
    if data:
        content_range = f"bytes {start}-{start + len(data) - 1}/{total}"
    else:
        content_range = f"bytes */{total}"
    try:
        response = http.put(uri, data=data or b"", headers={"Content-Range": content_range}, timeout=TIMEOUT)
    except requests.RequestException as error:
        raise TransientFailure(f"the upload session could not be reached ({type(error).__name__})") from None
    status = response.status_code
    if status in (200, 201):
        return Answer(done=True)
    if status == 308:
        return Answer(done=False, persisted=persisted_from(response.headers.get("Range")))
    if is_transient_status(status):
        raise TransientFailure(f"storage answered {status}", parse_retry_after(response.headers.get("Retry-After")))
    if status in (404, 410):
        raise StorageError(
            "SESSION_GONE", "the upload session is gone (cancelled, expired or unknown): start a new upload", status
        )
    reason = storage_message(response.text)
    completing = bool(data) and start + len(data) == total
    if status == 400 and completing and re.search(r"crc32c|md5|checksum|hash", reason, re.IGNORECASE):
        raise StorageError("CHECKSUM_MISMATCH", f"storage refused the upload: {reason}", 400)
    raise StorageError("REJECTED", f"storage refused the upload ({status}): {reason}", status)


def persisted_from(header: str | None) -> int:
    """``Range: bytes=0-N`` means N+1 bytes are persisted; no header means none."""
    match = re.fullmatch(r"bytes=0-(\d+)", (header or "").strip())
    return int(match.group(1)) + 1 if match else 0


def storage_message(text: str) -> str:
    try:
        message = json.loads(text).get("error", {}).get("message")
        if isinstance(message, str):
            return message[:300]
    except (ValueError, AttributeError):
        pass
    return text[:300] or "no reason given"


def send_bytes(
    http: requests.Session,
    uri: str,
    stream: BinaryIO,
    total: int,
    *,
    chunk_size: int,
    retry: RetryPolicy,
    start_at: int | None,
    on_bytes: Callable[[int], None] | None = None,
) -> None:
    """Fills the session from a seekable stream. ``start_at=None`` asks the session what it has first
    (a resumed upload). After any failure it asks again and goes on from there, so a cut costs at most
    one chunk; the retry budget resets whenever the session confirms new bytes."""
    chunk_size = max(CHUNK_GRANULE, chunk_size // CHUNK_GRANULE * CHUNK_GRANULE)
    offset = start_at
    failures = 0
    while True:
        before = offset
        try:
            if offset is None:
                answer = put_on_session(http, uri, total, 0, None)
            else:
                stream.seek(offset)
                chunk = stream.read(min(chunk_size, total - offset))
                if offset + len(chunk) < total and len(chunk) % CHUNK_GRANULE:
                    raise OSError(f"the file changed while uploading: {offset + len(chunk)} of {total} bytes")
                answer = put_on_session(http, uri, total, offset, chunk)
        except TransientFailure as failure:
            failures += 1
            if failures > retry.retries:
                raise StorageError("RETRIES_EXHAUSTED", f"the upload failed {failures} times in a row: {failure}") from None
            offset = None
            time.sleep(retry.delay(failures - 1, failure.retry_after))
            continue
        if answer.done:
            if on_bytes:
                on_bytes(total)
            return
        offset = answer.persisted
        if before is None or offset > before:
            if before is not None:
                failures = 0
            if on_bytes:
                on_bytes(offset)
            continue
        # A 308 that confirmed nothing new: the session did not keep the chunk.
        failures += 1
        if failures > retry.retries:
            raise StorageError("RETRIES_EXHAUSTED", f"the upload session kept no bytes after {failures} tries")
        time.sleep(retry.delay(failures - 1))
