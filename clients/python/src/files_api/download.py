"""Streams an object from a signed URL into a file, going on with ``Range`` after a cut, and
checks the bytes against the file's CRC32C."""

from __future__ import annotations

import time
from typing import BinaryIO, Callable

import requests

from .crc32c import Crc32c
from .errors import StorageError
from .retry import RetryPolicy, is_transient_status

PIECE = 1 << 20
#: connect, and the longest silence while receiving
TIMEOUT = (10.0, 120.0)


class _Cut(Exception):
    """The transfer stopped short in a way another try may get past (a 5xx, an early end)."""


def download_into(
    http: requests.Session,
    sink: BinaryIO,
    *,
    fresh_url: Callable[[], str],
    size: int,
    crc32c: str | None,
    start_at: int,
    hasher: Crc32c,
    retry: RetryPolicy,
    on_bytes: Callable[[int], None] | None = None,
) -> None:
    """``sink`` already holds ``start_at`` bytes, which ``hasher`` has seen. A refused URL (expired
    while we waited) is replaced by a fresh one once; a dropped connection resumes from the last
    byte written."""
    offset = start_at
    failures = 0
    url = fresh_url()
    refused_fresh = False
    while offset < size:
        try:
            headers = {"Range": f"bytes={offset}-"} if offset > 0 else {}
            with http.get(url, headers=headers, stream=True, timeout=TIMEOUT) as response:
                status = response.status_code
                if status in (401, 403):
                    if refused_fresh:
                        raise StorageError("DOWNLOAD_REFUSED", f"storage refused the download URL ({status})", status)
                    refused_fresh = True
                    url = fresh_url()
                    continue
                if status == 404:
                    raise StorageError("DOWNLOAD_REFUSED", "the object is gone from storage", 404)
                if is_transient_status(status):
                    raise _Cut(f"storage answered {status}")
                if status not in (200, 206):
                    raise StorageError("REJECTED", f"storage answered {status} to a download", status)
                refused_fresh = False
                # A server that ignored Range sends everything again: skip what we have.
                skip = offset if status == 200 else 0
                for piece in response.iter_content(PIECE):
                    if skip:
                        dropped = min(skip, len(piece))
                        piece, skip = piece[dropped:], skip - dropped
                    if not piece:
                        continue
                    if offset + len(piece) > size:
                        raise StorageError("REJECTED", "storage sent more bytes than the file has")
                    sink.write(piece)
                    hasher.update(piece)
                    offset += len(piece)
                    failures = 0
                    if on_bytes:
                        on_bytes(offset)
                if offset < size:
                    raise _Cut("the download ended early")
        except (_Cut, requests.RequestException) as error:
            failures += 1
            if failures > retry.retries:
                raise StorageError("RETRIES_EXHAUSTED", f"the download failed {failures} times in a row: {error}") from None
            time.sleep(retry.delay(failures - 1))
    actual = hasher.base64()
    if crc32c and actual != crc32c:
        raise StorageError("CHECKSUM_MISMATCH", f"the downloaded bytes have CRC32C {actual}, the file {crc32c}")
