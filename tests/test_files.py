"""Tests of xl_roi.files: atomic writes that never replace a user's file unless asked."""

from __future__ import annotations

import pytest

from xl_roi.files import OverwriteRefusedError, write_atomic


def test_refuses_to_overwrite(tmp_path):
    """An existing file is left exactly as it was without force."""
    target = tmp_path / "mine.txt"
    target.write_bytes(b"precious")
    with pytest.raises(OverwriteRefusedError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"precious"


def test_force_replaces(tmp_path):
    """With force the file is replaced."""
    target = tmp_path / "mine.txt"
    target.write_bytes(b"old")
    write_atomic(target, b"new", force=True)
    assert target.read_bytes() == b"new"


def test_failed_writer_leaves_nothing(tmp_path):
    """A writer that fails midway leaves neither the target nor a temporary file."""
    target = tmp_path / "out.bin"

    def broken(path):
        path.write_bytes(b"half")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_atomic(target, broken)
    assert list(tmp_path.iterdir()) == []


def test_failed_writer_keeps_the_old_file(tmp_path):
    """A failing forced write keeps the previous content whole."""
    target = tmp_path / "out.bin"
    target.write_bytes(b"whole")

    def broken(path):
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        write_atomic(target, broken, force=True)
    assert target.read_bytes() == b"whole"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_new_file_gets_usual_permissions(tmp_path):
    """A new file is readable as any new file would be, not private like a temporary file."""
    import os

    umask = os.umask(0o022)
    try:
        target = write_atomic(tmp_path / "new.txt", b"x")
    finally:
        os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o644


def test_replaced_file_keeps_its_permissions(tmp_path):
    """Replacing a file keeps the permissions the user gave it."""
    target = tmp_path / "mine.txt"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_atomic(target, b"new", force=True)
    assert target.stat().st_mode & 0o777 == 0o640
