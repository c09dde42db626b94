"""docs/PYTHON.md's code, run as written against the stack (from a folder whose .local is the stack's)."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO

BLOCKS = re.findall(r"```python\n(.*?)```", (REPO / "docs" / "PYTHON.md").read_text(), re.DOTALL)


def run(code: str, cwd, env) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_specification_s_flow_by_hand_then_with_the_client(stack):
    make_file, by_hand, with_client = BLOCKS
    folder = stack.local_dir.parent
    env = stack.env()
    run(make_file, folder, env)
    printed = run(by_hand, folder, env)
    assert re.search(r"File registered: file_\w+ \(uploaded, CRC32C \S+\)", printed), printed
    (folder / "downloaded.mp4").unlink()
    printed = run(with_client, folder, env)
    assert "large_video.mp4" in printed
    assert (folder / "downloaded.mp4").read_bytes() == (folder / "large_video.mp4").read_bytes()
