"""The events feed through the client: what an upload wrote, read after a cursor, by type."""

from __future__ import annotations

import time

from conftest import random_file


def events_of(client, file_id: str, count: int) -> list:
    """The file's events once ``count`` are listed (an event is listed about a second after its commit)."""
    deadline = time.monotonic() + 15
    while True:
        mine, after = [], None
        while True:
            page = client.list_events(after=after, limit=100)
            mine += [e for e in page.events if e.file.id == file_id]
            after = page.next_after
            if not page.has_more:
                break
        if len(mine) >= count or time.monotonic() > deadline:
            return mine
        time.sleep(0.2)


def test_an_upload_s_events_are_listed_oldest_first_and_by_type(client, tmp_path):
    random_file(tmp_path / "events.txt", 100)
    file = client.upload_file(tmp_path / "events.txt")
    events = events_of(client, file.id, 2)
    assert [e.type for e in events] == ["file.created", "file.uploaded"]
    assert events[1].file == client.get_file(file.id)
    after_created = client.list_events(after=events[0].id, types=["file.uploaded", "file.failed"])
    assert events[1].id in [e.id for e in after_created.events]
    assert all(e.type in ("file.uploaded", "file.failed") for e in after_created.events)
