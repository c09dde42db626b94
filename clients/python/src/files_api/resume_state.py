"""Upload sessions in progress, one small JSON file each, so an interrupted upload goes on where it
stopped. A session URI is a capability to write the object: the folder is 0700, every file 0600."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from .models import UploadSession


@dataclass(frozen=True)
class ResumeKey:
    """The same file (path, size, mtime) uploaded to the same organization of the same API."""

    api_url: str
    organization_id: str
    absolute_path: str
    size: int
    mtime_ns: int


def default_state_dir() -> Path:
    if os.environ.get("FILES_STATE_DIR"):
        return Path(os.environ["FILES_STATE_DIR"])
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(Path.home(), ".local", "state")
    return Path(base, "files-api-python", "uploads")


class ResumeStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _file(self, key: ResumeKey) -> Path:
        digest = hashlib.sha256(json.dumps(asdict(key), sort_keys=True).encode()).hexdigest()[:32]
        return self.folder / f"{digest}.json"

    def load(self, key: ResumeKey) -> UploadSession | None:
        try:
            entry = json.loads(self._file(key).read_text())
            session = UploadSession.from_dict(entry["session"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        alive = datetime.fromisoformat(session.expires_at.replace("Z", "+00:00")) > datetime.now(timezone.utc)
        return session if entry.get("key") == asdict(key) and alive else None

    def save(self, key: ResumeKey, session: UploadSession) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = self._file(key)
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as out:
            json.dump({"key": asdict(key), "session": session.to_dict()}, out)
        os.replace(temporary, target)

    def forget(self, key: ResumeKey) -> None:
        self._file(key).unlink(missing_ok=True)
