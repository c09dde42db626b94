"""Progress on stderr: a bar on a terminal (tqdm when installed), plain lines at most once a second elsewhere."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .models import Progress

try:
    from tqdm import tqdm
except ImportError:  # python3-tqdm is optional
    tqdm = None


def format_bytes(count: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GiB"


class ProgressLine:
    """One file's progress; the checksum pass and the transfer each get their own line or bar."""

    def __init__(self, label: str, stream: TextIO = sys.stderr) -> None:
        self.label = label
        self.stream = stream
        self.terminal = stream.isatty()
        self.phase: str | None = None
        self.bar = None
        self.last_line = 0.0

    def __call__(self, progress: Progress) -> None:
        if progress.phase != self.phase:
            self.close()
            self.phase = progress.phase
            self.last_line = 0.0  # a new phase shows at once
            if self.terminal and tqdm is not None:
                description = f"{self.label} ({progress.phase})"
                self.bar = tqdm(total=progress.total, unit="B", unit_scale=True, unit_divisor=1024,
                                desc=description, file=self.stream, leave=False)
        if self.bar is not None:
            self.bar.update(progress.done - self.bar.n)
            return
        now = time.monotonic()
        if progress.done < progress.total and now - self.last_line < 1.0:
            return
        self.last_line = now
        percent = 100 * progress.done // progress.total if progress.total else 100
        text = f"{self.label}: {progress.phase} {format_bytes(progress.done)} / {format_bytes(progress.total)} ({percent}%)"
        self.stream.write(f"\r{text}\x1b[K" if self.terminal else text + "\n")
        self.stream.flush()

    def note(self, text: str) -> None:
        self.close()
        self.stream.write(f"{self.label}: {text}\n")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        elif self.terminal and self.phase is not None:
            self.stream.write("\n")
        self.phase = None
