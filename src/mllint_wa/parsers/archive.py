"""ZIP archives: the names of their members, from the central directory at the end of the file.

Nothing is extracted or decompressed. The end-of-central-directory record is found in the
last 64 KiB of the file (ZIP64 archives through their locator), and at most
:data:`DIRECTORY_LIMIT` bytes of the central directory are read, so that an archive of a
million files costs what one of a few thousand does; the members listed in that part are
the archive's names as far as this reader knows them.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

# The end-of-central-directory record, and the largest comment that may follow it.
_END = b"PK\x05\x06"
_END_SIZE = 22
TAIL_SIZE = _END_SIZE + 0xFFFF
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_LOCATOR_SIZE = 20
_ZIP64_END = b"PK\x06\x06"
_ZIP64_END_SIZE = 56
_ENTRY = b"PK\x01\x02"
_ENTRY_SIZE = 46
DIRECTORY_LIMIT = 1024 * 1024

# Reads ``size`` bytes at ``offset`` of the archive (fewer at its end); None when it cannot.
Reader = Callable[[int, int], "bytes | None"]


def zip_member_names(size: int, read: Reader) -> tuple[str, ...] | None:
    """The member names of the ZIP archive of ``size`` bytes that ``read`` reads, in the
    order of its central directory (as many as :data:`DIRECTORY_LIMIT` bytes of it hold);
    None when it is no ZIP archive or its directory cannot be found."""
    tail_start = max(0, size - TAIL_SIZE)
    tail = read(tail_start, size - tail_start)
    if tail is None:
        return None
    at = tail.rfind(_END)
    if at < 0 or len(tail) - at < _END_SIZE:
        return None
    entries, directory_size, directory_offset = struct.unpack_from("<HII", tail, at + 10)
    if 0xFFFFFFFF in (directory_size, directory_offset) or entries == 0xFFFF:
        located = _zip64_directory(tail, at, read)
        if located is None:
            return None
        directory_size, directory_offset = located
    if directory_offset >= size:
        return None
    directory = read(directory_offset, min(directory_size, DIRECTORY_LIMIT))
    return None if directory is None else _names(directory)


def _zip64_directory(tail: bytes, end_at: int, read: Reader) -> tuple[int, int] | None:
    """(size, offset) of a ZIP64 archive's central directory, from the locator that stands
    just before the end record."""
    locator_at = end_at - _ZIP64_LOCATOR_SIZE
    if locator_at < 0 or tail[locator_at : locator_at + 4] != _ZIP64_LOCATOR:
        return None
    (record_offset,) = struct.unpack_from("<Q", tail, locator_at + 8)
    record = read(record_offset, _ZIP64_END_SIZE)
    if record is None or len(record) < _ZIP64_END_SIZE or record[:4] != _ZIP64_END:
        return None
    directory_size, directory_offset = struct.unpack_from("<QQ", record, 40)
    return directory_size, directory_offset


def _names(directory: bytes) -> tuple[str, ...]:
    names: list[str] = []
    at = 0
    while at + _ENTRY_SIZE <= len(directory) and directory[at : at + 4] == _ENTRY:
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", directory, at + 28)
        start = at + _ENTRY_SIZE
        if start + name_length > len(directory):
            break  # the part of the directory read ends inside this entry
        names.append(directory[start : start + name_length].decode("utf-8", "replace"))
        at = start + name_length + extra_length + comment_length
    return tuple(names)
