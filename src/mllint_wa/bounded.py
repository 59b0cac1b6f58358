"""Reading a bounded prefix of an open file: what every reader of the linted tree uses, so
that no file, however large or however fast it grows, is read past its limit."""

from __future__ import annotations

import os

_CHUNK = 1024 * 1024


def read_prefix(descriptor: int, limit: int, expected: int = _CHUNK) -> bytes:
    """At most ``limit`` bytes from the start of an open regular file.

    ``expected`` is the size ``fstat`` gave, plus one: asking for that much at once reads a
    small file in one call without allocating a large buffer, and a short read is the end of
    a regular file. A file that grew is read on, chunk by chunk, up to ``limit``."""
    chunks: list[bytes] = []
    remaining = limit
    request = max(1, min(expected, _CHUNK))
    while remaining > 0:
        wanted = min(remaining, request)
        chunk = os.read(descriptor, wanted)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
        if len(chunk) < wanted:
            break
        request = _CHUNK
    return b"".join(chunks)
