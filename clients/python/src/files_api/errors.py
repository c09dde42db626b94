"""The two kinds of failure: an answer of the Files API, and a failure talking to Cloud Storage."""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any

import requests


class FilesApiError(Exception):
    """Every error answer of the Files API, as its envelope describes it.

    ``code`` is the envelope's code (``FILE_NOT_FOUND``…), or ``UNEXPECTED_RESPONSE`` when the
    answer was not an envelope; ``trace_id`` is the one to quote when reporting a problem.
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: int,
        details: dict[str, Any] | None = None,
        trace_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details or {}
        self.trace_id = trace_id
        self.retry_after = retry_after

    def __str__(self) -> str:
        trace = f" [trace {self.trace_id}]" if self.trace_id else ""
        return f"{self.code} ({self.status}): {self.message}{trace}"


class StorageError(Exception):
    """A failure on an upload session or a download URL (Cloud Storage, not the API).

    ``code``: ``SESSION_GONE`` (cancelled, expired or unknown: start again), ``CHECKSUM_MISMATCH``,
    ``REJECTED`` (refused for good), ``DOWNLOAD_REFUSED``, ``RETRIES_EXHAUSTED``.
    """

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds, from either of its forms (seconds, or an HTTP date)."""
    if not value:
        return None
    try:
        seconds = float(value)
        return seconds if seconds >= 0 else None
    except ValueError:
        pass
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def api_error_from(response: requests.Response) -> FilesApiError:
    """Reads an error answer into a FilesApiError, envelope or not."""
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    request_id = response.headers.get("X-Request-Id")
    try:
        error = json.loads(response.text).get("error")
    except (ValueError, AttributeError):
        error = None
    if isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str):
        return FilesApiError(
            code=error["code"],
            message=error["message"],
            status=response.status_code,
            details=error.get("details") if isinstance(error.get("details"), dict) else {},
            trace_id=error.get("trace_id") or request_id,
            retry_after=retry_after,
        )
    return FilesApiError(
        code="UNEXPECTED_RESPONSE",
        message=f"the API answered {response.status_code} without an error envelope",
        status=response.status_code,
        trace_id=request_id,
        retry_after=retry_after,
    )
