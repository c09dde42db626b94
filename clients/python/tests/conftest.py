"""The local stack (node dist/scripts/start.js, built by `npm run build`) on free ports with a data
folder of its own, once per test session; stopped afterwards, also after a failure or Ctrl-C."""

from __future__ import annotations

import atexit
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

CLIENT = Path(__file__).resolve().parents[1]
REPO = CLIENT.parents[1]
sys.path.insert(0, str(CLIENT / "src"))

from files_api import FilesClient, RetryPolicy  # noqa: E402

START = REPO / "dist" / "scripts" / "start.js"
READY_LINE = "stops everything."
# Every port the stack opens (scripts/local-stack/stack-config.ts): a default one may be another stack's.
PORT_VARS = ["FIRESTORE_PORT", "STORAGE_PORT", "FUNCTION_PORT", "FINALIZE_PORT", "SWEEP_PORT", "PUBSUB_PORT",
             "DELIVER_PORT", "RELAY_PORT", "WEB_PORT"]
MIB = 1 << 20


@dataclass
class Stack:
    api_url: str
    api_key: str
    organization_id: str
    local_dir: Path

    def env(self, **more: str) -> dict[str, str]:
        """What a CLI run needs: the stack's settings, and the client importable from source."""
        return {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", ""),
            "PYTHONPATH": str(CLIENT / "src"),
            "FILES_API_URL": self.api_url,
            "FILES_API_KEY": self.api_key,
            "FILES_ORG": self.organization_id,
            **more,
        }


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for each in sockets:
            each.bind(("127.0.0.1", 0))
        return [each.getsockname()[1] for each in sockets]
    finally:
        for each in sockets:
            each.close()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory):
    if not START.exists():
        pytest.fail(f"{START} is missing: run `npm run build` first")
    # `.local` in a folder of its own: the stack's data, and dev.json where docs/PYTHON.md reads it.
    local_dir = tmp_path_factory.mktemp("stack") / ".local"
    env = {**os.environ, **dict(zip(PORT_VARS, map(str, free_ports(len(PORT_VARS))))),
           "LOCAL_DIR": str(local_dir), "SWEEP_INTERVAL_SECONDS": "0"}
    log = open(local_dir.parent / "start.log", "w+")
    # Its own session: a Ctrl-C in the terminal reaches pytest, which stops the stack below, in order.
    launcher = subprocess.Popen(["node", str(START)], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    # Should pytest leave without tearing its fixtures down (a second Ctrl-C), on the way out all the same.
    atexit.register(stop, launcher)
    try:
        deadline = time.monotonic() + 120
        while READY_LINE not in (local_dir.parent / "start.log").read_text():
            if launcher.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the stack did not start:\n" + (local_dir.parent / "start.log").read_text())
            time.sleep(0.2)
        dev = json.loads((local_dir / "dev.json").read_text())
        yield Stack(dev["function_url"], dev["api_key"], dev["organization_id"], local_dir)
    finally:
        stop(launcher)
        log.close()


def stop(launcher: subprocess.Popen) -> None:
    """SIGTERM lets the launcher stop its parts and save; a launcher that hangs loses its whole group."""
    if launcher.poll() is None:
        launcher.send_signal(signal.SIGTERM)
        try:
            launcher.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()


@pytest.fixture
def client(stack: Stack) -> FilesClient:
    return FilesClient(stack.api_url, stack.api_key, stack.organization_id, retry=RetryPolicy(base_delay=0.02))


# An MP4's first box (ftyp, brand isom): a file declared video/mp4 must start with one.
MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"


def random_file(path: Path, size: int) -> bytes:
    """Random bytes the API's content check takes for what the name says: printable text for a
    .txt, an MP4's first box before random bytes for a .mp4, random bytes for anything else."""
    data = os.urandom(size)
    if path.suffix == ".txt":
        data = base64.b64encode(data)[:size]
    elif path.suffix == ".mp4":
        data = (MP4_HEAD + data)[:size]
    path.write_bytes(data)
    return data
