"""The log files before any engine reads them: each read once, none a decompression bomb.

A file named twice (the same path, a link to it, or a copy with the same bytes) would double
every call in it: it is read once, and said so. A gzipped log is unpacked once here, a
megabyte at a time, and refused as soon as it unpacks to more than :data:`GZIP_RATIO` times
the bytes read so far (the same limit as a workbook's parts), so a file of twelve gigabytes of
newlines packed into twelve megabytes is refused in a fraction of a second whatever its
format, before DuckDB or Spark spends minutes on it.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from pathlib import Path

from xl_roi._measure._formats import LogFormatError

GZIP_RATIO = 500
"""Unpacked ÷ packed bytes beyond which a gzipped log is refused: honest logs pack 5 to 30
times, a log of near-identical rows perhaps a few hundred times, a bomb up to deflate's limit
of about 1,030 times (as :data:`xl_roi.workbook.guard.WORKBOOK_LIMITS`)."""

_SMALL_BYTES = 1_000_000
"""Below this many unpacked bytes no ratio is judged (a short header packs very well)."""

_CHUNK_BYTES = 1 << 20


def distinct_files(files: list[Path]) -> tuple[list[Path], list[str]]:
    """The files without repeats (same path, same file, or same bytes), and what was left out.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_text("timestamp,model\\n")
    >>> _ = (folder / "b.csv").write_text("timestamp,model\\n")
    >>> kept, notes = distinct_files([folder / "a.csv", folder / "a.csv", folder / "b.csv"])
    >>> [path.name for path in kept], len(notes)
    (['a.csv'], 2)
    """
    kept: list[Path] = []
    notes: list[str] = []
    seen: dict[tuple[int, int], Path] = {}
    for path in files:
        stat = os.stat(path)
        key = (stat.st_dev, stat.st_ino)
        if key in seen:
            same = "is given twice" if seen[key] == path else f"is the same file as {seen[key]}"
            notes.append(f"{path} {same}: read once")
            continue
        seen[key] = path
        kept.append(path)
    by_size: dict[int, list[Path]] = {}
    for path in kept:
        by_size.setdefault(path.stat().st_size, []).append(path)
    repeated: set[Path] = set()
    for group in by_size.values():
        if len(group) < 2:
            continue
        by_digest: dict[str, Path] = {}
        for path in group:
            digest = _digest(path)
            if digest in by_digest:
                notes.append(f"{path} holds the same bytes as {by_digest[digest]}: read once")
                repeated.add(path)
            else:
                by_digest[digest] = path
    return [path for path in kept if path not in repeated], notes


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def is_gzipped(path: Path) -> bool:
    """Whether the file's name says it is gzipped (``.gz``, ``.gzip``)."""
    return path.suffix.lower() in (".gz", ".gzip")


def check_gzip(path: Path, ratio: int = GZIP_RATIO) -> int:
    """Unpack a gzipped file without keeping it; its unpacked size, or an error for a bomb.

    Raises
    ------
    LogFormatError
        When the file unpacks to more than ``ratio`` times the bytes read so far (past a
        megabyte), or is not gzip data.

    Examples
    --------
    >>> import gzip, tempfile, pathlib
    >>> log = pathlib.Path(tempfile.mkdtemp()) / "calls.csv.gz"
    >>> _ = log.write_bytes(gzip.compress(b"timestamp,model\\n"))
    >>> check_gzip(log)
    16
    >>> _ = log.write_bytes(gzip.compress(b"\\n" * 50_000_000))
    >>> check_gzip(log)
    Traceback (most recent call last):
    ...
    xl_roi._measure._formats.LogFormatError: ...: unpacks more than 500 times its size: ...
    """
    decompressor = zlib.decompressobj(wbits=31)
    packed = unpacked = 0
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK_BYTES):
                packed += len(chunk)
                pending = chunk
                while pending:
                    unpacked += len(decompressor.decompress(pending, 4 * _CHUNK_BYTES))
                    if unpacked > _SMALL_BYTES and unpacked > ratio * packed:
                        raise LogFormatError(
                            f"{path}: unpacks more than {ratio:,} times its size: refused as a "
                            "possible decompression bomb"
                        )
                    if decompressor.eof:  # a file of several gzip members, one after another
                        pending = decompressor.unused_data
                        decompressor = zlib.decompressobj(wbits=31)
                        if not pending.strip(b"\0"):
                            break
                    else:
                        pending = decompressor.unconsumed_tail
    except zlib.error as error:
        raise LogFormatError(f"{path}: is not readable gzip data ({error})") from None
    return unpacked
