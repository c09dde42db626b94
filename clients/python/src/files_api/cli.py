"""``python -m files_api upload|download|ls|get|rm``: the ``files`` command's verbs and exit codes."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

from .client import FilesClient
from .errors import FilesApiError, StorageError
from .models import File, UploadSession
from .progress_view import ProgressLine, format_bytes
from .resume_state import ResumeKey, ResumeStore, default_state_dir


class Exit:
    """The exit codes of ``files`` (packages/cli/src/exit-codes.ts)."""

    OK = 0
    FAILED = 1
    USAGE = 2
    NOT_FOUND = 3
    ACCESS = 4
    REFUSED = 5
    INTEGRITY = 6
    UNAVAILABLE = 7
    INTERRUPTED = 130


class UsageError(Exception):
    """A mistake in how the command was called: named, and exit 2."""


def exit_code_for(error: BaseException) -> int:
    if isinstance(error, UsageError):
        return Exit.USAGE
    if isinstance(error, KeyboardInterrupt):
        return Exit.INTERRUPTED
    if isinstance(error, FileNotFoundError):
        return Exit.NOT_FOUND
    if isinstance(error, FilesApiError):
        if error.code == "FILE_NOT_FOUND":
            return Exit.NOT_FOUND
        if error.status == 401 or error.code == "ORGANIZATION_ACCESS_DENIED":
            return Exit.ACCESS
        if error.code == "UPLOAD_VERIFICATION_FAILED":
            return Exit.INTEGRITY
        if error.status == 429 or error.status >= 500:
            return Exit.UNAVAILABLE
        return Exit.REFUSED
    if isinstance(error, StorageError):
        if error.code == "CHECKSUM_MISMATCH":
            return Exit.INTEGRITY
        if error.code == "RETRIES_EXHAUSTED":
            return Exit.UNAVAILABLE
        return Exit.REFUSED
    return Exit.FAILED


def describe(error: BaseException) -> str:
    """One line: what failed; for a refused register, what was declared and what was found."""
    text = str(error) or type(error).__name__
    if isinstance(error, FilesApiError) and "expected" in error.details and "actual" in error.details:
        field = error.details.get("field")
        text += f" ({field + ': ' if field else ''}expected {error.details['expected']}, actual {error.details['actual']})"
    return text


def file_json(file: File) -> str:
    return json.dumps({**{k: v for k, v in asdict(file).items() if k != "extra"}, **file.extra})


def upload(client: FilesClient, args: argparse.Namespace, api_url: str) -> int:
    """Each path in turn; an interrupted upload goes on from its stored session. Returns 0, or the
    code of the first failure (the other paths are still tried)."""
    store = ResumeStore(default_state_dir())
    metadata = dict(pair.split("=", 1) for pair in args.metadata) if args.metadata else None
    exit_code = Exit.OK
    for path in args.paths:
        label = os.path.basename(path)
        line = ProgressLine(label)
        saved = SimpleNamespace(session=False)
        try:
            file = _upload_one(client, store, Path(path).resolve(), args, api_url, metadata, line, saved)
            line.close()
            print(file_json(file) if args.json else f"{label}: uploaded as {file.id} ({file.file_size} bytes)", flush=True)
        except KeyboardInterrupt:
            line.close()
            # Before the session exists (the checksum pass) there is nothing to resume.
            hint = "; run the same command again to resume" if saved.session else ""
            sys.stderr.write(f"{label}: interrupted{hint}\n")
            return Exit.INTERRUPTED
        except (FilesApiError, StorageError, OSError, ValueError) as error:
            line.close()
            sys.stderr.write(f"{label}: {describe(error)}\n")
            exit_code = exit_code or exit_code_for(error)
    return exit_code


def _upload_one(client: FilesClient, store: ResumeStore, path: Path, args: argparse.Namespace, api_url: str,
                metadata: dict[str, str] | None, line: ProgressLine, saved: SimpleNamespace) -> File:
    facts = path.stat()
    key = ResumeKey(api_url, client.organization_id, str(path), facts.st_size, facts.st_mtime_ns)

    def keep(session: UploadSession) -> None:
        store.save(key, session)
        saved.session = True

    options = dict(on_progress=line, chunk_size=args.chunk_size, on_session=keep)
    stored = store.load(key)
    try:
        file = None
        if stored:
            line.note("resuming a stored upload session")
            try:
                file = client.upload_file(path, session=stored, **options)
            except StorageError as error:
                if error.code != "SESSION_GONE":
                    raise
                line.note("the stored session is gone; starting again")
                store.forget(key)
        if file is None:
            file = client.upload_file(path, mime_type=args.mime_type, purpose=args.purpose, metadata=metadata,
                                      checksum=args.checksum, **options)
        store.forget(key)
        return file
    except (StorageError, FilesApiError) as error:
        # A refusal no retry can fix (storage said no; register answered 422) leaves nothing to resume.
        if isinstance(error, StorageError) and error.code != "RETRIES_EXHAUSTED" or getattr(error, "status", 0) == 422:
            store.forget(key)
        raise


def download(client: FilesClient, args: argparse.Namespace, _api_url: str) -> int:
    target = Path(args.output) if args.output else Path(client.get_file(args.file_id).original_filename)
    if target.exists() and not args.force:
        raise UsageError(f"{target} exists; --force replaces it")
    line = ProgressLine(target.name)
    file = client.download_file(args.file_id, target, on_progress=line)
    line.close()
    print(json.dumps({"file": json.loads(file_json(file)), "path": str(target)}) if args.json
          else f"{file.id}: saved to {target} ({file.file_size} bytes, CRC32C verified)")
    return Exit.OK


def list_files(client: FilesClient, args: argparse.Namespace, _api_url: str) -> int:
    """One page (newest first) by default; --all walks every page."""
    for page in client.list_pages(status=args.status, limit=args.limit):
        for file in page.files:
            print(file_json(file) if args.json else "  ".join(
                [file.id, file.status.ljust(9), format_bytes(file.file_size).rjust(10), file.created_at,
                 file.original_filename]))
        if not args.all:
            if page.has_more and not args.json:
                sys.stderr.write(f"({page.total} files; --all lists every page)\n")
            break
    return Exit.OK


def get(client: FilesClient, args: argparse.Namespace, _api_url: str) -> int:
    print(json.dumps(json.loads(file_json(client.get_file(args.file_id))), indent=2))
    return Exit.OK


def remove(client: FilesClient, args: argparse.Namespace, _api_url: str) -> int:
    """A file that is not found but whose delete still succeeds was deleted before: said so."""
    try:
        before = client.get_file(args.file_id).status
    except FilesApiError as error:
        if error.code != "FILE_NOT_FOUND":
            raise
        before = None
    client.delete_file(args.file_id)
    outcome = {None: "already deleted", "uploading": "upload cancelled"}.get(before, "deleted")
    sys.stderr.write(f"{args.file_id}: {outcome}\n")
    return Exit.OK


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m files_api", description="Upload, download, list and delete files of the Files API.")
    top.add_argument("--api-url", help="the API base URL (default: FILES_API_URL)")
    top.add_argument("--api-key", help="the API key (default: FILES_API_KEY; prefer it: flags show in process lists)")
    top.add_argument("--org", help="the organization (default: FILES_ORG)")
    verbs = top.add_subparsers(dest="verb", required=True)

    up = verbs.add_parser("upload", help="upload files, with progress; an interrupted upload resumes when run again")
    up.add_argument("paths", nargs="+", metavar="path")
    up.add_argument("--json", action="store_true", help="print each File object as one JSON line")
    up.add_argument("--no-checksum", dest="checksum", action="store_false", help="do not pin a CRC32C")
    up.add_argument("--mime-type", help="the type to declare (default: from the extension)")
    up.add_argument("--chunk-size", type=positive_int, help="bytes per request, a multiple of 256 KiB")
    up.add_argument("--purpose", help="the file's purpose (sent only when given)")
    up.add_argument("--metadata", action="append", type=key_value, metavar="KEY=VALUE", help="repeatable")
    up.set_defaults(run=upload)

    down = verbs.add_parser("download", help="download a file, verified against its checksum; resumes a cut download")
    down.add_argument("file_id")
    down.add_argument("-o", "--output", help="where to write it (default: its original filename, here)")
    down.add_argument("-f", "--force", action="store_true", help="replace an existing file")
    down.add_argument("--json", action="store_true", help="print the File object and the path as one JSON line")
    down.set_defaults(run=download)

    ls = verbs.add_parser("ls", help="list files, newest first")
    ls.add_argument("--status", choices=["uploading", "uploaded", "failed", "cancelled", "expired"])
    ls.add_argument("--limit", type=positive_int, help="files per page (1-100)")
    ls.add_argument("--all", action="store_true", help="every page, not only the first")
    ls.add_argument("--json", action="store_true", help="one JSON line per file")
    ls.set_defaults(run=list_files)

    for name, run, text in (("get", get, "print one File object"), ("rm", remove, "delete a file, or cancel its upload")):
        verb = verbs.add_parser(name, help=text)
        verb.add_argument("file_id")
        verb.set_defaults(run=run)
    return top


def positive_int(value: str) -> int:
    if not value.isdigit() or int(value) <= 0:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return int(value)


def key_value(value: str) -> str:
    if "=" not in value or value.startswith("="):
        raise argparse.ArgumentTypeError("must be KEY=VALUE")
    return value


def main(argv: list[str] | None = None) -> int:
    # Ctrl-C interrupts (and keeps the session to resume) even when started with SIGINT ignored, as a
    # shell does for background jobs.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    args = parser().parse_args(argv)  # argparse exits 2 on a usage error, as files does
    run: Callable[[FilesClient, argparse.Namespace, str], int] = args.run
    try:
        api_url = args.api_url or os.environ.get("FILES_API_URL") or ""
        try:
            client = FilesClient(api_url, args.api_key, args.org)
        except ValueError as error:
            raise UsageError(f"missing configuration: {error}") from None
        return run(client, args, api_url)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return Exit.INTERRUPTED
    except (UsageError, FilesApiError, StorageError, OSError) as error:
        sys.stderr.write(f"files_api: {describe(error)}\n")
        return exit_code_for(error)
