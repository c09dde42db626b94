"""CRC32C (Castagnoli) as Cloud Storage writes it: base64 of the big-endian 4 bytes.

crcmod (Debian's python3-crcmod) computes it in C; without its extension crcmod falls back to
pure Python, correct but about a hundred times slower, so ``FAST`` says which one runs.
"""

from __future__ import annotations

import base64
from typing import BinaryIO, Callable

import crcmod.predefined
from crcmod.crcmod import _usingExtension as FAST  # noqa: N812 (crcmod's own name)

PIECE = 8 << 20

__all__ = ["FAST", "Crc32c", "crc32c_of"]


class Crc32c:
    def __init__(self) -> None:
        self._crc = crcmod.predefined.Crc("crc-32c")

    def update(self, data: bytes | memoryview) -> None:
        self._crc.update(data)

    def base64(self) -> str:
        return base64.b64encode(self._crc.digest()).decode("ascii")


def crc32c_of(stream: BinaryIO, size: int, on_bytes: Callable[[int], None] | None = None) -> str:
    """The CRC32C of ``size`` bytes of a seekable stream from its start; ``on_bytes`` hears bytes hashed so far."""
    hasher = Crc32c()
    stream.seek(0)
    done = 0
    while done < size:
        piece = stream.read(min(PIECE, size - done))
        if not piece:
            raise OSError(f"the file ended after {done} of {size} bytes while computing its CRC32C")
        hasher.update(piece)
        done += len(piece)
        if on_bytes:
            on_bytes(done)
    return hasher.base64()
