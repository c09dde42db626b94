"""The install command docs/PYTHON.md gives, in a fresh virtual environment, with no package index."""

from __future__ import annotations

import subprocess
import sys

from conftest import CLIENT


def test_pip_installs_the_client_offline_into_a_fresh_venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--no-build-isolation", "--no-index", str(CLIENT)],
                   check=True, cwd=tmp_path)
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import files_api; print(files_api.__file__)"],
                           check=True, capture_output=True, text=True, cwd=tmp_path)
    assert where.stdout.startswith(str(venv))
    usage = subprocess.run([str(venv / "bin" / "python"), "-m", "files_api", "--help"], capture_output=True, text=True)
    assert usage.returncode == 0 and "upload" in usage.stdout
