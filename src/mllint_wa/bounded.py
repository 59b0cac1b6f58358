"""Reading a bounded prefix of an open file: what every reader of the linted tree uses, so
that no file, however large or however fast it grows, is read past its limit."""

from __future__ import annotations

import os

_CHUNK = 1024 * 1024


def read_prefix(descriptor: int, limit: int) -> bytes:
    """At most ``limit`` bytes from the start of an open file descriptor."""
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = os.read(descriptor, min(remaining, _CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
