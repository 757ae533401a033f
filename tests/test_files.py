"""Tests of xl_roi.files: atomic writes that never replace a user's file unless asked."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xl_roi.files import OverwriteRefusedError, remove_temporaries, same_file, write_atomic


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


def test_a_file_that_appears_meanwhile_is_not_replaced(tmp_path, monkeypatch):
    """Two writers racing to create one new file: the one that comes second is refused."""
    import os

    target = tmp_path / "out.bin"
    real_chmod = os.chmod

    def rival_writes_first(path, mode):  # the last step before ours is moved into place
        real_chmod(path, mode)
        if not target.exists():
            target.write_bytes(b"rival")

    monkeypatch.setattr(os, "chmod", rival_writes_first)
    with pytest.raises(OverwriteRefusedError, match="exists already"):
        write_atomic(target, b"ours")
    assert target.read_bytes() == b"rival"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_threads_racing_for_one_new_file_have_one_winner(tmp_path):
    """Of eight writers started together on one new file, exactly one succeeds."""
    import threading

    target = tmp_path / "out.bin"
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def writer(number):
        def write(path):
            path.write_bytes(str(number).encode())
            barrier.wait()

        try:
            write_atomic(target, write)
            outcomes.append("won")
        except OverwriteRefusedError:
            outcomes.append("refused")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 7 + ["won"]
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_temporaries_are_known_until_moved_into_place(tmp_path):
    """A temporary being written is removed by remove_temporaries (what a signal handler calls)."""
    seen = []

    def write(path):
        path.write_bytes(b"half")
        remove_temporaries()  # as the handler would, mid-write
        seen.append(path.exists())
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "out.bin", write)
    assert seen == [False] and list(tmp_path.iterdir()) == []


def test_full_disk_names_the_file(tmp_path, monkeypatch):
    """A write failing with a full disk says which file and that nothing was written."""
    import errno

    def full(path):
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match="nothing written") as raised:
        write_atomic(tmp_path / "out.bin", full)
    assert raised.value.filename == str(tmp_path / "out.bin")
    assert list(tmp_path.iterdir()) == []


def test_same_file_through_links(tmp_path):
    """Two names of one file are the same file; a loop of links is compared without failing."""
    import os

    (tmp_path / "a.csv").write_text("x")
    os.symlink(tmp_path / "a.csv", tmp_path / "link.csv")
    os.symlink(tmp_path / "loop1", tmp_path / "loop2")
    os.symlink(tmp_path / "loop2", tmp_path / "loop1")
    assert same_file(tmp_path / "a.csv", tmp_path / "link.csv")
    assert not same_file(tmp_path / "loop1", tmp_path / "a.csv")


def test_private_temporary_folder_removes_files_nobody_recorded(tmp_path, monkeypatch):
    """A library's temporary file made just before a stop, never recorded for clean-up, goes
    with the private folder (openpyxl makes its file first and records it after)."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    from xl_roi.files import private_temporary_folder

    with pytest.raises(KeyboardInterrupt), private_temporary_folder():
        handle, _ = tempfile.mkstemp(prefix="openpyxl.")
        os.close(handle)
        raise KeyboardInterrupt  # the stop lands before anyone records the file
    assert list(tmp_path.iterdir()) == []
    assert tempfile.tempdir == str(tmp_path)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text("aZ0 .-_é€😀", min_size=255, max_size=255)
    .map(lambda name: name.encode()[:255].decode("utf-8", "ignore"))
    .filter(lambda name: name.strip("."))
    | st.sampled_from(["b" * 250, "b" * 255, "é" * 127, "€" * 85])
)
def test_any_legal_file_name_can_be_written(tmp_path, name):
    """A file name of up to 255 bytes is written, with or without --force: the temporary name
    beside it is shortened, never longer than the file system takes ('File name too long')."""
    target = tmp_path / name
    assert write_atomic(target, b"first").read_bytes() == b"first"
    assert write_atomic(target, b"second", force=True).read_bytes() == b"second"
    assert [path.name for path in tmp_path.iterdir()] == [name]
    target.unlink()
