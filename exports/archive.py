"""Opening a zip package (.xlsx, .docx) with a real budget on what it unzips to.

A zip's directory states each member's size, and a hostile file lies: it says a few bytes and
inflates to gigabytes. zipfile then trusts the stated size and, when asked for a whole member,
inflates up to 2 GB in one call before cutting it down. So every member is inflated here from its
own compressed bytes, a chunk at a time, counting what comes out: reading stops as soon as the
package passes its budget, and a member whose real size or checksum differs from what the
directory says is refused as damaged. After ``check_package`` has passed, the stated sizes are
known to be true, so a library reading the same bytes through zipfile stays within the budget.
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import Callable, Iterator

#: output is produced and counted this much at a time, so memory stays flat whatever the ratio
_CHUNK = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., file name length, extra field length


class PackageRefused(ValueError):
    """The package is damaged, too big once unzipped, or has too many parts."""


class PackageTooLarge(PackageRefused):
    pass


class PackageDamaged(PackageRefused):
    pass


def check_package(
    data: bytes,
    budget: int,
    max_members: int = 1000,
    keep: Callable[[str], bool] = lambda name: False,
    inspect: Callable[[str, bytes], None] | None = None,
    keep_budget: int | None = None,
) -> dict[str, bytes]:
    """Inflate every member of the zip ``data``, at most ``budget`` bytes in all.

    Returns the members ``keep`` asks for (name -> bytes); raises PackageTooLarge past the
    budget or ``max_members``, PackageDamaged when the zip is not what its directory says.
    ``inspect`` (optional) sees every chunk as it is inflated, and may raise to stop reading.
    ``keep_budget`` (optional) is a smaller budget for the kept members, which stay in memory.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise PackageDamaged("not a zip file") from exc
    with archive:
        members = archive.infolist()
        if len(members) > max_members:
            raise PackageTooLarge(f"more than {max_members:,} parts")
        kept: dict[str, bytes] = {}
        total = kept_total = 0
        seen: set[str] = set()
        for info in members:
            if info.filename in seen:
                raise PackageDamaged(f"two parts named {info.filename!r}")
            seen.add(info.filename)
            wanted = keep(info.filename)
            parts: list[bytes] = []
            size = crc = 0
            for chunk in _inflate(data, info):
                size += len(chunk)
                total += len(chunk)
                if total > budget:
                    raise PackageTooLarge(f"more than {budget // (1024 * 1024):,} MB when unzipped")
                crc = zlib.crc32(chunk, crc)
                if inspect is not None:
                    inspect(info.filename, chunk)
                if wanted:
                    kept_total += len(chunk)
                    if keep_budget is not None and kept_total > keep_budget:
                        raise PackageTooLarge(f"more than {keep_budget // (1024 * 1024):,} MB of text when unzipped")
                    parts.append(chunk)
            if size != info.file_size or crc != info.CRC:
                raise PackageDamaged(f"part {info.filename!r} is not the size its directory states")
            if wanted:
                kept[info.filename] = b"".join(parts)
    return kept


def _inflate(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's real content, chunk by chunk, from the same bytes zipfile would read."""
    if info.flag_bits & 0x1:
        raise PackageDamaged(f"part {info.filename!r} is encrypted")
    header = data[info.header_offset:info.header_offset + _LOCAL_HEADER.size]
    if len(header) != _LOCAL_HEADER.size:
        raise PackageDamaged("a part is missing")
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04":
        raise PackageDamaged("a part is missing")
    start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    compressed = memoryview(data)[start:start + info.compress_size]
    if len(compressed) != info.compress_size:
        raise PackageDamaged(f"part {info.filename!r} is cut short")
    if info.compress_type == zipfile.ZIP_STORED:
        for offset in range(0, len(compressed), _CHUNK):
            yield bytes(compressed[offset:offset + _CHUNK])
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise PackageDamaged(f"part {info.filename!r} uses an unsupported compression")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    position = 0
    try:
        while not inflater.eof:
            if inflater.unconsumed_tail:
                chunk = inflater.decompress(inflater.unconsumed_tail, _CHUNK)
            elif position < len(compressed):
                chunk = inflater.decompress(compressed[position:position + _CHUNK], _CHUNK)
                position += _CHUNK
            else:
                break
            if chunk:
                yield chunk
    except zlib.error as exc:
        raise PackageDamaged(f"part {info.filename!r} is damaged") from exc
    if not inflater.eof:
        raise PackageDamaged(f"part {info.filename!r} is cut short")
