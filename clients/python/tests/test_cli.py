"""`python -m files_api`'s verbs and exit codes, the same as `files`."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import random_file


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "files_api", *args], env=env, capture_output=True, text=True, timeout=120)


def test_get_ls_download_and_rm_of_a_file(stack, tmp_path):
    env = stack.env(FILES_STATE_DIR=str(tmp_path / "state"))
    data = random_file(tmp_path / "notes.txt", 5000)
    uploaded = cli(env, "upload", str(tmp_path / "notes.txt"), "--json")
    assert uploaded.returncode == 0, uploaded.stderr
    file_id = json.loads(uploaded.stdout)["id"]

    got = cli(env, "get", file_id)
    assert json.loads(got.stdout)["original_filename"] == "notes.txt"
    listed = cli(env, "ls", "--all", "--json", "--limit", "2")
    assert file_id in [json.loads(line)["id"] for line in listed.stdout.splitlines()]

    downloaded = cli(env, "download", file_id, "-o", str(tmp_path / "copy.txt"))
    assert downloaded.returncode == 0 and (tmp_path / "copy.txt").read_bytes() == data
    again = cli(env, "download", file_id, "-o", str(tmp_path / "copy.txt"))
    assert (again.returncode, again.stderr.strip()) == (2, f"files_api: {tmp_path / 'copy.txt'} exists; --force replaces it")

    assert (cli(env, "rm", file_id).stderr, cli(env, "rm", file_id).stderr) == (
        f"{file_id}: deleted\n", f"{file_id}: already deleted\n")
    assert cli(env, "get", file_id).returncode == 3


def test_exit_codes(stack, tmp_path):
    env = stack.env()
    assert cli(env, "rm", "file_nope").returncode == 3
    assert cli(env, "upload", str(tmp_path / "missing.bin")).returncode == 3
    assert cli({**env, "FILES_API_KEY": "ak_nope"}, "ls").returncode == 4
    assert cli(env, "ls", "--limit", "1000").returncode == 5
    assert cli(env, "ls", "--limit", "zero").returncode == 2
    unset = cli({k: v for k, v in env.items() if k != "FILES_ORG"}, "ls")
    assert unset.returncode == 2 and "FILES_ORG" in unset.stderr
