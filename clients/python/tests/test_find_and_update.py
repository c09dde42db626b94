"""update_file (PATCH), list_files' purpose and search filters, and bytes_received on an upload in progress."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests
from conftest import MIB, random_file

from files_api import FilesApiError, FilesClient


@pytest.fixture
def tag() -> str:
    """A name prefix and purpose of this test's own: the stack (and its organization) is shared."""
    return "t" + uuid.uuid4().hex[:10]


def upload(client: FilesClient, folder: Path, name: str, **described) -> str:
    random_file(folder / name, 1000)
    return client.upload_file(folder / name, **described).id


def names(files) -> list[str]:
    return [file.original_filename for file in files]


def test_list_files_finds_names_by_prefix_in_any_case_and_files_by_purpose(client, tmp_path, tag):
    upload(client, tmp_path, f"{tag}-Invoice.txt", purpose=tag)
    upload(client, tmp_path, f"{tag}-invoice-2.txt")
    upload(client, tmp_path, f"{tag}-notes.txt", purpose=tag)
    # In the order of the lower-cased name: "-" sorts before ".".
    assert names(client.list_files(search=f"{tag.upper()}-INVOICE")) == [f"{tag}-invoice-2.txt", f"{tag}-Invoice.txt"]
    assert sorted(names(client.list_files(purpose=tag))) == [f"{tag}-Invoice.txt", f"{tag}-notes.txt"]
    assert names(client.list_files(purpose=tag, search=f"{tag}-n", status="uploaded")) == [f"{tag}-notes.txt"]
    # Across pages of one file each, by page_token.
    assert len(list(client.list_files(search=tag, limit=1))) == 3


def test_update_file_renames_and_merges_metadata(client, tmp_path, tag):
    file_id = upload(client, tmp_path, f"{tag}.txt", metadata={"team": "ops", "stage": "draft"})
    updated = client.update_file(file_id, filename=f"{tag} (final).txt", metadata={"stage": None, "owner": "ana"})
    assert (updated.original_filename, updated.metadata) == (f"{tag} (final).txt", {"team": "ops", "owner": "ana"})
    assert client.get_file(file_id).original_filename == f"{tag} (final).txt"
    assert client.get_file_content(file_id).filename == f"{tag} (final).txt"
    assert names(client.list_files(search=tag)) == [f"{tag} (final).txt"]
    assert client.update_file(file_id, metadata={"team": "sales"}).metadata == {"team": "sales", "owner": "ana"}


def test_update_file_refusals(client, tmp_path, tag):
    file_id = upload(client, tmp_path, f"{tag}.txt")
    with pytest.raises(FilesApiError) as bad_name:
        client.update_file(file_id, filename="a/b.txt")
    assert (bad_name.value.status, bad_name.value.code) == (400, "INVALID_FIELD_VALUE")
    with pytest.raises(FilesApiError) as missing:
        client.update_file("file_00000000000000000000000000", filename="x.txt")
    assert missing.value.code == "FILE_NOT_FOUND"
    with pytest.raises(ValueError):
        client.update_file(file_id)


def test_an_upload_in_progress_carries_bytes_received(client, tag):
    session = client.create_upload_session(filename=f"{tag}.bin", file_size=MIB, mime_type="application/octet-stream")
    put = requests.put(session.upload_url, data=bytes(MIB // 4),
                       headers={"Content-Range": f"bytes 0-{MIB // 4 - 1}/{MIB}"}, timeout=30)
    assert put.status_code == 308
    uploading = client.get_file(session.file_id)
    assert (uploading.status, uploading.bytes_received) == ("uploading", MIB // 4)
    assert next(iter(client.list_files(search=tag))).bytes_received == MIB // 4
    client.delete_file(session.file_id)
    assert client.get_file(session.file_id).bytes_received is None
