"""Archives: the names of their members.

ZIP: from the central directory at the end of the file. Nothing is extracted or
decompressed. The end-of-central-directory record is found in the last 64 KiB of the file
(ZIP64 archives through their locator), and at most :data:`DIRECTORY_LIMIT` bytes of the
central directory are read, so that an archive of a million files costs what one of a few
thousand does; the members listed in that part are the archive's names as far as this
reader knows them.

tar (plain or gzip-compressed): from the headers that stand before each member, in the
first :data:`TAR_LIMIT` bytes of the archive (decompressed as far as that, never further,
so a compression bomb costs no more); the members whose headers stand in that part are the
archive's names as far as this reader knows them. POSIX (ustar, with pax ``path``
records) and GNU (long names) archives are read; anything else is no tar archive here.
"""

from __future__ import annotations

import struct
import zlib
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


# -- tar ----------------------------------------------------------------------------------------

TAR_LIMIT = 4 * 1024 * 1024
_BLOCK = 512
_CHUNK = 64 * 1024
_GZIP = b"\x1f\x8b"
_USTAR = b"ustar"
# Member types whose names are files or folders: regular files, hard and symbolic links,
# devices, folders, FIFOs and contiguous files.
_MEMBER_TYPES = frozenset(b"\x00" + b"01234567")
# A pax record's length field: a few digits, never a run to scan again from every one of them.
_PAX_LENGTH_DIGITS = 20


def tar_member_names(size: int, read: Reader) -> tuple[str, ...] | None:
    """The member names of the tar archive (plain or gzip-compressed) of ``size`` bytes
    that ``read`` reads, in order, as far as its first :data:`TAR_LIMIT` bytes hold them;
    None when it is no tar archive or cannot be read."""
    data = _tar_bytes(size, read)
    if data is None or len(data) < _BLOCK or data[257:262] != _USTAR:
        return None
    names: list[str] = []
    long_name: bytes | None = None
    at = 0
    while at + _BLOCK <= len(data):
        header = data[at : at + _BLOCK]
        if header[257:262] != _USTAR:
            break  # the two zero blocks that end the archive, or no header
        length = _octal(header[124:136])
        if length is None:
            break
        body = data[at + _BLOCK : at + _BLOCK + length]
        kind = header[156]
        if kind == ord("L"):  # GNU: the next member's long name
            long_name = body.split(b"\0", 1)[0]
        elif kind == ord("x"):  # pax: the next member's attributes, its path among them
            long_name = _pax_path(body) or long_name
        elif kind in _MEMBER_TYPES:
            name = long_name or _header_name(header)
            names.append(name.decode("utf-8", "replace"))
            long_name = None
        at += _BLOCK + -(-length // _BLOCK) * _BLOCK
    return tuple(names)


def _pax_path(body: bytes) -> bytes | None:
    """The ``path`` of a pax header's records (``"<length> <keyword>=<value>\\n"`` each, the
    length counting the whole record), read record by record; None without one."""
    at = 0
    while at < len(body):
        space = body.find(b" ", at, at + _PAX_LENGTH_DIGITS)
        if space < 0 or not body[at:space].isdigit():
            return None
        end = at + int(body[at:space])
        if end <= space or end > len(body):
            return None
        keyword, _, value = body[space + 1 : end].partition(b"=")
        if keyword == b"path":
            return value.removesuffix(b"\n")
        at = end
    return None


def _tar_bytes(size: int, read: Reader) -> bytes | None:
    """The first :data:`TAR_LIMIT` bytes of the tar archive, decompressed if it is gzip."""
    head = read(0, min(size, _CHUNK))
    if head is None or not head.startswith(_GZIP):
        return None if head is None else (head + (read(len(head), TAR_LIMIT - len(head)) or b""))
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    offset, chunk = 0, head
    # Input is bounded too: compressed data is seldom larger than what it holds.
    while chunk and len(out) < TAR_LIMIT and offset < min(size, 2 * TAR_LIMIT):
        offset += len(chunk)
        pending = chunk
        while pending and len(out) < TAR_LIMIT:
            try:
                out += inflate.decompress(pending, TAR_LIMIT - len(out))
            except zlib.error:
                return bytes(out) or None
            pending = inflate.unconsumed_tail
        if inflate.eof:
            break
        chunk = read(offset, _CHUNK) or b""
    return bytes(out)


def _octal(field: bytes) -> int | None:
    """A header's number: octal digits, or GNU's base-256 for large sizes."""
    if field[:1] and field[0] & 0x80:
        return int.from_bytes(field[1:], "big")
    digits = field.split(b"\0", 1)[0].strip()
    if not digits:
        return 0
    try:
        return int(digits, 8)
    except ValueError:
        return None


def _header_name(header: bytes) -> bytes:
    name = header[:100].split(b"\0", 1)[0]
    prefix = header[345:500].split(b"\0", 1)[0]
    return prefix + b"/" + name if prefix else name
