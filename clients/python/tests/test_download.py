"""Downloads: byte-identical, resumed from a .part file, refused when the bytes do not add up."""

from __future__ import annotations

import pytest
from conftest import MIB, random_file

from files_api import StorageError


@pytest.fixture(scope="module")
def uploaded(stack, tmp_path_factory):
    from files_api import FilesClient

    folder = tmp_path_factory.mktemp("download")
    data = random_file(folder / "source.bin", 12 * MIB + 123)
    client = FilesClient(stack.api_url, stack.api_key, stack.organization_id)
    return client.upload_file(folder / "source.bin"), data


def test_a_download_is_byte_identical(client, uploaded, tmp_path):
    file, data = uploaded
    heard = []
    answer = client.download_file(file.id, tmp_path / "copy.bin", on_progress=heard.append)
    assert answer.id == file.id
    assert (tmp_path / "copy.bin").read_bytes() == data
    assert not (tmp_path / "copy.bin.part").exists()
    assert heard[-1].phase == "download" and heard[-1].done == len(data)


def test_a_download_cut_short_goes_on_from_its_part_file(client, uploaded, tmp_path):
    file, data = uploaded
    (tmp_path / "copy.bin.part").write_bytes(data[: 5 * MIB + 7])
    heard = []
    client.download_file(file.id, tmp_path / "copy.bin", on_progress=heard.append)
    assert (tmp_path / "copy.bin").read_bytes() == data
    assert heard[0].done > 5 * MIB  # the first report is past what was there: only the rest travelled


def test_a_part_file_of_other_bytes_fails_the_checksum_and_is_dropped(client, uploaded, tmp_path):
    file, data = uploaded
    (tmp_path / "copy.bin.part").write_bytes(bytes(MIB))
    with pytest.raises(StorageError) as mismatch:
        client.download_file(file.id, tmp_path / "copy.bin")
    assert mismatch.value.code == "CHECKSUM_MISMATCH"
    assert not (tmp_path / "copy.bin.part").exists() and not (tmp_path / "copy.bin").exists()
    client.download_file(file.id, tmp_path / "copy.bin")
    assert (tmp_path / "copy.bin").read_bytes() == data


def test_list_files_walks_every_page_by_token(client, tmp_path):
    random_file(tmp_path / "one.txt", 10)
    made = {client.upload_file(tmp_path / "one.txt").id for _ in range(3)}
    pages = list(client.list_pages(limit=1))
    assert len(pages) >= 3 and all(p.next_page_token for p in pages[:-1])
    listed = [f.id for f in client.list_files(limit=2)]
    assert made <= set(listed) and len(listed) == len(set(listed)) == pages[0].total
