"""Python client of the Files API: resumable uploads with a pinned CRC32C, verified downloads."""

from .client import FilesClient
from .errors import FilesApiError, StorageError
from .models import DownloadUrl, EventList, File, FileContent, FileEvent, FileFailure, FileList, Progress, UploadSession
from .retry import RetryPolicy

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
    "RetryPolicy",
    "StorageError",
    "UploadSession",
]
