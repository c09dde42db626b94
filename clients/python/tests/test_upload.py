"""Uploads as a user runs them: `python -m files_api upload`, killed, interrupted, run again."""

from __future__ import annotations

import base64
import json
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import crcmod.predefined
import pytest
import requests
from conftest import MIB, random_file

from files_api import FilesApiError, FilesClient, UploadSession
from files_api.client import DIRECT_UPLOAD_MAX_BYTES


def crc32c(data: bytes) -> str:
    return base64.b64encode(crcmod.predefined.Crc("crc-32c").new(data).digest()).decode()


class CliRun:
    """`python -m files_api …` with pipes (not a terminal), its stderr read line by line as it comes."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "files_api", *args], env=env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines: list[str] = []
        self.seen = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            with self.seen:
                self.lines.append(line)
                self.seen.notify_all()
        with self.seen:
            self.lines.append("")  # end
            self.seen.notify_all()

    def wait_for(self, pattern: str, timeout: float = 120) -> re.Match:
        with self.seen:
            found = None

            def match():
                nonlocal found
                found = next((m for m in (re.search(pattern, line) for line in self.lines) if m), None)
                return found or (self.lines and self.lines[-1] == "")

            assert self.seen.wait_for(match, timeout), f"no {pattern!r} within {timeout} s: {self.lines}"
            assert found, f"the CLI ended before {pattern!r}:\n{''.join(self.lines)}"
            return found

    def finish(self, timeout: float = 300) -> tuple[int, str, str]:
        out = self.process.stdout.read()
        code = self.process.wait(timeout)
        self.wait_for(r"^$|.", 5)
        return code, out, "".join(self.lines)


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "state"


def state_files(state_dir: Path) -> list[Path]:
    return sorted(state_dir.glob("*.json")) if state_dir.exists() else []


def persisted(session: UploadSession) -> int:
    """What the session has, by a status query of our own."""
    answer = requests.put(session.upload_url, headers={"Content-Range": f"bytes */{session.file_size}"}, timeout=30)
    assert answer.status_code == 308
    match = re.fullmatch(r"bytes=0-(\d+)", answer.headers.get("Range", ""))
    return int(match.group(1)) + 1 if match else 0


def test_a_150_mb_upload_killed_midway_resumes_and_ends_uploaded_with_its_crc32c(stack, tmp_path, state_dir):
    path = tmp_path / "big.mp4"
    data = random_file(path, 150 * 1000 * 1000)
    env = stack.env(FILES_STATE_DIR=str(state_dir))

    first = CliRun(["upload", str(path), "--json", "--chunk-size", str(MIB)], env)
    first.wait_for(r"^big\.mp4: upload [1-9]")
    first.process.send_signal(signal.SIGKILL)
    assert first.process.wait(30) == -signal.SIGKILL

    [state] = state_files(state_dir)
    assert state.stat().st_mode & 0o777 == 0o600
    session = UploadSession.from_dict(json.loads(state.read_text())["session"])
    kept = persisted(session)
    assert 0 < kept < len(data)

    second = CliRun(["upload", str(path), "--json", "--chunk-size", str(MIB)], env)
    code, out, err = second.finish()
    assert code == 0, err
    assert "big.mp4: resuming a stored upload session" in err
    assert "checksum" not in err.split("resuming")[1]  # the pinned CRC32C is the stored one
    file = json.loads(out)
    assert file["id"] == session.file_id
    assert (file["status"], file["file_size"], file["mime_type"]) == ("uploaded", len(data), "video/mp4")
    assert file["crc32c"] == crc32c(data)
    assert state_files(state_dir) == []


def test_ctrl_c_during_the_checksum_pass_claims_nothing_to_resume(stack, tmp_path, state_dir):
    path = tmp_path / "pass.bin"
    random_file(path, 400 * MIB)
    run = CliRun(["upload", str(path)], stack.env(FILES_STATE_DIR=str(state_dir)))
    run.wait_for(r"^pass\.bin: checksum [1-9]")
    run.process.send_signal(signal.SIGINT)
    code, _, err = run.finish()
    assert code == 130
    assert re.search(r"^pass\.bin: interrupted$", err, re.MULTILINE), err
    assert "resume" not in err
    assert state_files(state_dir) == []


def test_ctrl_c_while_sending_keeps_the_session_to_resume(stack, tmp_path, state_dir):
    path = tmp_path / "send.bin"
    random_file(path, 100 * MIB)
    run = CliRun(["upload", str(path), "--chunk-size", str(MIB)], stack.env(FILES_STATE_DIR=str(state_dir)))
    run.wait_for(r"^send\.bin: upload [1-9]")
    run.process.send_signal(signal.SIGINT)
    code, _, err = run.finish()
    assert code == 130
    assert "send.bin: interrupted; run the same command again to resume" in err
    assert len(state_files(state_dir)) == 1


def test_a_refused_register_says_declared_and_found_and_forgets_the_session(stack, tmp_path, state_dir):
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(4096))
    run = CliRun(["upload", str(path)], stack.env(FILES_STATE_DIR=str(state_dir)))
    code, _, err = run.finish()
    assert code == 6, err  # integrity, as files says
    assert re.search(r"UPLOAD_VERIFICATION_FAILED \(422\).*expected video/mp4, actual image/png", err), err
    assert state_files(state_dir) == []


def test_the_client_uploads_a_file_object_with_its_progress(client, tmp_path):
    data = random_file(tmp_path / "obj.txt", 3 * MIB + 5)
    heard = []
    with open(tmp_path / "obj.txt", "rb") as stream:
        file = client.upload_file(stream, filename="named.txt", on_progress=heard.append, chunk_size=MIB)
    assert (file.original_filename, file.mime_type, file.crc32c) == ("named.txt", "text/plain", crc32c(data))
    assert [p.done for p in heard if p.phase == "upload"] == [MIB, 2 * MIB, 3 * MIB, 3 * MIB + 5]
    assert heard[0].phase == "checksum" and heard[-1].done == heard[-1].total


def test_a_file_up_to_the_cap_goes_in_one_request_a_larger_one_through_a_session(stack, tmp_path):
    calls = []
    http = requests.Session()
    http.hooks["response"].append(lambda response, **_: calls.append(response.request.url.rsplit("/", 1)[-1]))
    client = FilesClient(stack.api_url, stack.api_key, stack.organization_id, http=http)
    small = random_file(tmp_path / "small.bin", 3 * MIB)
    file = client.upload_file(tmp_path / "small.bin")
    assert (file.status, file.file_size, file.crc32c) == ("uploaded", len(small), crc32c(small))
    assert calls == ["upload"]
    calls.clear()
    random_file(tmp_path / "large.bin", DIRECT_UPLOAD_MAX_BYTES + 1)
    assert client.upload_file(tmp_path / "large.bin").status == "uploaded"
    assert calls[0] == "upload-url" and "upload" not in calls


def test_purpose_and_metadata_reach_the_file_whichever_way_it_goes(client, tmp_path):
    random_file(tmp_path / "plain.bin", 1000)
    plain = client.upload_file(tmp_path / "plain.bin")
    assert (plain.purpose, plain.metadata) == ("user_upload", {})
    direct = client.upload_file(tmp_path / "plain.bin", purpose="assistants", metadata={"team": "a"})
    resumable = client.upload_file(tmp_path / "plain.bin", purpose="assistants", metadata={"team": "a"}, chunk_size=MIB)
    for file in (direct, resumable):
        assert (file.purpose, file.metadata) == ("assistants", {"team": "a"})
    assert client.get_file(resumable.id).metadata == {"team": "a"}